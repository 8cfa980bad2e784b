//! A declared length is not a reason to allocate. A few crafted bytes declaring an array of
//! 2^32 - 1 items (or a 4 GiB byte string) must fail to decode without reserving memory for
//! them: a wasm memory never shrinks. A counting global allocator records the largest single
//! allocation each case makes (and refuses absurd ones, which would otherwise abort).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;

use crate::error::{ErrorKind, Failure};
use crate::registry;
use crate::wire::{to_vec, Context, Mode, Request};
use serde::{Deserialize, Serialize};

struct Counting;

thread_local!(static LARGEST: Cell<usize> = const { Cell::new(0) });

/// Beyond this, an allocation is refused (the test would otherwise abort the machine's
/// memory rather than fail).
const REFUSE: usize = 1 << 30;

// `(size, count)`: how many allocations of at least `size` bytes were made.
thread_local!(static AT_LEAST: Cell<(usize, usize)> = const { Cell::new((usize::MAX, 0)) });

fn note(size: usize) -> bool {
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
    let _ = AT_LEAST.try_with(|c| {
        let (min, n) = c.get();
        c.set((min, n + usize::from(size >= min)));
    });
    size <= REFUSE
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if note(l.size()) {
            unsafe { System.alloc(l) }
        } else {
            std::ptr::null_mut()
        }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if note(l.size()) {
            unsafe { System.alloc_zeroed(l) }
        } else {
            std::ptr::null_mut()
        }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        if note(size) {
            unsafe { System.realloc(p, l, size) }
        } else {
            std::ptr::null_mut()
        }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What any one decode of these few bytes may allocate at once.
const BOUND: usize = 256 << 10;

/// Runs `f` and returns the largest single allocation it made.
fn largest_allocation<R>(f: impl FnOnce() -> R) -> (R, usize) {
    LARGEST.set(0);
    let r = f();
    (r, LARGEST.get())
}

/// An array header declaring 2^32 - 1 items, then 10 bytes of small items.
fn huge_array() -> Vec<u8> {
    [&[0x9a, 0xff, 0xff, 0xff, 0xff][..], &[0x01; 10]].concat()
}

/// A byte string header declaring 4 GiB - 1, then 10 bytes.
fn huge_bytes() -> Vec<u8> {
    [&[0x5a, 0xff, 0xff, 0xff, 0xff][..], &[0x01; 10]].concat()
}

#[derive(Debug, Serialize, Deserialize)]
struct Wide {
    a: String,
    b: String,
    c: String,
    d: [u64; 8],
}

#[wasm_pmap::kernel]
fn wide(w: Wide) -> usize {
    w.a.len()
}

#[wasm_pmap::kernel]
fn wides(w: Vec<Wide>) -> usize {
    w.len()
}

#[wasm_pmap::kernel]
fn table(t: HashMap<String, Wide>) -> usize {
    t.len()
}

#[wasm_pmap::kernel]
fn byte_len(b: Vec<u8>) -> usize {
    b.len()
}

#[wasm_pmap::kernel(slice)]
fn twice(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| x * 2.0).collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Many(Vec<Wide>);

#[wasm_pmap::kernel(context)]
fn count_with(ctx: &Many, x: u32) -> usize {
    ctx.0.len() + x as usize
}

/// Runs one case; what went wrong with it, if anything.
fn bounded(
    case: &str,
    kind: ErrorKind,
    run: impl FnOnce() -> Result<Vec<u8>, Failure>,
) -> Option<String> {
    let (got, largest) = largest_allocation(run);
    match got {
        Ok(_) => Some(format!("{case}: decoded")),
        Err(f) if f.kind != kind => Some(format!("{case}: {f}")),
        Err(_) if largest > BOUND => Some(format!("{case}: allocated {largest} bytes at once")),
        Err(_) => None,
    }
}

#[wasm_pmap::kernel(reduce)]
fn longest(a: Wide, b: Wide) -> Wide {
    if a.a.len() >= b.a.len() {
        a
    } else {
        b
    }
}

#[test]
fn declared_lengths_do_not_reserve_memory() {
    let mut wrong = Vec::new();
    let mut assert_bounded = |case: &str, kind, run: &dyn Fn() -> Result<Vec<u8>, Failure>| {
        wrong.extend(bounded(case, kind, run));
    };
    let one = |item: Vec<u8>| [vec![0x81], item].concat();
    assert_bounded("map items", ErrorKind::Decode, &|| {
        registry::run("wide", Mode::Map, &huge_array(), None)
    });
    assert_bounded("reduce items", ErrorKind::Decode, &|| {
        registry::run("longest", Mode::Reduce, &huge_array(), None)
    });
    assert_bounded("a Vec inside an item", ErrorKind::Decode, &|| {
        registry::run("wides", Mode::Map, &one(huge_array()), None)
    });
    let huge_map = [&[0xba, 0xff, 0xff, 0xff, 0xff][..], &[0x61, 0x61][..]].concat();
    assert_bounded("a map inside an item", ErrorKind::Decode, &|| {
        registry::run("table", Mode::Map, &one(huge_map.clone()), None)
    });
    assert_bounded(
        "a plain array for a typed array",
        ErrorKind::Decode,
        &|| registry::run("twice", Mode::Slice, &huge_array(), None),
    );
    assert_bounded("a tagged byte string", ErrorKind::Decode, &|| {
        registry::run(
            "twice",
            Mode::Slice,
            &[&[0xd8, 86][..], &huge_bytes()].concat(),
            None,
        )
    });
    assert_bounded("a byte string item", ErrorKind::Decode, &|| {
        registry::run("byteLen", Mode::Map, &one(huge_bytes()), None)
    });
    let ctx = Context {
        id: "c".into(),
        bytes: Some(huge_array()),
    };
    assert_bounded("a context", ErrorKind::Decode, &|| {
        registry::run("countWith", Mode::Map, &to_vec(&[1u32]), Some(&ctx))
    });
    assert_bounded("pipe stages", ErrorKind::Frame, &|| {
        crate::par::pipe::run("c", &[&[0x83][..], &huge_array()].concat())
    });
    let items = [&[0x83, 0x80, 0x00][..], &huge_bytes()].concat();
    assert_bounded("pipe items", ErrorKind::Frame, &|| {
        crate::par::pipe::run("c", &items)
    });
    let frame = Request {
        call: "c:1".into(),
        chunk: 0,
        kernel: "wide".into(),
        mode: Mode::Map,
        payload: vec![],
        context: None,
    }
    .encode();
    // The same frame, its (last but one) payload field replaced by a 4 GiB declaration.
    let cut = frame.len() - 2;
    let lying = [&frame[..cut], &huge_bytes()].concat();
    assert_bounded("a frame's payload", ErrorKind::Frame, &|| {
        Request::decode(&lying).map(|r| r.payload)
    });
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn real_inputs_still_decode_in_full() {
    let n = 5000; // far beyond what a declared length may reserve up front
    let rows: Vec<f64> = (0..n).map(f64::from).collect();
    let body = registry::run("twice", Mode::Slice, &to_vec(&rows), None).unwrap();
    let out: crate::typed::TypedVec<f64> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out.0.len(), n as usize);
    let items: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 3]).collect();
    let body = registry::run("byteLen", Mode::Map, &to_vec(&items), None).unwrap();
    let out: Vec<usize> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out, vec![3; n as usize]);
}

