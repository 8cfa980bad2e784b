// The big-integer workload (tests/rust-app/src/limbs.rs: items of seven full-range u64
// limbs, a few hundred multiply-mix rounds each), measured in the Rust app itself, served
// as static files: single-threaded wasm on the main thread against every path at 2
// workers — async, a job in the page's executor, and a worker the app owns (plain page:
// sync XHR to the coordinator; COOP/COEP page: Atomics.wait). Also the app's bytes: its
// wasm and the runtime snippet wasm-bindgen copies beside it.

import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { gzipSync } from "node:zlib";
import { serveFolder } from "./static-server.mjs";

const APP = "tests/rust-app";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The runtime snippet's path inside the app's folder (its folder name carries a hash). */
function runtimePath() {
  const [dir] = readdirSync(`${APP}/pkg/snippets`).filter((d) => d.startsWith("wasm-pmap-"));
  return `pkg/snippets/${dir}/js/runtime.js`;
}

async function runPage(browser, url) {
  // A fresh context each: the pages register service workers of different scopes.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("[big-ints page]", e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.__bench, null, { timeout: 600_000 });
    const r = await page.evaluate(() => window.__bench);
    if (!r.ok) throw new Error(`big-integer bench (${url}): ${r.error}`);
    return r;
  } finally {
    await context.close();
  }
}

/** Every variant, `runs` interleaved rounds each over `n` items; throws if any result differs. */
export async function runBigInts(browser, { n, runs }) {
  const plain = await serveFolder(APP, { "Service-Worker-Allowed": "/" });
  const isolated = await serveFolder(APP, {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
  });
  const loadBefore = loadavg()[0];
  try {
    const q = `n=${n}&runs=${runs}&runtime=${runtimePath()}`;
    const page = await runPage(browser, `${plain.url}bench.html?variant=page&${q}`);
    const xhr = await runPage(browser, `${plain.url}bench.html?variant=worker&${q}`);
    const atomics = await runPage(browser, `${isolated.url}bench.html?variant=worker&${q}`);
    if (!atomics.isolated) throw new Error("big-integer bench: the COOP/COEP page is not cross-origin isolated");
    const single = median([...page.ms.single, ...xhr.ms.single, ...atomics.ms.single]);
    const ms = {
      async: median(page.ms.async),
      sync_job: median(page.ms.job),
      app_worker_xhr: median(xhr.ms.worker),
      app_worker_atomics: median(atomics.ms.worker),
    };
    return {
      items: n,
      limbs: 7,
      workers: 2,
      runs,
      ms_single: single,
      ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [`ms_${k}`, v])),
      ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [`speedup_${k}_vs_single`, single / v])),
      digest: page.digests.single,
      // Why: the bench machine may be shared; a load above the core count explains a
      // speedup below the one the Mandelbrot table shows.
      load_avg_1m_before: loadBefore,
      load_avg_1m_after: loadavg()[0],
    };
  } finally {
    await plain.close();
    await isolated.close();
  }
}

/** What the Rust app ships: its wasm (plain wasm-bindgen output, no wasm-opt) and the
 * runtime snippet (already minified by scripts/build-runtime.mjs), raw and gzip -9. */
export function rustAppBytes() {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const wasm = readFileSync(`${APP}/pkg/app_bg.wasm`);
  const runtime = readFileSync(`${APP}/${runtimePath()}`);
  return {
    wasm_bytes: wasm.length,
    wasm_gzip: gz(wasm),
    runtime_bytes: runtime.length,
    runtime_gzip: gz(runtime),
  };
}

/** Prints both tables. */
export function printBigInts(b, bytes) {
  console.log(
    `\nBig-integer workload (struct of 7 u64 limbs), ${b.items} items, 2 workers: median ms, speedup vs single-threaded wasm (every result checked)`,
  );
  const row = (label, ms) =>
    console.log(`  ${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms ${(b.ms_single / ms).toFixed(2).padStart(5)}×`);
  row("single-threaded wasm, main thread, no pool", b.ms_single);
  row("async: try_collect_vec().await (init_pool_async)", b.ms_async);
  row("sync, page executor: execute_async(job), collect_vec_sync()", b.ms_sync_job);
  row("sync, app-owned worker, plain page (sync XHR, coordinator)", b.ms_app_worker_xhr);
  row("sync, app-owned worker, COOP/COEP page (Atomics.wait)", b.ms_app_worker_atomics);
  const load = `${b.load_avg_1m_before.toFixed(1)} → ${b.load_avg_1m_after.toFixed(1)}`;
  console.log(`  (1-minute load average of the machine over these runs: ${load})`);
  // The same shape as the Sizes table of bench/details.mjs.
  const line = (label, raw, gzip) =>
    console.log(`  ${label.padEnd(68)} ${String(raw).padStart(7)} B   gzip ${String(gzip).padStart(7)}`);
  // What each kernel and input type adds: bench/rust-bytes.mjs (tests/size-probe).
  console.log(
    "\nRust app bytes (tests/rust-app: cargo --release + wasm-bindgen --target web --remove-name-section, no wasm-opt; gzip -9)",
  );
  line("app_bg.wasm (the app's kernels + wasm-pmap's Rust side)", bytes.wasm_bytes, bytes.wasm_gzip);
  line("runtime snippet (pkg/snippets/wasm-pmap-*/js/runtime.js, minified)", bytes.runtime_bytes, bytes.runtime_gzip);
}
