//! wasm-bindgen-rayon over the Mandelbrot rows and a `sqrt` slice: the shared-memory
//! ceiling next to which `npm run bench` puts wasm-pmap.

use rayon::prelude::*;
use wasm_bindgen::prelude::*;

pub use wasm_bindgen_rayon::init_thread_pool;

// Why a path include: the comparison is only fair if both sides run the same loop, so this
// compiles the built-in kernel crate's own file rather than a copy of it.
#[path = "../../../rust/kernels/src/mandelbrot.rs"]
mod mandelbrot;

/// The whole image, row-major, one byte per pixel; rows are spread over rayon's pool.
#[wasm_bindgen]
pub fn mandelbrot(width: u32, height: u32, max_iter: u32) -> Vec<u8> {
    let mut image = vec![0u8; width as usize * height as usize];
    image
        .par_chunks_mut(width as usize)
        .enumerate()
        .for_each(|(y, row)| {
            row.copy_from_slice(&mandelbrot::escape_row(y as u32, width, height, max_iter))
        });
    image
}

/// `sqrt` of every element (the memory-bound case): the input is copied into the shared
/// wasm memory, mapped in parallel, and the result copied out.
#[wasm_bindgen(js_name = sqrtF64)]
pub fn sqrt_f64(xs: &[f64]) -> Vec<f64> {
    xs.par_iter().map(|x| x.sqrt()).collect()
}
