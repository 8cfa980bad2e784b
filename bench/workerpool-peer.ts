// The JS worker-pool peer: workerpool (npm) running the Mandelbrot rows and the sqrt slice
// written in JavaScript (bench/js-kernels.ts), at each worker count, on the bench page.
import workerpool from "workerpool";
import { mandelbrotRows } from "./js-kernels.ts";
import { type Figures, sha256Hex, time } from "./timing.ts";

/** Rows per task: small enough that an idle worker always finds one queued. */
const ROWS_PER_TASK = 32;
/** Tasks per worker for the sqrt case (as wasm-pmap's auto chunking aims at). */
const SLICES_PER_WORKER = 4;

export interface Image {
  width: number;
  height: number;
  maxIter: number;
}

/**
 * Figures under `peers.workerpool_js.*`: `ms_main` (the JS kernel on the main thread),
 * `ms_<w>w`, and `sqrt_ms_<w>w_<size>mb` over `sqrtInput`; throws if an image differs from `digest`.
 */
export async function workerpoolPeer(
  img: Image,
  counts: number[],
  runs: number,
  digest: string,
  sqrtInput: Float64Array,
): Promise<Figures> {
  const out: Figures = {};
  const { width, height, maxIter } = img;
  const whole = () => mandelbrotRows(0, height, width, height, maxIter);
  if ((await sha256Hex(whole())) !== digest) throw new Error("workerpool peer: the JS image differs from wasm's");
  out.ms_main = await time(runs, whole);

  const script = new URL("./workerpool-worker.ts", import.meta.url).href;
  for (const w of counts) {
    const pool = workerpool.pool(script, {
      maxWorkers: w,
      minWorkers: "max",
      workerType: "web",
      workerOpts: { type: "module" },
    });
    const image = async () => {
      const image = new Uint8Array(width * height);
      const tasks = [];
      for (let y0 = 0; y0 < height; y0 += ROWS_PER_TASK) {
        const y1 = Math.min(height, y0 + ROWS_PER_TASK);
        tasks.push(
          pool
            .exec("mandelbrotRows", [y0, y1, width, height, maxIter])
            .then((rows: Uint8Array) => image.set(rows, y0 * width)),
        );
      }
      await Promise.all(tasks);
      return image;
    };
    // The first image is the warm-up (workers started, JIT) and the correctness check.
    if ((await sha256Hex(await image())) !== digest) throw new Error(`workerpool, ${w} workers: wrong image`);
    out[`ms_${w}w`] = await time(runs, image);

    const sqrt = async (xs: Float64Array) => {
      const result = new Float64Array(xs.length);
      const step = Math.ceil(xs.length / (w * SLICES_PER_WORKER));
      const tasks = [];
      for (let a = 0; a < xs.length; a += step) {
        const part = xs.slice(a, a + step); // a copy of its own, transferred to the worker
        tasks.push(pool.exec("sqrt", [part], { transfer: [part.buffer] }).then((r: Float64Array) => result.set(r, a)));
      }
      await Promise.all(tasks);
      return result;
    };
    const n = sqrtInput.length;
    const r = await sqrt(sqrtInput);
    if (r[n - 1] !== Math.sqrt(sqrtInput[n - 1]!)) throw new Error(`workerpool sqrt, ${w} workers: wrong result`);
    out[`sqrt_ms_${w}w_${(n * 8) >> 20}mb`] = await time(runs, () => sqrt(sqrtInput));
    await pool.terminate();
  }
  return out;
}
