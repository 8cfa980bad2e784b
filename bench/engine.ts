// The Mandelbrot line of the bench in Firefox and WebKit (driven by bench/engines.mjs over
// WebDriver): single-thread wasm on the main thread and wasm-pmap at 1 and 2 workers, the same
// image checked, timed in interleaved rounds. Leaves `window.__engine`.
import { createPool } from "../dist/index.js";
import { concat, mainThreadWasm, rowSpecs } from "./baseline.ts";
import { params, rounds, sha256Hex } from "./timing.ts";

declare global {
  interface Window {
    __engine?: { ok: boolean; results?: Record<string, number>; error?: string };
  }
}

async function main(): Promise<Record<string, number>> {
  const P = params();
  const specs = rowSpecs(P.size, P.maxIter);
  const base = await mainThreadWasm(specs);
  const variants: Record<string, () => unknown> = { ms_main: base.draw };
  const pools = [];
  for (const w of [1, 2]) {
    const pool = await createPool({ concurrency: w });
    pools.push(pool);
    if ((await sha256Hex(concat(await pool.map("mandelbrotRow", specs)))) !== base.digest)
      throw new Error(`wasm-pmap in ${navigator.userAgent}, ${w} workers: the image differs from the main thread's`);
    variants[`ms_${w}w`] = () => pool.map("mandelbrotRow", specs);
  }
  const out = await rounds(P.runs, variants);
  for (const p of pools) p.terminate();
  return out;
}

main().then(
  (results) => (window.__engine = { ok: true, results }),
  (err) => (window.__engine = { ok: false, error: String(err?.stack ?? err) }),
);
