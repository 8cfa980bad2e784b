//! Starting a pool from Rust, for apps whose JavaScript is only `await init(); await run();`
//! (Yew, Leptos, a plain `#[wasm_bindgen] async fn run()`), built with `cargo build --target
//! wasm32-unknown-unknown` and `wasm-bindgen --target web`, with nothing installed from npm.
//! Needs the `init` feature.
//!
//! ```ignore
//! use wasm_bindgen::prelude::*;
//! use wasm_pmap::prelude::*;
//!
//! #[wasm_pmap::kernel]
//! fn square(x: u64) -> u64 { x * x }
//!
//! #[wasm_bindgen]
//! pub async fn run() -> Result<u64, JsValue> {
//!     wasm_pmap::init_pool_async(None, "./pkg/app_bg.wasm", "./pkg/app.js").await?;
//!     let squares = (0..1000u64).into_par_iter().map(par_fn!(square)).try_collect_vec().await?;
//!     Ok(squares.iter().sum())
//! }
//! ```
//!
//! The JavaScript half is the package's pool bundled into one file, `js/runtime.js`, which
//! wasm-bindgen copies next to the app's glue (`pkg/snippets/wasm-pmap-<hash>/js/`) as a
//! snippet. The pool's workers run that same file, importing the app's glue and wasm (the
//! URLs given here, resolved against the page), so every kernel the app registers runs in
//! them. The app's own `#[wasm_bindgen(start)]`, if it has one, runs in each worker too.
//!
//! Why the functions exist on every target but do something only on wasm32: a crate that
//! calls them still builds, and its host `cargo test` runs, where there is no browser (there
//! they fail with [`ErrorKind::PoolStart`]); and the snippet file is only needed by a wasm
//! build.

#[cfg(doc)]
use crate::error::ErrorKind;
use crate::error::PmapError; // the docs' links

/// Starts a pool of `num_workers` compute workers (default: `navigator.hardwareConcurrency`)
/// running this app's wasm module — `wasm_url` its `_bg.wasm`, `bindgen_url` its wasm-bindgen
/// glue, both relative to the page — and makes it this thread's host: `par_iter()…
/// .try_collect_vec().await` then runs on it. A second call replaces (terminates) the first
/// pool.
///
/// Errors: [`ErrorKind::PoolStart`] naming what failed (the wasm did not fetch or compile, a
/// URL is not valid, a worker did not start or could not load the glue).
pub async fn init_pool_async(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    call(js::init_pool_async(num_workers, wasm_url, bindgen_url)).await
}

/// Registers the coordinator service worker sync mode blocks on, and waits until it is
/// active (main thread; before [`init_pool_sync`]). `None` registers the runtime file itself
/// (as a module service worker): its folder, the scope, holds the SyncExecutor's script,
/// which is that same file. `Some(url)`: a service worker of your own running the coordinator
/// (`setupCoordinator(self)` from the npm package), whose scope must contain
/// `pkg/snippets/`.
///
/// Errors: [`ErrorKind::PoolStart`] when the page has no service workers (not a secure
/// context) or `url` is not valid, or the service worker failed to install or did not
/// activate within 10 s.
pub async fn register_coordinator(url: Option<&str>) -> Result<(), PmapError> {
    call(js::register_coordinator(url)).await
}

/// Like [`init_pool_async`], plus sync mode: a SyncExecutor worker where `#[kernel(job)]`
/// functions run — `execute_async(sync_fn!(job), &input).await` from this thread — and may
/// block on `collect_vec_sync()`. Needs the coordinator ([`register_coordinator`]).
///
/// Errors: as [`init_pool_async`], and [`ErrorKind::SyncMode`] when no coordinator covers
/// the runtime file.
pub async fn init_pool_sync(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    call(js::init_pool_sync(num_workers, wasm_url, bindgen_url)).await
}

/// Called inside a worker the app owns: makes *that* worker the SyncExecutor, so its Rust
/// calls `collect_vec_sync()` directly (no job, no round trip through the page), with
/// `num_workers` compute workers of its own.
///
/// Errors: [`ErrorKind::SyncMode`] when the runtime has no such support in this build.
pub async fn init_pool_sync_from_worker(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    call(js::init_pool_sync_from_worker(
        num_workers,
        wasm_url,
        bindgen_url,
    ))
    .await
}

#[cfg(target_arch = "wasm32")]
async fn call(
    f: impl std::future::Future<Output = Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>>,
) -> Result<(), PmapError> {
    f.await.map(drop).map_err(crate::par::host::js::from_js)
}

#[cfg(not(target_arch = "wasm32"))]
async fn call(r: Result<std::convert::Infallible, PmapError>) -> Result<(), PmapError> {
    r.map(|never| match never {})
}

/// The runtime's exports (ts/rust/init.ts). Why `catch`: its promises reject with the pool's
/// typed errors, which `from_js` reads by class name.
#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/runtime.js")]
    extern "C" {
        #[wasm_bindgen(catch, js_name = initPoolAsync)]
        pub async fn init_pool_async(
            n: Option<u32>,
            wasm: &str,
            glue: &str,
        ) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = registerCoordinator)]
        pub async fn register_coordinator(url: Option<&str>) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = initPoolSync)]
        pub async fn init_pool_sync(
            n: Option<u32>,
            wasm: &str,
            glue: &str,
        ) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = initPoolSyncFromWorker)]
        pub async fn init_pool_sync_from_worker(
            n: Option<u32>,
            wasm: &str,
            glue: &str,
        ) -> Result<JsValue, JsValue>;
    }
}

/// Off wasm32 there is no browser: every function fails at once, typed.
#[cfg(not(target_arch = "wasm32"))]
mod js {
    use crate::error::{ErrorKind, PmapError};
    use std::convert::Infallible;

    fn unavailable(what: &str) -> Result<Infallible, PmapError> {
        Err(PmapError::new(
            ErrorKind::PoolStart,
            None,
            format!("wasm_pmap::{what} starts Web Workers: it only runs in a browser (wasm32)"),
        ))
    }
    pub fn init_pool_async(_: Option<u32>, _: &str, _: &str) -> Result<Infallible, PmapError> {
        unavailable("init_pool_async")
    }
    pub fn register_coordinator(_: Option<&str>) -> Result<Infallible, PmapError> {
        unavailable("register_coordinator")
    }
    pub fn init_pool_sync(_: Option<u32>, _: &str, _: &str) -> Result<Infallible, PmapError> {
        unavailable("init_pool_sync")
    }
    pub fn init_pool_sync_from_worker(
        _: Option<u32>,
        _: &str,
        _: &str,
    ) -> Result<Infallible, PmapError> {
        unavailable("init_pool_sync_from_worker")
    }
}
