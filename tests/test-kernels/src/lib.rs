//! Kernels for the failure tests, written the way a user writes their own kernel crate.

#![warn(missing_docs)]

pub mod big_ints;
pub mod numbers;
pub mod slices;
pub mod sync;

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// A user-defined struct crossing the wire.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Tsify)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// Several arguments: the item is the tuple `[point, factor]`.
#[wasm_pmap::kernel]
pub fn scale(p: Point, k: f64) -> Point {
    Point {
        x: p.x * k,
        y: p.y * k,
    }
}

/// Returns `x + 1`, but panics on 13 (a trap in wasm).
#[wasm_pmap::kernel]
pub fn panic_on_13(x: u32) -> u32 {
    if x == 13 {
        panic!("boom at {x}");
    }
    x + 1
}

/// Returns `x + 1`, but an `Err` on multiples of 7.
#[wasm_pmap::kernel]
pub fn fail_on_7(x: u32) -> Result<u32, String> {
    if x.is_multiple_of(7) {
        Err(format!("{x} is a multiple of 7"))
    } else {
        Ok(x + 1)
    }
}

/// Busy-waits `ms` milliseconds of wall time (for timeouts and concurrency checks), then returns `ms`.
#[wasm_pmap::kernel]
pub fn spin(ms: f64) -> f64 {
    let start = now();
    while now() - start < ms {}
    ms
}

pub(crate) fn now() -> f64 {
    // performance.now() (sub-millisecond, for the bench's round trips); Date.now() if absent.
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let perf =
            js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or_default();
        js_sys::Reflect::get(&perf, &"now".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call0(&perf).ok())
            .and_then(|t| t.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::UNIX_EPOCH
            .elapsed()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fault_kernels_register_and_behave() {
        let names = wasm_pmap::__private::kernel_names();
        for n in [
            "scale",
            "panicOn13",
            "failOn7",
            "spin",
            "crashWorker",
            "holdKib",
        ] {
            assert!(names.contains(&n.to_string()), "{n}");
        }
        assert_eq!(super::fail_on_7(3), Ok(4));
        assert!(super::fail_on_7(14).is_err());
    }
}

/// Breaks the worker's runtime (its `postMessage` is removed), so the worker throws an
/// uncaught exception after this chunk: a crashed worker as the pool sees one.
#[wasm_pmap::kernel]
pub fn crash_worker(x: u32) -> u32 {
    #[cfg(target_arch = "wasm32")]
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"postMessage".into(),
        &wasm_bindgen::JsValue::UNDEFINED,
    );
    x
}

/// Allocates and keeps `kib` KiB in a thread-local, to see memory in `pool.stats()`.
#[wasm_pmap::kernel]
pub fn hold_kib(kib: u32) -> u32 {
    thread_local!(static HELD: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) });
    HELD.with(|h| h.borrow_mut().push(vec![1u8; kib as usize * 1024]));
    kib
}

thread_local!(static CONTEXT_DECODES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });

/// A broadcast context (the ray tracer's scene, in miniature).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
pub struct Weights {
    /// One weight per row element.
    #[serde(deserialize_with = "counted")]
    pub w: Vec<f64>,
}

/// Counts how often a context is decoded in this worker, to prove it is sent once per call.
fn counted<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    CONTEXT_DECODES.set(CONTEXT_DECODES.get() + 1);
    Vec::<f64>::deserialize(d)
}

/// `Σ wᵢ·rowᵢ` with the call's broadcast weights (`map_with`).
#[wasm_pmap::kernel(context)]
pub fn weighted_sum(weights: &Weights, row: Vec<f64>) -> f64 {
    weights.w.iter().zip(&row).map(|(w, x)| w * x).sum()
}

/// How many contexts this worker has decoded so far.
#[wasm_pmap::kernel]
pub fn context_decodes(_x: u32) -> u32 {
    CONTEXT_DECODES.get()
}
