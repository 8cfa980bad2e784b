//! What `#[kernel]` declares about each kernel, as the pool's kernel list
//! (`__wasmPmapKernels`, built from `registry::describe`) and decode errors carry it: the
//! registered name, the kind, and the input, output and context types — TypeScript
//! spelling as cbor-x decodes the wire, and the input's Rust spelling for messages. One
//! kernel per shape of Rust type the macro spells (`ts_type.rs`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::registry::{self, KernelDesc};
use crate::wire::{to_vec, Mode};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Pt {
    x: f64,
    y: f64,
}

mod shapes {
    pub mod deep {
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct Deep(pub u8);
    }
}

#[wasm_pmap::kernel]
fn wide_ints(a: u128, b: usize, c: i128, d: isize) -> bool {
    a as i128 + b as i128 == c + d as i128
}

#[wasm_pmap::kernel]
fn char_code(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[wasm_pmap::kernel]
fn cow_len(s: Cow<'static, str>) -> Box<u32> {
    Box::new(s.len() as u32)
}

#[wasm_pmap::kernel]
fn queue_flags(q: VecDeque<String>) -> Vec<Option<bool>> {
    q.iter().map(|s| s.parse().ok()).collect()
}

#[wasm_pmap::kernel]
fn table_keys(m: HashMap<String, u32>) -> BTreeMap<String, Vec<String>> {
    m.into_keys().map(|k| (k.clone(), vec![k])).collect()
}

/// A boxed slice: the type of its own, `[String]` (`Type::Slice`), inside the `Box`.
#[wasm_pmap::kernel]
#[allow(clippy::boxed_local)]
fn boxed_words(words: Box<[String]>) -> usize {
    words.len()
}

#[wasm_pmap::kernel]
fn byte_count(b: ByteBuf) -> usize {
    b.len()
}

#[wasm_pmap::kernel]
fn forget(_p: (u32, String)) {}

/// `(u32)` is a parenthesized type (`Type::Paren`), on purpose.
#[allow(unused_parens)]
mod paren {
    #[wasm_pmap::kernel]
    pub fn parenthesized(x: (u32)) -> [String; 2] {
        [x.to_string(), (x + 1).to_string()]
    }
}

/// `$t:ty` reaches the attribute as an invisible group (`Type::Group`).
macro_rules! echo_kernel {
    ($name:ident, $t:ty) => {
        #[wasm_pmap::kernel]
        fn $name(x: $t) -> $t {
            x
        }
    };
}
echo_kernel!(grouped_option, Option<u32>);

#[wasm_pmap::kernel]
fn unpack(d: shapes::deep::Deep) -> Vec<Pt> {
    vec![Pt {
        x: d.0.into(),
        y: 0.0,
    }]
}

#[wasm_pmap::kernel]
fn parity(x: u32) -> &'static str {
    if x.is_multiple_of(2) {
        "even"
    } else {
        "odd"
    }
}

#[wasm_pmap::kernel(context)]
fn lookup(table: &HashMap<String, f64>, key: String) -> Option<f64> {
    table.get(&key).copied()
}

#[wasm_pmap::kernel(reduce)]
fn shorter(a: String, b: String) -> Result<String, String> {
    if a.is_empty() && b.is_empty() {
        return Err("both empty".into());
    }
    Ok(if b.len() < a.len() { b } else { a })
}

#[wasm_pmap::kernel(job)]
fn count_to(n: u32) -> u64 {
    (1..=u64::from(n)).sum()
}

#[wasm_pmap::kernel(slice)]
fn mean_i16(xs: &[i16]) -> f64 {
    xs.iter().map(|&x| f64::from(x)).sum::<f64>() / xs.len() as f64
}

/// A numeric `Vec` is a typed array only as a whole argument or output (where the macro
/// sends it as one, `typed.rs`); inside another type, and a fixed-size array anywhere, it is
/// a plain array of numbers on the wire.
#[wasm_pmap::kernel]
fn nested_numbers(v: Option<Vec<f64>>, top: Vec<u16>) -> (u8, Vec<u16>, [f64; 2]) {
    let s = v.unwrap_or_default().iter().sum();
    (top.len() as u8, top, [s, -s])
}

#[wasm_pmap::kernel]
fn _leading_underscore(x: u8) -> u8 {
    x
}

/// `(name, kind, input, output, context, Rust input)`.
type Declared = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

