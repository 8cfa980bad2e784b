//! The Mandelbrot escape-time loop, kept free of wasm-pmap so the bench's
//! wasm-bindgen-rayon peer (`bench/rayon-peer`) compiles this very file (`#[path]`):
//! both sides of that comparison then run the same code, not two copies.

/// Escape-time counts of row `y` over [-2, 1] × [-1.5, 1.5], one byte per pixel
/// (clamped to 255). The caller checks `y < height`.
pub fn escape_row(y: u32, width: u32, height: u32, max_iter: u32) -> Vec<u8> {
    let ci = -1.5 + 3.0 * (y as f64) / (height as f64);
    (0..width)
        .map(|x| {
            let cr = -2.0 + 3.0 * (x as f64) / (width as f64);
            let (mut zr, mut zi, mut n) = (0.0f64, 0.0f64, 0u32);
            while n < max_iter && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                n += 1;
            }
            n.min(255) as u8
        })
        .collect()
}
