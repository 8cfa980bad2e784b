//! Who runs a parallel iterator's chunks: the *host*, the TypeScript pool seen from Rust.
//!
//! On wasm32 the host is the object the TypeScript side puts at
//! `globalThis[Symbol.for("wasm-pmap.host")]`:
//!
//! ```text
//! { workers: number,                                        compute workers, for chunking
//!   run(label, payloads: Uint8Array[]): Promise<Uint8Array[]>      async: every thread with a pool handle
//!   runSync?(label, payloads): Uint8Array[]                        blocking: only in the SyncExecutor worker
//!   execute?(job, payload: Uint8Array): Promise<Uint8Array> }      run a #[kernel(job)] in the SyncExecutor
//!                                                                  (payload: a pipe of one map stage)
//! ```
//! `Pool.exposeToRust()` installs it on the main thread; the pool installs it in its
//! SyncExecutor worker (with `runSync`). Compute workers have none. Errors are the pool's
//! typed errors (`KernelError`, …), turned into [`PmapError`] by their class name.
//!
//! [`LocalHost`] runs everything on the calling thread instead: for `cargo test`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::error::{ErrorKind, PmapError};

/// A boxed, not-`Send` future (everything here lives on one JS thread).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs chunk payloads somewhere (see the module docs).
pub trait Host {
    /// Compute workers behind this host (chunking aims at about four chunks each).
    fn workers(&self) -> usize;
    /// Runs pipe payloads (pipe.rs) and resolves with their bodies, in order.
    fn run(
        &self,
        label: &str,
        payloads: Vec<Vec<u8>>,
    ) -> LocalFuture<Result<Vec<Vec<u8>>, PmapError>>;
    /// Same, blocking. Only the SyncExecutor's host can: it waits on a coordinator ticket
    /// (a sync XHR the service worker holds until the pool posts the bodies).
    fn run_sync(&self, label: &str, payloads: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PmapError>;
    /// Runs a job kernel in the SyncExecutor on a pipe payload (pipe.rs: the job as its one
    /// map stage over an array of one input); resolves with the body.
    fn execute(&self, job: &str, payload: Vec<u8>) -> LocalFuture<Result<Vec<u8>, PmapError>>;
}

thread_local! {
    static OVERRIDE: RefCell<Option<Rc<dyn Host>>> = const { RefCell::new(None) };
}

/// Makes `host` this thread's host (`None`: back to the JS one). For tests and embedders.
pub fn set_host(host: Option<Rc<dyn Host>>) {
    OVERRIDE.with_borrow_mut(|h| *h = host);
}

/// This thread's host, or a `NoPool` error saying how to get one.
pub fn current() -> Result<Rc<dyn Host>, PmapError> {
    crate::entry::init(); // the panic hook, for the panicking terminals
    if let Some(h) = OVERRIDE.with_borrow(|h| h.clone()) {
        return Ok(h);
    }
    #[cfg(target_arch = "wasm32")]
    if let Some(h) = js::JsHost::find() {
        return Ok(Rc::new(h));
    }
    Err(PmapError::new(
        ErrorKind::NoPool,
        None,
        "no wasm-pmap pool is reachable from this thread: call `pool.exposeToRust()` in \
         TypeScript, or `wasm_pmap::init_pool_async(None)` (in a worker of your own: \
         `init_pool_sync_from_worker(None)`) in Rust first (parallel iterators also work \
         inside jobs run with `pool.execute` or `execute_async`)",
    ))
}

pub(crate) fn not_in_executor(what: &str) -> PmapError {
    PmapError::new(
        ErrorKind::SyncMode,
        None,
        format!(
            "{what} blocks, so it only runs inside the SyncExecutor worker (in a \
             #[kernel(job)] started with `pool.execute` or `execute_async`) or in a worker \
             of your own after `init_pool_sync_from_worker`; here use the async form \
             (`.await`)"
        ),
    )
}

/// Runs every payload on the calling thread, through this module's own registry. For
/// host-side tests of code that uses parallel iterators: `set_host(Some(Rc::new(LocalHost)))`.
pub struct LocalHost;

impl Host for LocalHost {
    fn workers(&self) -> usize {
        2
    }
    fn run(
        &self,
        label: &str,
        payloads: Vec<Vec<u8>>,
    ) -> LocalFuture<Result<Vec<Vec<u8>>, PmapError>> {
        let r = self.run_sync(label, payloads);
        Box::pin(async move { r })
    }
    fn run_sync(&self, _label: &str, payloads: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PmapError> {
        payloads
            .iter()
            .map(|p| super::pipe::run("local", p).map_err(PmapError::from))
            .collect()
    }
    fn execute(&self, _job: &str, payload: Vec<u8>) -> LocalFuture<Result<Vec<u8>, PmapError>> {
        let r = super::pipe::run("local", &payload).map_err(PmapError::from);
        Box::pin(async move { r })
    }
}

/// Drives a future to completion on the calling thread, for futures that never wait on
/// anything outside it (the [`LocalHost`]'s). Panics if the future would block.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => {
            panic!("block_on: the future is waiting on something outside this thread")
        }
    }
}