const DECLARED: &[Declared] = &[
    (
        "wideInts",
        "map",
        "[number, number, number, number]",
        "boolean",
        None,
        "(u128, usize, i128, isize)",
    ),
    ("charCode", "map", "string", "string", None, "char"),
    (
        "cowLen",
        "map",
        "string",
        "number",
        None,
        "Cow<'static,str>",
    ),
    (
        "queueFlags",
        "map",
        "string[]",
        "(boolean | null)[]",
        None,
        "VecDeque<String>",
    ),
    (
        "tableKeys",
        "map",
        "Record<string, number>",
        "Record<string, string[]>",
        None,
        "HashMap<String,u32>",
    ),
    (
        "boxedWords",
        "map",
        "string[]",
        "number",
        None,
        "Box<[String]>",
    ),
    ("byteCount", "map", "Uint8Array", "number", None, "ByteBuf"),
    (
        "forget",
        "map",
        "[number, string]",
        "null",
        None,
        "(u32,String)",
    ),
    ("parenthesized", "map", "number", "string[]", None, "(u32)"),
    (
        "groupedOption",
        "map",
        "number | null",
        "number | null",
        None,
        "Option<u32>",
    ),
    ("unpack", "map", "Deep", "Pt[]", None, "shapes::deep::Deep"),
    ("parity", "map", "number", "string", None, "u32"),
    (
        "lookup",
        "map",
        "string",
        "number | null",
        Some("Record<string, number>"),
        "String",
    ),
    (
        "shorter",
        "reduce",
        "[string, string]",
        "string",
        None,
        "(String, String)",
    ),
    ("countTo", "job", "number", "number", None, "u32"),
    ("meanI16", "slice", "Int16Array", "number", None, "&[i16]"),
    ("leadingUnderscore", "map", "number", "number", None, "u8"),
    (
        "nestedNumbers",
        "map",
        "[number[] | null, Uint16Array]",
        "[number, number[], number[]]",
        None,
        "(Option<Vec<f64>>, Vec<u16>)",
    ),
];

#[test]
fn every_type_shape_is_declared_as_typescript_sees_it() {
    for &(name, kind, input, output, context, input_rust) in DECLARED {
        let k = registry::find(name).unwrap_or_else(|| panic!("{name} is not registered"));
        assert_eq!(
            registry::describe(k),
            KernelDesc {
                name,
                kind,
                input,
                output,
                context,
            },
            "{name}"
        );
        assert_eq!(k.info.input_rust, input_rust, "{name}");
    }
}

#[test]
fn the_kernel_list_is_every_kernel_once_sorted_by_name() {
    let names = registry::names();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted);
    let all: Vec<&str> = registry::all().iter().map(|k| k.info.name).collect();
    assert_eq!(all, names);
    for &(name, ..) in DECLARED {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
}

#[test]
fn the_declared_kernels_run() {
    let out: Vec<bool> = pipe(
        "wideInts",
        Mode::Map,
        to_vec(&[(1u128, 2usize, 3i128, 0isize)]),
    );
    assert_eq!(out, [true]);
    let out: Vec<String> = pipe("charCode", Mode::Map, to_vec(&['A']));
    assert_eq!(out, ["U+0041"]);
    let out: Vec<usize> = pipe("boxedWords", Mode::Map, to_vec(&[["a", "b"]]));
    assert_eq!(out, [2]);
    let out: Vec<u32> = pipe("cowLen", Mode::Map, to_vec(&["four"]));
    assert_eq!(out, [4]);
    let out: Vec<Vec<Option<bool>>> = pipe("queueFlags", Mode::Map, to_vec(&[["true", "x"]]));
    assert_eq!(out, [vec![Some(true), None]]);
    let out: Vec<[String; 2]> = pipe("parenthesized", Mode::Map, to_vec(&[7u32]));
    assert_eq!(out, [["7".to_string(), "8".to_string()]]);
    let out: Vec<Option<u32>> = pipe("groupedOption", Mode::Map, to_vec(&[Some(3u32), None]));
    assert_eq!(out, [Some(3), None]);
    let out: Vec<()> = pipe("forget", Mode::Map, to_vec(&[(1u32, "x")]));
    assert_eq!(out, [()]);
    // Plain arrays inside the output tuple, as declared (a typed array is a tagged byte string).
    let body = registry::run(
        "nestedNumbers",
        Mode::Map,
        &to_vec(&[(Some([1.5f64]), [7u16])]),
        None,
    )
    .unwrap();
    let out: Vec<(u8, Vec<u16>, [f64; 2])> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out, [(1, vec![7], [1.5, -1.5])]);
    let out: Vec<String> = pipe("parity", Mode::Map, to_vec(&[1u32, 2]));
    assert_eq!(out, ["odd", "even"]);
    let out: Option<String> = pipe("shorter", Mode::Reduce, to_vec(&["abc", "de", "fgh"]));
    assert_eq!(out.as_deref(), Some("de"));
    let err = registry::run("shorter", Mode::Reduce, &to_vec(&["a", "", ""]), None)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.message, "both empty");
    assert_eq!(err.index, Some(2), "folding in item 2 failed");
    let out: Vec<u64> = pipe("countTo", Mode::Map, to_vec(&[4u32]));
    assert_eq!(out, [10]);
}

fn pipe<T: for<'de> Deserialize<'de>>(kernel: &str, mode: Mode, payload: Vec<u8>) -> T {
    let body =
        registry::run(kernel, mode, &payload, None).unwrap_or_else(|f| panic!("{kernel}: {f}"));
    ciborium::de::from_reader(&body[..]).unwrap()
}
