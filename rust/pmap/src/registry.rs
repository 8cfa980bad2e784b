//! The kernel registry: every `#[wasm_pmap::kernel]` submits one [`Kernel`] at compile
//! time (through `inventory`), and [`run`] finds it by name, decodes the chunk's items
//! into the kernel's Rust input type, runs it, and encodes the outputs.
//!
//! Why `inventory` and not one wasm export per kernel: a single `dispatch` export keeps
//! the worker's JS ignorant of kernels (it forwards bytes), the Rust side can look kernels
//! up by name (needed by `par_fn!`), and host `cargo test` sees the same registry. On
//! wasm32 the registrations are static constructors, run once by `dispatch.rs`.

use std::cell::Cell;
use std::fmt::Display;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde::Serialize;

use crate::error::{Failure, FailureKind};
use crate::lenient::LenientDe;
use crate::wire::{to_vec, Context, Mode};

/// How a kernel consumes a chunk. A kernel declared `reduce` also runs in map mode over
/// `[a, b]` pairs; a `slice` kernel only in slice mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Map,
    Slice,
    Reduce,
    /// `#[kernel(job)]`: runs in the SyncExecutor worker (map mode, one input), where it
    /// may block on `collect_vec_sync()`.
    Job,
}

/// One registered kernel. Built by the `#[kernel]` macro; not meant to be written by hand.
pub struct Kernel {
    pub info: &'static KernelInfo,
    pub kind: Kind,
    /// Runs a chunk: payload CBOR in (and the call's context, for `map_with` kernels),
    /// body CBOR out.
    pub run: fn(Mode, &[u8], Option<&Context>) -> Result<Vec<u8>, Failure>,
}

inventory::collect!(Kernel);

/// Looks a kernel up by its TypeScript name.
pub fn find(name: &str) -> Option<&'static Kernel> {
    inventory::iter::<Kernel>
        .into_iter()
        .find(|k| k.info.name == name)
}

/// All registered kernels, sorted by name.
pub fn all() -> Vec<&'static Kernel> {
    let mut v: Vec<&'static Kernel> = inventory::iter::<Kernel>.into_iter().collect();
    v.sort_by_key(|k| k.info.name);
    v
}

/// Names of all registered kernels, sorted.
pub fn names() -> Vec<String> {
    all().iter().map(|k| k.info.name.to_owned()).collect()
}

/// A kernel as the TypeScript pool sees it (see `__wasmPmapKernels`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KernelDesc {
    pub name: &'static str,
    pub kind: &'static str,
    pub input: &'static str,
    pub output: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<&'static str>,
}

pub fn describe(k: &Kernel) -> KernelDesc {
    let kind = match k.kind {
        Kind::Map => "map",
        Kind::Slice => "slice",
        Kind::Reduce => "reduce",
        Kind::Job => "job",
    };
    KernelDesc {
        name: k.info.name,
        kind,
        input: k.info.input_ts,
        output: k.info.output_ts,
        context: k.info.context_ts,
    }
}

/// Runs one chunk through the named kernel.
pub fn run(
    kernel: &str,
    mode: Mode,
    payload: &[u8],
    context: Option<&Context>,
) -> Result<Vec<u8>, Failure> {
    let Some(k) = find(kernel) else {
        let known = names();
        let mut f = Failure::new(
            FailureKind::UnknownKernel,
            kernel,
            format!(
                "no kernel named \"{kernel}\"; known kernels: {}",
                known.join(", ")
            ),
        );
        f.known = Some(known);
        return Err(f);
    };
    let allowed = match (k.kind, mode) {
        (Kind::Map | Kind::Job, Mode::Map) | (Kind::Slice, Mode::Slice) => true,
        (Kind::Reduce, Mode::Map | Mode::Reduce) => true,
        _ => false,
    };
    if !allowed {
        return Err(Failure::new(
            FailureKind::Frame,
            kernel,
            format!(
                "kernel \"{kernel}\" is a {:?} kernel and cannot run in {mode:?} mode",
                k.kind
            ),
        ));
    }
    (k.run)(mode, payload, context)
}

// ---- helpers the macro's generated `run` functions call ----

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
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        out.push(f(item).into_result().map_err(|m| kernel_failure(k, i, m))?);
    }
    Ok(to_vec(&out))
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
        .map_err(|m| Failure::new(FailureKind::Kernel, k.name, m))?;
    Ok(to_vec(&out))
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
    Ok(to_vec(&acc))
}

/// Static facts about a kernel, for lookups and error messages.
#[derive(Debug)]
pub struct KernelInfo {
    /// Name used from TypeScript (the Rust name in camelCase).
    pub name: &'static str,
    /// The input and output types as TypeScript and Rust spell them.
    pub input_ts: &'static str,
    pub output_ts: &'static str,
    pub input_rust: &'static str,
    /// The broadcast context type (TypeScript spelling) of a `#[kernel(context)]`.
    pub context_ts: Option<&'static str>,
}

fn kernel_failure(k: &KernelInfo, index: usize, message: String) -> Failure {
    let mut f = Failure::new(FailureKind::Kernel, k.name, message);
    f.index = Some(index as u32);
    f
}

pub(crate) fn decode_failure(k: &KernelInfo, index: Option<usize>, why: String) -> Failure {
    let mut f = Failure::new(
        FailureKind::Decode,
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
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
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
    ciborium::de::from_reader::<LenientDe<Items<I>>, _>(payload)
        .map(|items| items.0 .0)
        .map_err(|e| decode_failure(k, DECODING.get(), cbor_error(e)))
}

/// ciborium's errors only implement `Debug`; keep the human part.
pub(crate) fn cbor_error(e: ciborium::de::Error<std::io::Error>) -> String {
    match e {
        ciborium::de::Error::Semantic(_, m) => m,
        ciborium::de::Error::Syntax(at) => format!("malformed CBOR at byte {at}"),
        ciborium::de::Error::Io(e) => format!("truncated CBOR ({e})"),
        ciborium::de::Error::RecursionLimitExceeded => "CBOR nested too deeply".into(),
    }
}
