//! What the code `#[kernel]` expands to calls at run time, re-exported as
//! `wasm_pmap::__private`. Not a public API: names and signatures change with the macro.
//! (The fuzz harness drives the wasm entry through it too.)
//!
//! Each `run_*` helper is one mode of a generated kernel: decode the chunk's payload into
//! the kernel's Rust input type, call the kernel, encode what it returned. Decode failures
//! name the item's index, kernel `Err(..)`s become `Kernel` failures and outputs whose
//! `Serialize` fails become `Encode` failures — never a panic.

use std::cell::Cell;
use std::fmt::Display;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

pub use inventory;
pub use wasm_bindgen;

// The types the generated code names: its kernel's registry entry, the chunk it is handed,
// the failure it answers.
pub use crate::error::Failure;
pub use crate::js_int::JsInts;
pub use crate::registry::{Kernel, KernelInfo, Kind};
pub use crate::slice::{SliceInput, SliceOut};
pub use crate::typed::TypedVec;
pub use crate::wire::{Context, Mode};

// For what drives the wasm entry from outside the crate, as a worker does: the fuzz harness
// (rust/pmap/fuzz) and kernel crates checking their own registrations.
pub use crate::entry::run as run_frame;
pub use crate::registry::{find as find_kernel, names as kernel_names};
pub use crate::wire::{to_vec, Request, Response};

use crate::error::ErrorKind;
use crate::lenient::{cautious, LenientDe};
use crate::typed::Element;
use crate::wire::{array_header, cbor_error, ser_error};

/// What a kernel body may return: a plain value, or a `Result` whose error is reported as
/// a `KernelError` with the error's `Display` text.
pub trait KernelOutput<O> {
    fn into_result(self) -> Result<O, String>;
}

/// Marker for a plain (infallible) kernel output.
pub struct Plain<O>(pub O);

impl<O> KernelOutput<O> for Plain<O> {
    fn into_result(self) -> Result<O, String> {
        Ok(self.0)
    }
}

impl<O, E: Display> KernelOutput<O> for Result<O, E> {
    fn into_result(self) -> Result<O, String> {
        self.map_err(|e| e.to_string())
    }
}

/// Map mode: decode an array of `I`, apply `f` to each, encode the array of `O`.
pub fn run_map<I, O, R>(
    k: &KernelInfo,
    payload: &[u8],
    f: impl Fn(I) -> R,
) -> Result<Vec<u8>, Failure>
where
    I: DeserializeOwned,
    O: Serialize,
    R: KernelOutput<O>,
{
    let items: Vec<I> = decode_items(k, payload)?;
    let mut out = Vec::with_capacity(payload.len());
    array_header(items.len(), &mut out);
    for (i, item) in items.into_iter().enumerate() {
        let o = f(item).into_result().map_err(|m| kernel_failure(k, i, m))?;
        encode_into(k, Some(i), &o, &mut out)?;
    }
    Ok(out)
}

/// Map mode with a broadcast context (`#[kernel(context)]`, rayon's `map_with`): the
/// context is decoded once per worker per call and shared by every chunk there.
pub fn run_map_with<C, I, O, R>(
    k: &KernelInfo,
    payload: &[u8],
    context: Option<&Context>,
    f: impl Fn(&C, I) -> R,
) -> Result<Vec<u8>, Failure>
where
    C: DeserializeOwned + 'static,
    I: DeserializeOwned,
    O: Serialize,
    R: KernelOutput<O>,
{
    let ctx = crate::context::get::<C>(k, context)?;
    run_map::<I, O, R>(k, payload, |item| f(&ctx, item))
}

