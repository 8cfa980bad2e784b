//! `#[wasm_pmap::kernel]`: registers a function as a parallel kernel at compile time and
//! declares its TypeScript types. Use it through the `wasm-pmap` crate.
//!
//! ```ignore
//! /// Doubles a number.
//! #[wasm_pmap::kernel]
//! fn double(x: u32) -> u32 { x * 2 }
//!
//! #[wasm_pmap::kernel(slice)]      // gets a whole chunk of a Float64Array
//! fn sqrt_f64(xs: &[f64]) -> Vec<f64> { xs.iter().map(|x| x.sqrt()).collect() }
//!
//! #[wasm_pmap::kernel(reduce)]     // associative: partials folded in workers, then on the main thread
//! fn add_f64(a: f64, b: f64) -> f64 { a + b }
//! ```
//!
//! Expands to the function itself, plus: a `KernelInfo` static and a `run` function that
//! decodes a chunk into the argument types, calls the function and encodes the outputs;
//! an `inventory::submit!` of both; a hidden struct of the fn's name carrying the typed
//! handle `par_fn!` / `sync_fn!` name; and a `typescript_custom_section` adding a member
//! to the `Kernels` interface (TypeScript merges every kernel's declaration into one).
//! Several arguments become one tuple item (`[a, b]` in TS). `-> Result<T, E>` reports
//! `Err(e)` as a `KernelError` carrying `e.to_string()`.
//!
//! Like serde_derive, the attribute works in three steps: `parse.rs` reads the attribute
//! and the fn, `check.rs` raises every error a user can hit (each pinned by a trybuild test
//! in `rust/pmap/tests/ui/`), `gen.rs` writes the code (`ts_decl.rs` its TypeScript declaration); `ts_type.rs` spells Rust types the
//! way TypeScript sees them on the wire.

mod check;
mod gen;
mod parse;
mod ts_decl;
mod ts_type;

use proc_macro::TokenStream;
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::{parse_macro_input, ItemFn};

/// Registers a function as a parallel kernel; see the crate docs.
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    let expanded = parse::kernel(attr.into(), func).and_then(|k| {
        let shape = check::kernel(&k)?;
        Ok(gen::kernel(&k, &shape))
    });
    match expanded {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `register_fn!(f, In, Out)`: wasm-par-mq's way to register an existing `fn f(In) -> Out`
/// (re-exported as `wasm_pmap::par_mq::register_fn`). The same registration as
/// `#[kernel]` on `f` — `f` keeps its own definition — and `f` is both a map kernel
/// (`par_fn!(f)`) and a job (`sync_fn!(f)`), as in wasm-par-mq. Write it where `f` is in
/// scope, once per fn.
#[proc_macro]
pub fn register_fn(input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(input as parse::Registered);
    let k = parse::registered(args);
    match check::kernel(&k) {
        Ok(shape) => gen::registered(&k, &shape).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `par_fn!(path::to::kernel)`: the typed handle `#[kernel]` made for that function, for
/// parallel-iterator adaptors (`.map(par_fn!(double))`). A type mismatch between the
/// iterator's items and the kernel's input is a compile error, and so is a slice kernel or
/// a job. A fn without `#[kernel]` has no handle at all: rustc then says "expected type,
/// found function" (the handle lives in the type namespace, next to the fn).
#[proc_macro]
pub fn par_fn(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as syn::Path);
    quote_spanned!(path.span()=> <#path as ::wasm_pmap::__private::ParFn>::PAR_FN).into()
}

/// `sync_fn!(path::to::job)`: the handle of a `#[kernel(job)]`, for `execute_async`.
#[proc_macro]
pub fn sync_fn(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as syn::Path);
    quote_spanned!(path.span()=> <#path as ::wasm_pmap::__private::SyncFn>::SYNC_FN).into()
}
