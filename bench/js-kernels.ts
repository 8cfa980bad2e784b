// The bench's kernels written in JavaScript, for the JS worker-pool peer (workerpool).
// Why the same formula, operation for operation, as rust/kernels/src/mandelbrot.rs: JS
// numbers are IEEE doubles like Rust's f64 and neither side fuses multiply-adds, so the
// image comes out byte-identical; the bench checks it does.

/** Escape-time counts of rows `y0 ≤ y < y1`, row-major, one byte per pixel (≤ 255). */
export function mandelbrotRows(y0: number, y1: number, width: number, height: number, maxIter: number): Uint8Array {
  const out = new Uint8Array((y1 - y0) * width);
  let i = 0;
  for (let y = y0; y < y1; y++) {
    const ci = -1.5 + (3.0 * y) / height;
    for (let x = 0; x < width; x++) {
      const cr = -2.0 + (3.0 * x) / width;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIter && zr * zr + zi * zi <= 4.0) {
        const t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n++;
      }
      out[i++] = Math.min(n, 255);
    }
  }
  return out;
}

/** `Math.sqrt` of every element, in place (the memory-bound case). */
export function sqrtInPlace(xs: Float64Array): Float64Array {
  for (let i = 0; i < xs.length; i++) xs[i] = Math.sqrt(xs[i]!);
  return xs;
}
