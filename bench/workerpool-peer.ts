// The JS worker-pool peer: workerpool (npm) running the Mandelbrot rows and the sqrt slice
// written in JavaScript (bench/js-kernels.ts), on the bench page.
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

/** The JS kernel on the main thread, the whole image (a reference row of the table). */
export const jsMainThread = ({ width, height, maxIter }: Image) => mandelbrotRows(0, height, width, height, maxIter);

/**
 * A workerpool of `workers` workers, its first image drawn (the warm-up: workers started,
 * JIT) and checked against `digest`. `draw()` is one image.
 */
export async function startWorkerpool(img: Image, workers: number, digest: string) {
  const { width, height, maxIter } = img;
  const pool = workerpool.pool(new URL("./workerpool-worker.ts", import.meta.url).href, {
    maxWorkers: workers,
    minWorkers: "max",
    workerType: "web",
    workerOpts: { type: "module" },
  });
  const draw = async () => {
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
  if ((await sha256Hex(await draw())) !== digest) throw new Error(`workerpool, ${workers} workers: wrong image`);
  return { pool, workers, draw };
}

/**
 * `sqrt_ms_<w>w_<size>mb`: the memory-bound case through one started pool, each chunk a
 * copy of its own, transferred there and back.
 */
export async function workerpoolSqrt(
  { pool, workers }: Awaited<ReturnType<typeof startWorkerpool>>,
  runs: number,
  xs: Float64Array,
): Promise<Figures> {
  const sqrt = async () => {
    const result = new Float64Array(xs.length);
    const step = Math.ceil(xs.length / (workers * SLICES_PER_WORKER));
    const tasks = [];
    for (let a = 0; a < xs.length; a += step) {
      const part = xs.slice(a, a + step);
      tasks.push(pool.exec("sqrt", [part], { transfer: [part.buffer] }).then((r: Float64Array) => result.set(r, a)));
    }
    await Promise.all(tasks);
    return result;
  };
  const n = xs.length;
  if ((await sqrt())[n - 1] !== Math.sqrt(xs[n - 1]!)) throw new Error(`workerpool sqrt, ${workers} workers: wrong`);
  return { [`sqrt_ms_${workers}w_${(n * 8) >> 20}mb`]: await time(runs, sqrt) };
}