/// A JS `Error` whose `name` is the pool's error class (`KernelError`, …) and whose
/// `kernel` property names the kernel: what `?` turns a `PmapError` into in an exported
/// `async fn … -> Result<_, JsValue>`.
impl From<PmapError> for wasm_bindgen::JsValue {
    fn from(e: PmapError) -> Self {
        let err = js_sys::Error::new(&e.to_string());
        err.set_name(e.class_name());
        if let Some(k) = &e.kernel {
            let _ = js_sys::Reflect::set(&err, &"kernel".into(), &k.as_str().into());
        }
        err.into()
    }
}

/// Hands an error to the JavaScript caller as an exception (the non-`try_` terminals).
/// Why not a panic: on wasm32 a panic is a trap that leaves the instance unusable; a JS
/// exception unwinds out of the wasm call and the instance keeps working.
pub(crate) fn throw(e: PmapError) -> ! {
    #[cfg(target_arch = "wasm32")]
    {
        wasm_bindgen::throw_val(e.into())
    }
    #[cfg(not(target_arch = "wasm32"))]
    panic!("{e}")
}

#[cfg(target_arch = "wasm32")]
pub(crate) mod js {
    use js_sys::{Array, Function, Object, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{not_in_executor, Host, LocalFuture};
    use crate::error::{ErrorKind, PmapError};

    pub struct JsHost(Object);

    impl JsHost {
        pub fn find() -> Option<JsHost> {
            let key = js_sys::Symbol::for_("wasm-pmap.host");
            Reflect::get(&js_sys::global(), &key)
                .ok()?
                .dyn_into::<Object>()
                .ok()
                .map(JsHost)
        }

        fn method(&self, name: &str) -> Option<Function> {
            Reflect::get(&self.0, &JsValue::from_str(name))
                .ok()?
                .dyn_into::<Function>()
                .ok()
        }
    }

    fn payload_array(payloads: Vec<Vec<u8>>) -> Array {
        payloads
            .iter()
            .map(|p| JsValue::from(Uint8Array::from(&p[..])))
            .collect()
    }

    fn bodies(v: JsValue) -> Result<Vec<Vec<u8>>, PmapError> {
        let arr = v
            .dyn_into::<Array>()
            .map_err(|_| pool_error("the host's run did not return an array"))?;
        Ok(arr.iter().map(|b| Uint8Array::new(&b).to_vec()).collect())
    }

    fn pool_error(m: &str) -> PmapError {
        PmapError::new(ErrorKind::Pool, None, m)
    }

    /// A thrown pool error → PmapError, by its class name.
    pub fn from_js(e: JsValue) -> PmapError {
        let get = |k: &str| {
            Reflect::get(&e, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_string())
        };
        let name = get("name").unwrap_or_default();
        let message = get("message")
            .or_else(|| e.as_string())
            .unwrap_or_else(|| format!("{e:?}"));
        PmapError {
            kind: ErrorKind::from_class_name(&name),
            kernel: get("kernel"),
            message,
        }
    }

    impl Host for JsHost {
        fn workers(&self) -> usize {
            Reflect::get(&self.0, &JsValue::from_str("workers"))
                .ok()
                .and_then(|v| v.as_f64())
                .map_or(1, |n| n.max(1.0) as usize)
        }

        fn run(
            &self,
            label: &str,
            payloads: Vec<Vec<u8>>,
        ) -> LocalFuture<Result<Vec<Vec<u8>>, PmapError>> {
            let call = self
                .method("run")
                .ok_or_else(|| pool_error("the wasm-pmap host has no run()"))
                .and_then(|f| {
                    f.call2(&self.0, &JsValue::from_str(label), &payload_array(payloads))
                        .map_err(from_js)
                });
            Box::pin(async move {
                let promise = js_sys::Promise::resolve(&call?);
                bodies(JsFuture::from(promise).await.map_err(from_js)?)
            })
        }

        fn run_sync(&self, label: &str, payloads: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PmapError> {
            let f = self
                .method("runSync")
                .ok_or_else(|| not_in_executor("collect_vec_sync()"))?;
            bodies(
                f.call2(&self.0, &JsValue::from_str(label), &payload_array(payloads))
                    .map_err(from_js)?,
            )
        }

        fn execute(&self, job: &str, payload: Vec<u8>) -> LocalFuture<Result<Vec<u8>, PmapError>> {
            let call = self
                .method("execute")
                .ok_or_else(|| {
                    PmapError::new(
                        ErrorKind::SyncMode,
                        Some(job),
                        "this pool has no sync mode: createPool({ sync: … })",
                    )
                })
                .and_then(|f| {
                    f.call2(
                        &self.0,
                        &JsValue::from_str(job),
                        &Uint8Array::from(&payload[..]),
                    )
                    .map_err(from_js)
                });
            Box::pin(async move {
                let v = JsFuture::from(js_sys::Promise::resolve(&call?))
                    .await
                    .map_err(from_js)?;
                Ok(Uint8Array::new(&v).to_vec())
            })
        }
    }
}

#[cfg(test)]
mod tests;