#[wasm_pmap::kernel]
fn text_len(s: String) -> usize {
    s.len()
}

/// The other half of the rule: a declared length within `PREALLOC_ITEMS` is reserved up
/// front, exactly — not grown to the next power of two item by item (which would leave a
/// quarter of the block unused in a memory that never shrinks).
#[test]
fn declared_lengths_within_the_cap_are_reserved_exactly() {
    let n = 200; // <= PREALLOC_ITEMS (256); growing by doubling would reach 256
    assert!(n <= crate::lenient::PREALLOC_ITEMS);
    // A chunk of n strings: the chunk's item vector.
    let chunk = to_vec(&vec!["a"; n]);
    let (out, largest) =
        largest_allocation(|| registry::run("textLen", Mode::Map, &chunk, None).unwrap());
    assert_eq!(out, to_vec(&vec![1u8; n]));
    assert_eq!(largest, n * std::mem::size_of::<String>(), "items vector");
    // A Vec<String> inside one item.
    let item = to_vec(&[vec!["a"; n]]);
    let (_, largest) =
        largest_allocation(|| registry::run("queueLen", Mode::Map, &item, None).unwrap());
    assert_eq!(
        largest,
        n * std::mem::size_of::<String>(),
        "Vec inside an item"
    );
    // A plain array of numbers for a typed array (the output, n f64, is as large).
    let rows = to_vec(&vec![1.5f64; n]);
    let (_, largest) =
        largest_allocation(|| registry::run("twice", Mode::Slice, &rows, None).unwrap());
    assert!(largest < 256 * 8, "typed array: {largest} bytes");
}

#[wasm_pmap::kernel]
fn queue_len(v: Vec<String>) -> usize {
    v.len()
}

#[wasm_pmap::kernel]
fn tally(t: HashMap<String, u32>) -> u32 {
    t.values().sum()
}

/// Runs `f` and counts its allocations of at least `min` bytes.
fn allocations_of_at_least<R>(min: usize, f: impl FnOnce() -> R) -> (R, usize) {
    AT_LEAST.set((min, 0));
    let r = f();
    let (_, n) = AT_LEAST.replace((usize::MAX, 0));
    (r, n)
}

/// Likewise for a map: a map that declares its 200 entries gets its hash table (256
/// buckets) at once, not rebuilt at every doubling on the way there (the table for 128
/// buckets alone is over 4 KiB).
#[test]
fn a_map_within_the_cap_allocates_its_table_once() {
    let n = 200u32;
    let map: HashMap<String, u32> = (0..n).map(|i| (format!("k{i}"), 1)).collect();
    let item = to_vec(&[map]);
    let (body, big) = allocations_of_at_least(4096, || {
        registry::run("tally", Mode::Map, &item, None).unwrap()
    });
    assert_eq!(body, to_vec(&[n]));
    assert_eq!(big, 1, "allocations of 4 KiB or more");
}
