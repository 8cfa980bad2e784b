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
//!     wasm_pmap::init_pool_async(None).await?; // this very module: no URLs to spell
//!     let squares = (0..1000u64).into_par_iter().map(par_fn!(square)).try_collect_vec().await?;
//!     Ok(squares.iter().sum())
//! }
//! ```
//!
//! The JavaScript half is the package's pool bundled into one file, `js/runtime.js`, which
//! wasm-bindgen copies next to the app's glue (`pkg/snippets/wasm-pmap-<hash>/js/`) as a
//! snippet. The pool's workers run that same file, importing the app's glue and getting the
//! app's compiled module, so every kernel the app registers runs in them. The app's own
//! `#[wasm_bindgen(start)]`, if it has one, runs in each worker too.
//!
//! Where the module comes from: by default the running one — `wasm_bindgen::module()` (the
//! compiled `WebAssembly.Module`, posted to the workers: nothing fetched or compiled again)
//! and the glue's own URL (`import.meta.url` read *in the glue*, where wasm-bindgen emits
//! the import). That needs `wasm-bindgen --target web` (or wasm-pack's `web` target; the
//! `bundler` and `nodejs` targets have no `wasm_bindgen::module()`, and wasm-bindgen refuses
//! to build an app that calls it). The `_at` functions take the URLs instead.
//!
//! Why the functions exist on every target but do something only on wasm32: a crate that
//! calls them still builds, and its host `cargo test` runs, where there is no browser (there
//! they fail with [`ErrorKind::PoolStart`]); and the snippet file is only needed by a wasm
//! build.

#[cfg(doc)]
use crate::error::ErrorKind;
use crate::error::PmapError; // the docs' links

/// Starts a pool of `num_workers` compute workers (default: `navigator.hardwareConcurrency`)
/// running this app's own module (the one running this code: see the module docs), and
/// makes it this thread's host: `par_iter()….try_collect_vec().await` then runs on it. A
/// second call replaces (terminates) the first pool.
///
/// Errors: [`ErrorKind::PoolStart`] naming what failed (a worker did not start or could not
/// load the glue).
pub async fn init_pool_async(num_workers: Option<u32>) -> Result<(), PmapError> {
    call(js::init_pool_async(num_workers, Source::Running)).await
}

/// [`init_pool_async`] with the module given by URL — `wasm_url` its `_bg.wasm`,
/// `bindgen_url` its wasm-bindgen glue, both relative to the page — e.g. another module than
/// the running one. Errors also when the wasm does not fetch or compile or a URL is not valid.
pub async fn init_pool_async_at(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    let at = Source::Urls(wasm_url, bindgen_url);
    call(js::init_pool_async(num_workers, at)).await
}

/// Registers the coordinator service worker sync mode blocks on, and waits until it is
/// active (main thread; before [`init_pool_sync`]). `None` registers the runtime file itself
/// (as a module service worker): its folder, the scope, holds the SyncExecutor's script,
/// which is that same file. `Some(url)`: a service worker of your own running the coordinator
/// (`setupCoordinator()` of the runtime snippet, or of `wasm-pmap/coordinator` from npm),
/// whose scope must contain `pkg/snippets/`.
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
pub async fn init_pool_sync(num_workers: Option<u32>) -> Result<(), PmapError> {
    call(js::init_pool_sync(num_workers, Source::Running)).await
}

/// [`init_pool_sync`] with the module given by URL (see [`init_pool_async_at`]).
pub async fn init_pool_sync_at(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    let at = Source::Urls(wasm_url, bindgen_url);
    call(js::init_pool_sync(num_workers, at)).await
}

/// Called inside a worker the app owns: makes *that* worker the SyncExecutor, so its Rust
/// calls `collect_vec_sync()` directly (no job, no round trip through the page), with
/// `num_workers` compute workers of its own, running the worker's own module.
///
/// Errors: [`ErrorKind::PoolStart`] naming what failed; [`ErrorKind::SyncMode`] when no
/// coordinator controls this worker on a page that is not cross-origin isolated.
pub async fn init_pool_sync_from_worker(num_workers: Option<u32>) -> Result<(), PmapError> {
    init_pool_sync_from_worker_with(num_workers, &SyncOptions::new()).await
}

