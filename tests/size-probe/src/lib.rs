//! The smallest wasm-par-mq-style app, and what each kernel and input type adds to it
//! (bench/size-probe.mjs builds it once per feature set and reports the wasm bytes).

use wasm_bindgen::prelude::*;
use wasm_pmap::par_mq::{par_fn, register_fn, ParallelIterator, ParallelSlice};

fn double(x: u32) -> u32 {
    x * 2
}
register_fn!(double, u32, u32);

/// Starts the pool (wasm-par-mq's `init_pool_async` signature).
#[wasm_bindgen]
pub async fn init_parallel(n: u32, wasm_url: &str, bindgen_url: &str) -> Result<(), JsValue> {
    wasm_pmap::par_mq::init_pool_async(Some(n), wasm_url, bindgen_url)
        .await
        .map_err(|e| JsValue::from_str(&e))
}

/// `data` doubled in the workers.
#[wasm_bindgen]
pub async fn double_all(data: Vec<u32>) -> Vec<u32> {
    data.par_iter().map(par_fn!(double)).collect_vec().await
}

#[cfg(feature = "second-kernel")]
mod second {
    use super::*;

    fn triple(x: u32) -> u32 {
        x * 3
    }
    register_fn!(triple, u32, u32);

    /// `data` tripled in the workers.
    #[wasm_bindgen]
    pub async fn triple_all(data: Vec<u32>) -> Vec<u32> {
        data.par_iter().map(par_fn!(triple)).collect_vec().await
    }
}

#[cfg(feature = "new-input-type")]
mod new_input_type {
    use super::*;
    use serde::{Deserialize, Serialize};

    /// A struct input: a type no other kernel takes.
    #[derive(Serialize, Deserialize, Clone)]
    pub struct Point {
        x: f64,
        y: f64,
    }

    fn norm(p: Point) -> f64 {
        (p.x * p.x + p.y * p.y).sqrt()
    }
    register_fn!(norm, Point, f64);

    /// The norms of `n` points, in the workers.
    #[wasm_bindgen]
    pub async fn norms(n: u32) -> Vec<f64> {
        let points: Vec<Point> = (0..n)
            .map(|i| Point {
                x: f64::from(i),
                y: 1.0,
            })
            .collect();
        points.par_iter().map(par_fn!(norm)).collect_vec().await
    }
}

#[cfg(feature = "another-input-type")]
mod another_input_type {
    use super::*;
    use serde::{Deserialize, Serialize};

    /// A second struct input, of integers: what one more input type costs once floats are in.
    #[derive(Serialize, Deserialize, Clone)]
    pub struct Span {
        start: u32,
        len: u32,
    }

    fn end(s: Span) -> u32 {
        s.start + s.len
    }
    register_fn!(end, Span, u32);

    /// The ends of `n` spans, in the workers.
    #[wasm_bindgen]
    pub async fn ends(n: u32) -> Vec<u32> {
        let spans: Vec<Span> = (0..n).map(|i| Span { start: i, len: 2 }).collect();
        spans.par_iter().map(par_fn!(end)).collect_vec().await
    }
}
