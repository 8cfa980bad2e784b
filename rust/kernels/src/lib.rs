//! The built-in kernels of wasm-pmap, one per data shape the wire carries: a number, a
//! struct in and bytes out, a string, a typed-array slice, and an associative reduce.
//! This crate is also the template for a user's own kernel crate.

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tsify::Tsify;

mod mandelbrot;

/// Doubles a number (wrapping on overflow).
#[wasm_pmap::kernel]
pub fn double(x: u32) -> u32 {
    x.wrapping_mul(2)
}

/// One row of a Mandelbrot image: which row, the image size and the iteration cap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RowSpec {
    /// Row index, `0 <= y < height`.
    pub y: u32,
    /// Image width in pixels (the row's length).
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Iteration cap (escape counts are clamped to 255 in the output).
    pub max_iter: u32,
}

/// Escape-time counts of one row of the Mandelbrot set over [-2, 1] × [-1.5, 1.5], one
/// byte per pixel (clamped to 255). Errors if `y` is outside the image.
#[wasm_pmap::kernel]
pub fn mandelbrot_row(spec: RowSpec) -> Result<Vec<u8>, String> {
    if spec.y >= spec.height {
        return Err(format!(
            "row {} is outside an image of height {}",
            spec.y, spec.height
        ));
    }
    Ok(mandelbrot::escape_row(
        spec.y,
        spec.width,
        spec.height,
        spec.max_iter,
    ))
}

/// SHA-256 of a string's UTF-8 bytes, as lowercase hex.
#[wasm_pmap::kernel]
pub fn sha256_hex(text: String) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sum of two numbers; associative, so `preduce("addF64", 0, xs)` sums in parallel.
#[wasm_pmap::kernel(reduce)]
pub fn add_f64(a: f64, b: f64) -> f64 {
    a + b
}

/// Square root of every element of a `Float64Array` chunk (a slice kernel: the chunk
/// arrives as one `&[f64]`, no per-element JS work).
#[wasm_pmap::kernel(slice)]
pub fn sqrt_f64(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| x.sqrt()).collect()
}

#[cfg(test)]
mod tests;

/// The size of a whole Mandelbrot image (for the `mandelbrotImage` job).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageSpec {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels (one `mandelbrotRow` chunk item per row).
    pub height: u32,
    /// Iteration cap (escape counts are clamped to 255).
    pub max_iter: u32,
}

/// A job (sync mode, `pool.execute`): a whole Mandelbrot image as row-major bytes. It runs
/// in the SyncExecutor and blocks on `collect_vec_sync()` while the compute workers run
/// `mandelbrotRow` over its rows — rayon-style code, no SharedArrayBuffer.
#[wasm_pmap::kernel(job)]
pub fn mandelbrot_image(spec: ImageSpec) -> Result<Vec<u8>, wasm_pmap::PmapError> {
    use wasm_pmap::prelude::*;
    let rows: Vec<RowSpec> = (0..spec.height)
        .map(|y| RowSpec {
            y,
            width: spec.width,
            height: spec.height,
            max_iter: spec.max_iter,
        })
        .collect();
    Ok(rows
        .into_par_iter()
        .map(par_fn!(mandelbrot_row))
        .try_collect_vec_sync()?
        .concat())
}