/// Slice mode: decode one value (a typed array) and hand it to `f` whole.
pub fn run_slice<I, O, R>(
    k: &KernelInfo,
    payload: &[u8],
    f: impl FnOnce(I) -> R,
) -> Result<Vec<u8>, Failure>
where
    I: DeserializeOwned,
    O: Serialize,
    R: KernelOutput<O>,
{
    let LenientDe(input): LenientDe<I> =
        ciborium::de::from_reader(payload).map_err(|e| decode_failure(k, None, cbor_error(e)))?;
    let out = f(input)
        .into_result()
        .map_err(|m| Failure::new(ErrorKind::Kernel, k.name, m))?;
    let mut body = Vec::new();
    encode_into(k, None, &out, &mut body)?;
    Ok(body)
}

/// Slice mode, raw path (`slice.rs`), typed output: the chunk's bytes go straight into the
/// `Vec<T>` the kernel reads, and the `Vec<U>` it returns is kept for JS to copy out.
pub fn run_slice_raw<T: Element, U: Element>(
    k: &KernelInfo,
    data: &dyn SliceInput,
    array: &str,
    f: impl FnOnce(&[T]) -> Result<Vec<U>, String>,
) -> Result<SliceOut, Failure> {
    Ok(SliceOut::Raw(Box::new(slice_call(k, data, array, f)?)))
}

/// Slice mode, raw path, any other output: encoded as CBOR into the response's body.
pub fn run_slice_raw_cbor<T: Element, O: Serialize>(
    k: &KernelInfo,
    data: &dyn SliceInput,
    array: &str,
    f: impl FnOnce(&[T]) -> Result<O, String>,
) -> Result<SliceOut, Failure> {
    let out = slice_call(k, data, array, f)?;
    let mut body = Vec::new();
    encode_into(k, None, &out, &mut body)?;
    Ok(SliceOut::Cbor(body))
}

/// Reads a slice chunk and calls the kernel on it; its `Err` is a `Kernel` failure.
fn slice_call<T: Element, O>(
    k: &KernelInfo,
    data: &dyn SliceInput,
    array: &str,
    f: impl FnOnce(&[T]) -> Result<O, String>,
) -> Result<O, Failure> {
    let input = crate::slice::read::<T>(data, array, k.name, k.input_ts)?;
    f(&input).map_err(|m| Failure::new(ErrorKind::Kernel, k.name, m))
}

/// Reduce mode: fold the chunk's items left to right with `f`; an empty chunk encodes
/// `null`.
pub fn run_reduce<A, R>(
    k: &KernelInfo,
    payload: &[u8],
    f: impl Fn(A, A) -> R,
) -> Result<Vec<u8>, Failure>
where
    A: DeserializeOwned + Serialize,
    R: KernelOutput<A>,
{
    let items: Vec<A> = decode_items(k, payload)?;
    let mut acc: Option<A> = None;
    for (i, item) in items.into_iter().enumerate() {
        acc = Some(match acc {
            None => item,
            Some(a) => f(a, item)
                .into_result()
                .map_err(|m| kernel_failure(k, i, m))?,
        });
    }
    let mut body = Vec::new();
    encode_into(k, None, &acc, &mut body)?;
    Ok(body)
}

fn kernel_failure(k: &KernelInfo, index: usize, message: String) -> Failure {
    let mut f = Failure::new(ErrorKind::Kernel, k.name, message);
    f.index = Some(index as u32);
    f
}

thread_local!(static READ_BY_RUST: Cell<bool> = const { Cell::new(false) });

/// Runs `f` (a pipe chunk's stages) with integer outputs unchecked: a pipe's bodies are
/// read by the Rust caller, never decoded as JS numbers, so a `u64` keeps all its bits.
pub(crate) fn read_by_rust<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            READ_BY_RUST.set(self.0);
        }
    }
    let _reset = Reset(READ_BY_RUST.replace(true));
    f()
}

