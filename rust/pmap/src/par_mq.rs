//! wasm-par-mq's API, on wasm-pmap: a program written for
//! [wasm-par-mq](https://crates.io/crates/wasm-par-mq) ports by its `Cargo.toml` and its `use`
//! lines. Swap the dependency for `wasm-pmap` (feature `init`), then
//!
//! ```ignore
//! use wasm_pmap::par_mq as wasm_par_mq; // once, at the crate root
//! use wasm_par_mq::{execute_async, par_fn, register_fn, sync_fn, ParallelIterator, ParallelSlice};
//! ```
//!
//! and the rest of the program stays as it was:
//!
//! ```
//! use wasm_pmap::par_mq::{par_fn, register_fn, ParallelIterator, ParallelSlice};
//!
//! fn double(x: u32) -> u32 { x * 2 }
//! register_fn!(double, u32, u32);
//!
//! async fn run(data: Vec<u32>) -> Vec<u32> {
//!     data.par_iter().map(par_fn!(double)).collect_vec().await
//! }
//! ```
//!
//! What differs (README "Coming from wasm-par-mq" has the whole table):
//! - `register_fn!` registers the fn as `#[wasm_pmap::kernel]` does, under its camelCase
//!   name, and as both a map function and a job (as wasm-par-mq does): `par_fn!(f)` and
//!   `sync_fn!(f)` both name it. Integers travel exactly at full range between Rust threads.
//! - `collect_vec().await` has no error path in wasm-par-mq; here an error (a kernel that
//!   panicked, a worker that crashed, no pool) is printed with `console.error` and then
//!   panics, naming the kernel. `try_collect_vec().await` returns it as a `PmapError` instead.
//! - The functions that return `Result<_, String>` in wasm-par-mq do here too; the string is
//!   the `PmapError`'s `Display` (its class, kernel and message). The native API
//!   (`wasm_pmap::init_pool_async`, …, [`crate::par`]) returns the typed `PmapError`.
//! - The coordinator service worker: `register_coordinator(url)` registers `url` as a module
//!   service worker, which must call the `setupCoordinator()` of wasm-pmap's runtime (the
//!   wasm-bindgen snippet `pkg/snippets/wasm-pmap-*/js/runtime.js`, or
//!   `wasm-pmap/coordinator` from npm) — wasm-par-mq's `coordinator.js` is the same step.
//!   Its scope must contain `pkg/snippets/`.
//! - No `start_worker()`: the runtime starts its workers from its own file.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::par::{FilterKernel, JobFn, MapKernel, Par, Unindexed};
use crate::PmapError;

pub use crate::par::{IntoParallelIterator, ParallelSlice};
pub use wasm_pmap_macros::{par_fn, register_fn, sync_fn};

/// wasm-par-mq's `ParallelIterator`: `map`, `filter` and the `collect_vec` terminals, for
/// every wasm-pmap parallel iterator. Import this one *or*
/// [`crate::par::ParallelIterator`], not both: their `map`s would be ambiguous.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait ParallelIterator: crate::par::ParallelIterator {
    /// Applies a registered function to every item in a worker.
    fn map<K: MapKernel<Self::Item>>(self, f: K) -> Par<K::Output, K::Wire, Self::Ix> {
        crate::par::ParallelIterator::map(self, f)
    }

    /// Keeps the items for which a registered `fn(T) -> bool` returns true.
    fn filter<K: FilterKernel<Self::Item>>(
        self,
        predicate: K,
    ) -> Par<Self::Item, Self::Wire, Unindexed> {
        crate::par::ParallelIterator::filter(self, predicate)
    }

    /// The outputs in input order. An error is printed (`console.error`) and panics, naming
    /// the kernel; [`try_collect_vec`](Self::try_collect_vec) returns it instead.
    async fn collect_vec(self) -> Vec<Self::Item> {
        match crate::par::ParallelIterator::try_collect_vec(self).await {
            Ok(v) => v,
            Err(e) => fail(&e),
        }
    }

    /// The outputs in input order, or the first error.
    async fn try_collect_vec(self) -> Result<Vec<Self::Item>, PmapError> {
        crate::par::ParallelIterator::try_collect_vec(self).await
    }

    /// Blocking `collect_vec`, inside the SyncExecutor (a job run by [`execute_async`], or a
    /// worker that called `init_pool_sync_from_worker`). An error is thrown to the
    /// JavaScript caller, as wasm-pmap's `collect_vec_sync` does.
    fn collect_vec_sync(self) -> Vec<Self::Item> {
        crate::par::ParallelIterator::collect_vec_sync(self)
    }

    /// `collect_vec_sync`, returning the error.
    fn try_collect_vec_sync(self) -> Result<Vec<Self::Item>, PmapError> {
        crate::par::ParallelIterator::try_collect_vec_sync(self)
    }
}

