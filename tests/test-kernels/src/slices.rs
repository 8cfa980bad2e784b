//! Slice kernels for the slice-path tests (tests/browser/slices.test.ts): outputs of another
//! element type and length, 64-bit elements, kernel errors, a crash.

/// How many bytes of each value mod 4: a `Uint8Array` in, a shorter `Uint32Array` out.
#[wasm_pmap::kernel(slice)]
pub fn histogram4(bytes: &[u8]) -> Vec<u32> {
    let mut h = vec![0u32; 4];
    for b in bytes {
        h[(*b as usize) % 4] += 1;
    }
    h
}

/// Negates every element of a `BigInt64Array` (wrapping at `i64::MIN`).
#[wasm_pmap::kernel(slice)]
pub fn negate_i64(xs: &[i64]) -> Vec<i64> {
    xs.iter().map(|x| x.wrapping_neg()).collect()
}

/// Halves every element, but an `Err` for a chunk holding a NaN.
#[wasm_pmap::kernel(slice)]
pub fn halve_finite(xs: &[f32]) -> Result<Vec<f32>, String> {
    match xs.iter().position(|x| x.is_nan()) {
        Some(i) => Err(format!("NaN at offset {i} of the chunk")),
        None => Ok(xs.iter().map(|x| x / 2.0).collect()),
    }
}

/// Crashes its worker like `crashWorker`, for a slice chunk.
#[wasm_pmap::kernel(slice)]
pub fn crash_worker_slice(xs: &[f64]) -> Vec<f64> {
    #[cfg(target_arch = "wasm32")]
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"postMessage".into(),
        &wasm_bindgen::JsValue::UNDEFINED,
    );
    xs.to_vec()
}

/// A job mapping a slice kernel over `par_chunks` (one call per chunk) inside the
/// SyncExecutor: `-(i·3 − 7)` for i in 0..n, chunks of `chunk` elements.
#[wasm_pmap::kernel(job)]
pub fn negate_chunks_sync(n: u32, chunk: u32) -> Vec<i64> {
    use wasm_pmap::prelude::*;
    let v: Vec<i64> = (0..n).map(|i| i64::from(i) * 3 - 7).collect();
    v.par_chunks(chunk.max(1) as usize)
        .map(par_fn!(negate_i64))
        .collect_vec_sync()
        .concat()
}
