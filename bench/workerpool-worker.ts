// The workerpool peer's worker script: a real module file (workerpool creates browser
// workers with `new Worker(script, workerOpts)`, so no blob: or eval is involved).
// Results go back transferred, as wasm-pmap's do.
import workerpool from "workerpool";
import { mandelbrotRows, sqrtInPlace } from "./js-kernels.ts";

workerpool.worker({
  mandelbrotRows(y0: number, y1: number, width: number, height: number, maxIter: number) {
    const rows = mandelbrotRows(y0, y1, width, height, maxIter);
    return new workerpool.Transfer(rows, [rows.buffer]);
  },
  sqrt(xs: Float64Array) {
    return new workerpool.Transfer(sqrtInPlace(xs), [xs.buffer]);
  },
});
