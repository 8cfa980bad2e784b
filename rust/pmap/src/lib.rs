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
//! // Registered at compile time: TypeScript calls it by its camelCase name
//! // (`pool.map("norm", points)`), Rust through its handle `par_fn!(norm)`. Here on the
//! // calling thread (`LocalHost`), as a host-side `cargo test` runs parallel iterators:
//! use std::rc::Rc;
//! use wasm_pmap::par::host::{block_on, set_host, LocalHost};
//! use wasm_pmap::prelude::*;
//!
//! set_host(Some(Rc::new(LocalHost)));
//! let points = vec![Point { x: 3.0, y: 4.0 }];
//! let norms = block_on(points.into_par_iter().map(par_fn!(norm)).try_collect_vec());
//! assert_eq!(norms, Ok(vec![5.0]));
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
//! The public surface is what this page lists: the [`kernel`], [`par_fn`] and [`sync_fn`]
//! macros; the parallel-iterator traits, [`execute_async`] and [`current_num_workers`] (all
//! in [`prelude`] too); the errors [`PmapError`] and [`ErrorKind`]; [`par`] (the iterator
//! and kernel-handle types, and in [`par::host`] the host a test or an embedder installs);
//! [`par_mq`], wasm-par-mq's API on top of these, for programs ported from it. With the
//! `init` feature, `init` starts a pool from Rust (`init_pool_async`, `register_coordinator`,
//! …, also at the crate root), for apps with no TypeScript of their own.
//!
//! Inside, the private modules follow one chunk's journey through a worker: `entry.rs` (the
//! wasm exports the worker calls), `wire.rs` (the CBOR frames), `registry.rs` (kernels
//! registered by the macro, looked up by name), then the generated code's helpers
//! (`private.rs`, hidden as `__private`: decode → run → encode, with `typed.rs` numeric
//! vectors, `lenient.rs` number decoding, `js_int.rs` integer outputs JavaScript reads
//! exactly, as numbers or BigInts, and the `context.rs` cache). `error.rs` holds the one
//! table of error kinds.

#![warn(missing_docs)]

// Why: the code `#[kernel]` generates names `::wasm_pmap::…`, and the unit tests declare
// kernels inside this crate, where that path must resolve too.
#[cfg(test)]
extern crate self as wasm_pmap;
#[cfg(test)]
mod test_support;

// Private but for `init`, `par` and `par_mq` (documented namespaces of their own): the surface
// is what this file re-exports. The modules follow one chunk's journey (see the crate docs);
// their unit tests sit beside them (`src/<module>/tests.rs`).
mod context;
mod entry;
mod error;
#[cfg(feature = "init")]
pub mod init;
mod js_int;
mod lenient;
pub mod par;
pub mod par_mq;
mod registry;
mod slice;
mod slice_io;
mod typed;
mod wire;

pub use error::{ErrorKind, PmapError};
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

/// What the code `#[kernel]`, `register_fn!`, `par_fn!` and `sync_fn!` expand to names
/// (helpers, the registry's types, `inventory`, `wasm_bindgen`), and the wasm entry the fuzz
/// harness drives. Not a public API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