impl<P: crate::par::ParallelIterator> ParallelIterator for P {}

/// Why print before panicking: without a panic hook, a panic in wasm says only
/// "unreachable"; the error's kind, kernel and message should reach the console either way.
fn fail(e: &PmapError) -> ! {
    let message = format!(
        "wasm_pmap::par_mq: collect_vec().await failed: {e} (try_collect_vec().await returns the error instead of panicking)"
    );
    #[cfg(target_arch = "wasm32")]
    console_error(&message);
    panic!("{message}")
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs a registered function in the SyncExecutor worker, where it may block on
/// `collect_vec_sync()`; its output, or the error as text.
pub async fn execute_async<I: Serialize, O, W: DeserializeOwned + Into<O>>(
    job: JobFn<I, O, W>,
    input: &I,
) -> Result<O, String> {
    crate::par::execute_async(job, input)
        .await
        .map_err(|e| e.to_string())
}

/// The compute workers parallel iterators run on now (wasm-pmap's
/// [`crate::par::current_num_workers`], as a `u32`).
pub fn num_workers() -> u32 {
    u32::try_from(crate::par::current_num_workers()).unwrap_or(u32::MAX)
}

/// Starts the pool (async mode): `num_workers` (default `navigator.hardwareConcurrency`)
/// workers running the app's wasm (`wasm_url`) and wasm-bindgen glue (`bindgen_url`),
/// both relative to the page. See [`crate::init::init_pool_async`].
#[cfg(feature = "init")]
pub async fn init_pool_async(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), String> {
    text(crate::init::init_pool_async_at(num_workers, wasm_url, bindgen_url).await)
}

/// Registers the coordinator service worker at `coordinator_url` (main thread, before
/// [`init_pool_sync`]); it must run the runtime's `setupCoordinator()`. See
/// [`crate::init::register_coordinator`], whose `None` needs no file of your own.
#[cfg(feature = "init")]
pub async fn register_coordinator(coordinator_url: &str) -> Result<(), String> {
    text(crate::init::register_coordinator(Some(coordinator_url)).await)
}

/// Starts the pool in sync mode, with a SyncExecutor worker for [`execute_async`]. See
/// [`crate::init::init_pool_sync`].
#[cfg(feature = "init")]
pub async fn init_pool_sync(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), String> {
    text(crate::init::init_pool_sync_at(num_workers, wasm_url, bindgen_url).await)
}

/// Makes the calling worker (one the app owns) the SyncExecutor: its Rust calls
/// `collect_vec_sync()` directly. See [`crate::init::init_pool_sync_from_worker`].
#[cfg(feature = "init")]
pub async fn init_pool_sync_from_worker(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), String> {
    text(crate::init::init_pool_sync_from_worker_at(num_workers, wasm_url, bindgen_url).await)
}

#[cfg(feature = "init")]
fn text(r: Result<(), PmapError>) -> Result<(), String> {
    r.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests;