/// [`init_pool_sync_from_worker`] with the module given by URL, relative to the worker's
/// script (see [`init_pool_async_at`]).
pub async fn init_pool_sync_from_worker_at(
    num_workers: Option<u32>,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), PmapError> {
    let opts = SyncOptions::new().module_urls(wasm_url, bindgen_url);
    init_pool_sync_from_worker_with(num_workers, &opts).await
}

/// Like [`init_pool_sync_from_worker`], with the options of the pool's sync mode: how long a
/// blocking call may wait ([`SyncOptions::call_timeout_ms`]), how long the start may take,
/// how the worker blocks, where the coordinator is, and the module's URLs if not the
/// running one.
///
/// ```ignore
/// use wasm_pmap::init::{init_pool_sync_from_worker_with, SyncOptions};
/// let opts = SyncOptions::new().call_timeout_ms(5_000);
/// init_pool_sync_from_worker_with(Some(2), &opts).await?;
/// // a collect_vec_sync() with no answer after 5 s is now Err(ErrorKind::Timeout)
/// ```
///
/// Errors: as [`init_pool_sync_from_worker`], and [`ErrorKind::PoolStart`] naming the option
/// when one is out of range (a timeout of 0).
pub async fn init_pool_sync_from_worker_with(
    num_workers: Option<u32>,
    options: &SyncOptions,
) -> Result<(), PmapError> {
    let at = match &options.module_urls {
        Some((wasm, glue)) => Source::Urls(wasm, glue),
        None => Source::Running,
    };
    #[cfg(target_arch = "wasm32")]
    let options = serde_wasm_bindgen::to_value(options).map_err(|e| {
        PmapError::new(
            crate::error::ErrorKind::PoolStart,
            None,
            format!("init_pool_sync_from_worker_with: the options could not be converted: {e}"),
        )
    })?;
    #[cfg(not(target_arch = "wasm32"))]
    let _ = options;
    call(js::init_pool_sync_from_worker(
        num_workers,
        at,
        #[cfg(target_arch = "wasm32")]
        options,
    ))
    .await
}

/// Where the pool's workers get the app's module.
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // no browser there: never read
enum Source<'a> {
    /// The module running this code, and its glue.
    Running,
    /// `(wasm_url, glue_url)`.
    Urls(&'a str, &'a str),
}

/// How a worker the app owns blocks in `collect_vec_sync()` (see [`SyncOptions::wait`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Wait {
    /// `Atomics` when the worker is cross-origin isolated, else `Xhr` (the default).
    #[default]
    Auto,
    /// A synchronous XHR answered by the coordinator service worker (works everywhere).
    Xhr,
    /// `Atomics.wait` on memory shared with the relay: cross-origin-isolated pages only; no
    /// service worker.
    Atomics,
}

/// The sync-mode options of a pool started by [`init_pool_sync_from_worker_with`] — the
/// `sync` options of the npm package's `initPoolSyncFromWorker`, under Rust names. Build it
/// with [`SyncOptions::new`] and the setters; what is left out keeps its default.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SyncOptions {
    /// A blocking call with no answer after this many ms fails with [`ErrorKind::Timeout`]
    /// (default: no limit). The timed-out call's chunks still run to the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_timeout_ms: Option<f64>,
    /// How long the relay and its compute workers may take to start (default 30 000 ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_timeout_ms: Option<f64>,
    /// How the worker blocks (default [`Wait::Auto`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// The coordinator service worker's scope (default: the worker script's folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The coordinator's path prefix inside the scope (default `__wasm_pmap__/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The module's `(wasm, glue)` URLs, relative to the worker's script (default: the
    /// running module). Not a sync-mode option: where the compute workers' module comes from.
    #[serde(skip)]
    pub module_urls: Option<(String, String)>,
}

