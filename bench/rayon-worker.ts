// The wasm-bindgen-rayon peer's dedicated worker (bench/rayon.html starts one per thread
// count). Why a worker: `initThreadPool` and every parallel call block the calling thread
// on an atomic wait, which the main thread may not do. Rayon's own threads are workers
// that wasm-bindgen-rayon spawns from here over the same shared memory.
import init, { initThreadPool, mandelbrot, sqrtF64 } from "./rayon-peer/pkg/wasm_pmap_rayon_peer.js";

type Ask =
  | { type: "init"; threads: number }
  | { type: "mandelbrot"; width: number; height: number; maxIter: number }
  | { type: "sqrt"; xs: Float64Array };

self.onmessage = async ({ data }: MessageEvent<Ask>) => {
  try {
    if (data.type === "init") {
      await init();
      await initThreadPool(data.threads);
      self.postMessage({ type: "ready" });
    } else if (data.type === "mandelbrot") {
      const image = mandelbrot(data.width, data.height, data.maxIter);
      self.postMessage({ type: "done", value: image }, { transfer: [image.buffer] });
    } else {
      const r = sqrtF64(data.xs);
      self.postMessage({ type: "done", value: r }, { transfer: [r.buffer] });
    }
  } catch (e) {
    self.postMessage({ type: "error", message: String((e as Error)?.stack ?? e) });
  }
};
