// The wasm-bindgen-rayon peer's page. bench/run.mjs serves every /bench/rayon* path with
// COOP/COEP (SharedArrayBuffer needs cross-origin isolation); the bench page itself is
// served without them, as wasm-pmap's users are. Leaves its figures in `window.__rayon`.
import { mainThreadWasm, rowSpecs } from "./baseline.ts";
import { type Figures, params, rounds, sha256Hex, sqrtInput, time } from "./timing.ts";

function ask(worker: Worker, message: unknown, transfer: Transferable[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.type === "error" ? reject(new Error(data.message)) : resolve(data.value));
    worker.onerror = (e) => reject(new Error(`rayon worker: ${e.message}`));
    worker.postMessage(message, transfer);
  });
}

async function main() {
  // Why checked here: without isolation the wasm's shared memory cannot even be created,
  // and the error that gives is far from the cause.
  if (!crossOriginIsolated) throw new Error("page is not cross-origin isolated (COOP/COEP headers missing)");
  const p = params();
  // This page's own single-thread baseline, timed in the same rounds as rayon: its
  // speedups do not depend on how loaded the machine was while the other page ran.
  const base = await mainThreadWasm(rowSpecs(p.size, p.maxIter));
  const digest = base.digest;
  const workers = new Map<number, Worker>();
  const variants: Record<string, () => unknown> = { ms_main: base.draw };
  for (const w of p.counts) {
    const worker = new Worker(new URL("./rayon-worker.ts", import.meta.url), { type: "module" });
    await ask(worker, { type: "init", threads: w });
    const draw = () => ask(worker, { type: "mandelbrot", width: p.size, height: p.size, maxIter: p.maxIter });
    // The first image is the warm-up and the check (the same image as mandelbrotRow's).
    if ((await sha256Hex((await draw()) as Uint8Array)) !== digest)
      throw new Error(`${w} threads: the image differs from mandelbrotRow's`);
    workers.set(w, worker);
    variants[`ms_${w}w`] = draw;
  }
  const out: Figures = await rounds(p.runs, variants);
  // The memory-bound case: the page's Float64Array is copied to the worker (structured
  // clone), into the shared wasm memory, mapped by rayon, and the result transferred back.
  const xs = sqrtInput(p.sqrtN);
  const label = `${(p.sqrtN * 8) >> 20}mb`;
  for (const [w, worker] of workers) {
    const sqrt = () => ask(worker, { type: "sqrt", xs });
    const r = (await sqrt()) as Float64Array;
    if (r[p.sqrtN - 1] !== Math.sqrt(p.sqrtN - 0.5)) throw new Error(`rayon sqrt, ${w} threads: wrong result`);
    out[`sqrt_ms_${w}w_${label}`] = await time(p.runs, sqrt);
    worker.terminate();
  }
  return { results: out, digest };
}

declare global {
  interface Window {
    __rayon?: { ok: boolean; results?: Figures; digest?: string; error?: string };
  }
}
main().then(
  (r) => {
    window.__rayon = { ok: true, ...r };
    document.getElementById("out")!.textContent = JSON.stringify(r, null, 2);
  },
  (err) => {
    window.__rayon = { ok: false, error: String(err?.message ?? err) };
  },
);