impl SyncOptions {
    /// Every option at its default.
    pub fn new() -> Self {
        Self::default()
    }
    /// See [`SyncOptions::call_timeout_ms`](#structfield.call_timeout_ms).
    pub fn call_timeout_ms(mut self, ms: u32) -> Self {
        self.call_timeout_ms = Some(ms.into());
        self
    }
    /// See [`SyncOptions::start_timeout_ms`](#structfield.start_timeout_ms).
    pub fn start_timeout_ms(mut self, ms: u32) -> Self {
        self.start_timeout_ms = Some(ms.into());
        self
    }
    /// See [`SyncOptions::wait`](#structfield.wait).
    pub fn wait(mut self, wait: Wait) -> Self {
        self.wait = Some(wait);
        self
    }
    /// See [`SyncOptions::scope`](#structfield.scope).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
    /// See [`SyncOptions::prefix`](#structfield.prefix).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
    /// See [`SyncOptions::module_urls`](#structfield.module_urls).
    pub fn module_urls(mut self, wasm_url: impl Into<String>, glue_url: impl Into<String>) -> Self {
        self.module_urls = Some((wasm_url.into(), glue_url.into()));
        self
    }
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

/// The runtime's exports (ts/rust/init.ts), and where the module comes from. Why `catch`:
/// its promises reject with the pool's typed errors, which `from_js` reads by class name.
#[cfg(target_arch = "wasm32")]
mod js {
    use super::Source;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/runtime.js")]
    extern "C" {
        #[wasm_bindgen(catch, js_name = initPoolAsync)]
        async fn init_pool_async_js(
            n: Option<u32>,
            wasm: JsValue,
            glue: JsValue,
        ) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = registerCoordinator)]
        pub async fn register_coordinator(url: Option<&str>) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = initPoolSync)]
        async fn init_pool_sync_js(
            n: Option<u32>,
            wasm: JsValue,
            glue: JsValue,
        ) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_name = initPoolSyncFromWorker)]
        async fn init_pool_sync_from_worker_js(
            n: Option<u32>,
            wasm: JsValue,
            glue: JsValue,
            sync: JsValue,
        ) -> Result<JsValue, JsValue>;
    }

    #[wasm_bindgen]
    extern "C" {
        /// The glue's own URL. Why this reads the glue's and not the runtime's: wasm-bindgen
        /// writes an import without `module` into the glue itself.
        #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
        static GLUE_URL: JsValue;
    }

    /// The module for the workers (a compiled `WebAssembly.Module`, or a URL) and the glue's URL.
    fn resolve(at: Source) -> (JsValue, JsValue) {
        match at {
            Source::Running => (wasm_bindgen::module(), GLUE_URL.with(JsValue::clone)),
            Source::Urls(wasm, glue) => (wasm.into(), glue.into()),
        }
    }

    pub async fn init_pool_async(n: Option<u32>, at: Source<'_>) -> Result<JsValue, JsValue> {
        let (wasm, glue) = resolve(at);
        init_pool_async_js(n, wasm, glue).await
    }
    pub async fn init_pool_sync(n: Option<u32>, at: Source<'_>) -> Result<JsValue, JsValue> {
        let (wasm, glue) = resolve(at);
        init_pool_sync_js(n, wasm, glue).await
    }
    pub async fn init_pool_sync_from_worker(
        n: Option<u32>,
        at: Source<'_>,
        sync: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (wasm, glue) = resolve(at);
        init_pool_sync_from_worker_js(n, wasm, glue, sync).await
    }
}

/// Off wasm32 there is no browser: every function fails at once, typed.
#[cfg(not(target_arch = "wasm32"))]
mod js {
    use super::Source;
    use crate::error::{ErrorKind, PmapError};
    use std::convert::Infallible;

    fn unavailable(what: &str) -> Result<Infallible, PmapError> {
        Err(PmapError::new(
            ErrorKind::PoolStart,
            None,
            format!("wasm_pmap::{what} starts Web Workers: it only runs in a browser (wasm32)"),
        ))
    }
    pub fn init_pool_async(_: Option<u32>, _: Source) -> Result<Infallible, PmapError> {
        unavailable("init_pool_async")
    }
    pub fn register_coordinator(_: Option<&str>) -> Result<Infallible, PmapError> {
        unavailable("register_coordinator")
    }
    pub fn init_pool_sync(_: Option<u32>, _: Source) -> Result<Infallible, PmapError> {
        unavailable("init_pool_sync")
    }
    pub fn init_pool_sync_from_worker(_: Option<u32>, _: Source) -> Result<Infallible, PmapError> {
        unavailable("init_pool_sync_from_worker")
    }
}
