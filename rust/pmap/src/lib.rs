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
//! not match the items is a compile error (pinned with the macro's other errors in
//! `tests/compile_fail.rs`):
//!
//! ```
//! use wasm_pmap::prelude::*;
//! #[wasm_pmap::kernel]
//! fn triple(x: u32) -> u32 { x * 3 }
//! let _ = vec![1u32].into_par_iter().map(par_fn!(triple)); // lazy: nothing runs yet
//! ```
//!
//! Crate layout follows one chunk's journey through a worker: [`entry`] (the wasm export
//! the worker calls), [`wire`] (the CBOR frames), [`registry`] (kernels registered by the
//! macro, looked up by name), then the generated code's helpers (`__private`: decode →
//! run → encode, with [`typed`] numeric vectors, [`lenient`] number decoding, [`js_int`]
//! integer outputs JavaScript reads exactly, as numbers or BigInts, and the [`context`] cache). [`error`] holds the one table of error kinds.
//! [`par_mq`] is wasm-par-mq's API on top of these, for programs ported from it.
//! With the `init` feature, `init` starts a pool from Rust (`init_pool_async`, …) for apps
//! with no TypeScript of their own.

#![warn(missing_docs)]

// Why: the code `#[kernel]` generates names `::wasm_pmap::…`, and the unit tests declare
// kernels inside this crate, where that path must resolve too.
#[cfg(test)]
extern crate self as wasm_pmap;
#[cfg(test)]
mod test_support;

pub mod context;
pub mod entry;
pub mod error;
#[cfg(feature = "init")]
pub mod init;
pub mod js_int;
pub mod lenient;
pub mod par;
pub mod par_mq;
pub mod registry;
pub mod slice;
mod slice_io;
pub mod typed;
pub mod wire;

pub use error::{ErrorKind, Failure, PmapError};
#[cfg(feature = "init")]
pub use init::{
    init_pool_async, init_pool_async_at, init_pool_sync, init_pool_sync_at,
    init_pool_sync_from_worker, init_pool_sync_from_worker_at, init_pool_sync_from_worker_with,
    register_coordinator, SyncOptions, Wait,
};
pub use par::{
    current_num_workers, execute_async, IndexedParallelIterator, IntoParallelIterator,
    ParallelIterator, ParallelSlice,
};
pub use wasm_pmap_macros::{kernel, par_fn, sync_fn};

/// `use wasm_pmap::prelude::*;` brings the parallel-iterator traits and macros in scope.
pub mod prelude {
    pub use crate::par::{
        current_num_workers, execute_async, IndexedParallelIterator, IntoParallelIterator,
        ParallelIterator, ParallelSlice,
    };
    pub use crate::{kernel, par_fn, sync_fn, PmapError};
}

/// What the code `#[kernel]` expands to calls (helpers, `inventory`, `wasm_bindgen`).
/// Not a public API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