/// Appends `value`'s CBOR to `out`, its integers written for who reads it: a Rust caller
/// (exact, plain ciborium) or TypeScript (as the kernel declared: numbers or BigInts, see
/// `js_int.rs`). A failing `Serialize` impl is an `Encode` failure, and so is an integer a
/// JavaScript number would not hold exactly (beyond ±(2^53 - 1)) in a kernel of numbers.
fn encode_into<T: Serialize>(
    k: &KernelInfo,
    index: Option<usize>,
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let written = if READ_BY_RUST.get() {
        ciborium::ser::into_writer(value, out).map_err(ser_error)
    } else {
        crate::js_int::encode(value, k.ints, out)
    };
    written.map_err(|why| {
        let mut f = Failure::new(
            ErrorKind::Encode,
            k.name,
            format!("the output ({}) does not encode: {why}", k.output_ts),
        );
        f.index = index.map(|i| i as u32);
        f
    })
}

fn decode_failure(k: &KernelInfo, index: Option<usize>, why: String) -> Failure {
    let mut f = Failure::new(
        ErrorKind::Decode,
        k.name,
        format!(
            "does not decode as {} (TypeScript: {}): {why}",
            k.input_rust, k.input_ts
        ),
    );
    f.expected = Some(k.input_ts.to_owned());
    f.index = index.map(|i| i as u32);
    f
}

/// Decodes a CBOR array item by item so a bad item is reported with its index.
fn decode_items<I: DeserializeOwned>(k: &KernelInfo, payload: &[u8]) -> Result<Vec<I>, Failure> {
    // Why a thread-local: ciborium offers no `DeserializeSeed` entry point, so the
    // visitor leaves the index it was decoding where the caller can read it.
    thread_local!(static DECODING: Cell<Option<usize>> = const { Cell::new(None) });

    // Why a thread-local too: `Deserialize` takes no arguments, and the visitor bounds
    // what it reserves by the payload's size (every item takes at least one byte).
    thread_local!(static PAYLOAD_BYTES: Cell<usize> = const { Cell::new(0) });

    struct Items<I>(Vec<I>);
    struct ItemsVisitor<I>(PhantomData<I>);

    impl<'de, I: DeserializeOwned> Deserialize<'de> for Items<I> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_seq(ItemsVisitor(PhantomData)).map(Items)
        }
    }

    impl<'de, I: DeserializeOwned> Visitor<'de> for ItemsVisitor<I> {
        type Value = Vec<I>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of items")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<I>, A::Error> {
            let declared = seq.size_hint().map(|n| n.min(PAYLOAD_BYTES.get()));
            let mut out = Vec::with_capacity(cautious(declared));
            loop {
                DECODING.set(Some(out.len()));
                match seq.next_element::<I>()? {
                    Some(x) => out.push(x),
                    None => break,
                }
            }
            DECODING.set(None);
            Ok(out)
        }
    }

    DECODING.set(None);
    PAYLOAD_BYTES.set(payload.len());
    ciborium::de::from_reader::<LenientDe<Items<I>>, _>(payload)
        .map(|items| items.0 .0)
        .map_err(|e| decode_failure(k, DECODING.get(), cbor_error(e)))
}

/// What `par_fn!(f)` names: implemented by `#[kernel]` for the hidden struct `f` of a map,
/// context, reduce or slice kernel, with the typed handle the adaptors take.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used in a parallel iterator",
    label = "not a map, context, reduce or slice `#[kernel]`",
    note = "`par_fn!` takes a fn marked `#[wasm_pmap::kernel]`, `#[kernel(context)]`, `#[kernel(reduce)]` or `#[kernel(slice)]`",
    note = "a `#[kernel(job)]` is run with `execute_async(sync_fn!(job), &input)`"
)]
pub trait ParFn {
    type Handle;
    const PAR_FN: Self::Handle;
}

/// What `sync_fn!(f)` names: implemented by `#[kernel(job)]` for the hidden struct `f`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `#[kernel(job)]`",
    label = "`sync_fn!` takes a job",
    note = "only a `#[wasm_pmap::kernel(job)]` runs in the SyncExecutor (`execute_async`); map kernels run with `par_fn!` in a parallel iterator"
)]
pub trait SyncFn {
    type Handle;
    const SYNC_FN: Self::Handle;
}
