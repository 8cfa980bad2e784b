//! The kernel registry: every `#[wasm_pmap::kernel]` submits one [`Kernel`] at compile
//! time (through `inventory`), and [`run`] finds it by name and hands it the chunk (the
//! kernel's generated `run` decodes, calls and encodes; see `private.rs`).
//!
//! Why `inventory` and not one wasm export per kernel: a single `__wasmPmapRun` export
//! keeps the worker's JS ignorant of kernels (it forwards bytes), the Rust side can look
//! kernels up by name (needed by `par_fn!`), and host `cargo test` sees the same registry.
//! On wasm32 the registrations are static constructors, run once by `entry.rs`.

use crate::error::{ErrorKind, Failure};
use crate::wire::{Context, Mode};

/// How a kernel consumes a chunk. A kernel declared `reduce` also runs in map mode over
/// `[a, b]` pairs; a `slice` kernel only in slice mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `#[kernel]`: one input item → one output item.
    Map,
    /// `#[kernel(slice)]`: a whole typed-array chunk as one `&[T]`.
    Slice,
    /// `#[kernel(reduce)]`: an associative `fn(A, A) -> A`.
    Reduce,
    /// `#[kernel(job)]`: runs in the SyncExecutor worker (map mode, one input), where it
    /// may block on `collect_vec_sync()`.
    Job,
}

/// One registered kernel. Built by the `#[kernel]` macro; not meant to be written by hand.
pub struct Kernel {
    /// Name and types.
    pub info: &'static KernelInfo,
    /// How it consumes a chunk.
    pub kind: Kind,
    /// Runs a chunk: payload CBOR in (and the call's context, for `map_with` kernels),
    /// body CBOR out.
    pub run: RunFn,
    /// Slice kernels: runs a chunk of raw typed-array bytes (`slice.rs`); `None` otherwise.
    pub slice: Option<crate::slice_io::SliceFn>,
}

/// A kernel's generated chunk runner: mode, payload CBOR and (for `map_with` kernels) the
/// call's context in, body CBOR out.
pub type RunFn = fn(Mode, &[u8], Option<&Context>) -> Result<Vec<u8>, Failure>;

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
    /// The registered (TypeScript) name.
    pub name: &'static str,
    /// `"map"`, `"slice"`, `"reduce"` or `"job"`.
    pub kind: &'static str,
    /// Input type, TypeScript spelling.
    pub input: &'static str,
    /// Output type, TypeScript spelling.
    pub output: &'static str,
    /// Context type of a `#[kernel(context)]`, TypeScript spelling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<&'static str>,
}

/// The description of `k` the pool's kernel list carries.
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

/// Runs one chunk through the named kernel: an `UnknownKernel` failure if there is none,
/// a `Frame` failure if the kernel cannot run in `mode`.
pub fn run(
    kernel: &str,
    mode: Mode,
    payload: &[u8],
    context: Option<&Context>,
) -> Result<Vec<u8>, Failure> {
    let k = find_or_fail(kernel)?;
    let allowed = matches!(
        (k.kind, mode),
        (Kind::Map | Kind::Job, Mode::Map)
            | (Kind::Slice, Mode::Slice)
            | (Kind::Reduce, Mode::Map | Mode::Reduce)
    );
    if !allowed {
        return Err(Failure::new(
            ErrorKind::Frame,
            kernel,
            format!(
                "kernel \"{kernel}\" is a {:?} kernel and cannot run in {mode:?} mode",
                k.kind
            ),
        ));
    }
    (k.run)(mode, payload, context)
}

/// Looks a kernel up; an `UnknownKernel` failure listing the known ones if there is none.
pub fn find_or_fail(kernel: &str) -> Result<&'static Kernel, Failure> {
    find(kernel).ok_or_else(|| {
        let known = names();
        let mut f = Failure::new(
            ErrorKind::UnknownKernel,
            kernel,
            format!(
                "no kernel named \"{kernel}\"; known kernels: {}",
                known.join(", ")
            ),
        );
        f.known = Some(known);
        f
    })
}

/// Static facts about a kernel, for lookups and error messages.
#[derive(Debug)]
pub struct KernelInfo {
    /// Name used from TypeScript (the Rust name in camelCase).
    pub name: &'static str,
    /// The input type as TypeScript spells it (a chunk item; a tuple for several arguments).
    pub input_ts: &'static str,
    /// The output type as TypeScript spells it.
    pub output_ts: &'static str,
    /// The input type as Rust spells it, for decode errors.
    pub input_rust: &'static str,
    /// The broadcast context type (TypeScript spelling) of a `#[kernel(context)]`.
    pub context_ts: Option<&'static str>,
    /// How its 64/128-bit integers reach TypeScript (`#[kernel(large_number_types_as_bigints)]`).
    pub ints: crate::js_int::JsInts,
}

#[cfg(test)]
mod tests;
