//! # wasm-pmap runtime
//!
//! Rust side of [wasm-pmap](https://www.npmjs.com/package/wasm-pmap): mark a function with
//! [`kernel`] and the TypeScript pool can run it in parallel over Web Workers, without
//! `SharedArrayBuffer` or COOP/COEP headers.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! pub struct Point { pub x: f64, pub y: f64 }
//!
//! /// Distance from the origin.
//! #[wasm_pmap::kernel]
//! pub fn norm(p: Point) -> f64 { (p.x * p.x + p.y * p.y).sqrt() }
//!
//! // Registered at compile time, callable by its camelCase name:
//! assert!(wasm_pmap::registry::find("norm").is_some());
//! ```
//!
//! Parallel iterators ([`par`]) run registered kernels from Rust; a kernel whose input does
//! not match the items is a compile error:
//!
//! ```compile_fail
//! use wasm_pmap::prelude::*;
//! #[wasm_pmap::kernel]
//! fn triple(x: u32) -> u32 { x * 3 }
//! // f64 items, u32 kernel: does not compile.
//! let _ = vec![1.5f64].into_par_iter().map(par_fn!(triple));
//! ```
//! ```
//! use wasm_pmap::prelude::*;
//! #[wasm_pmap::kernel]
//! fn triple(x: u32) -> u32 { x * 3 }
//! let _ = vec![1u32].into_par_iter().map(par_fn!(triple)); // lazy: nothing runs yet
//! ```
//!
//! Crate layout follows one item's journey: [`wire`] (the CBOR frames), [`registry`]
//! (kernels registered by the macro, decode → run → encode), [`typed`] (numeric vectors
//! as CBOR byte strings), [`dispatch`] (the one wasm export a worker calls).

pub mod context;
pub mod dispatch;
pub mod error;
pub mod lenient;
pub mod par;
pub mod registry;
pub mod typed;
pub mod wire;

pub use error::{ErrorKind, Failure, FailureKind, PmapError};
pub use par::{
    execute_async, IndexedParallelIterator, IntoParallelIterator, ParallelIterator, ParallelSlice,
};
pub use wasm_pmap_macros::{kernel, par_fn, sync_fn};

/// `use wasm_pmap::prelude::*;` brings the parallel-iterator traits and macros in scope.
pub mod prelude {
    pub use crate::par::{
        execute_async, IndexedParallelIterator, IntoParallelIterator, ParallelIterator,
        ParallelSlice,
    };
    pub use crate::{kernel, par_fn, sync_fn, PmapError};
}

/// Re-exports used by the code `#[kernel]` expands to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use wasm_bindgen;
}
