// `npm run bench`: serves bench/ with Vite, opens it in headless Chromium, prints a table
// and writes every figure under stable keys to bench/out/results.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright";
import { build, createServer } from "vite";
import { chromiumArgs, chromiumExecutable } from "../scripts/chromium.mjs";

const STARTUP_RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: "error",
  optimizeDeps: { include: ["cbor-x/index-no-eval"] },
  server: { port: 0, host: "127.0.0.1" },
});
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
const results = {};
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("[page]", e.message));

  // Start-up first, each run a fresh page (HTTP cache warm), variants interleaved.
  const startup = { ours: [], hand: [], raw: [], oursReady: [], handCompile: [] };
  for (let i = 0; i < STARTUP_RUNS + 1; i++) {
    for (const variant of ["ours", "hand", "raw"]) {
      const p = await context.newPage();
      await p.goto(`${base}bench/startup.html?variant=${variant}`);
      await p.waitForFunction(() => window.__startup, null, { timeout: 60_000 });
      const r = await p.evaluate(() => window.__startup);
      await p.close();
      if (!r.ok) throw new Error(r.error);
      if (i === 0) continue; // the very first load fills Vite's transform cache
      if (variant === "ours")
        startup.ours.push(r.results.ms_first_result_2w), startup.oursReady.push(r.results.ms_ready_2w);
      if (variant === "hand")
        startup.hand.push(r.results.ms_first_result_2w), startup.handCompile.push(r.results.ms_compile);
      if (variant === "raw") startup.raw.push(r.results.ms_first_answer);
    }
  }

  await page.goto(`${base}bench/index.html`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 900_000 });
  const bench = await page.evaluate(() => window.__bench);
  if (!bench.ok) throw new Error(bench.error);
  const r = bench.results;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const version = browser.version();
  const sizes = await measureSizes();

  const f = (x, d = 1) => (typeof x === "number" ? x.toFixed(d) : String(x)).padStart(9);
  const line = (label, value, unit = "", note = "") =>
    console.log(`  ${label.padEnd(44)}${value} ${unit}${note ? `   ${note}` : ""}`);
  console.log(`\nwasm-pmap bench — Chromium ${version} headless, ${cores} cores, medians of 5 runs\n`);
  console.log(`Mandelbrot 2048×2048, 256 iterations (mandelbrotRow, chunkSize auto)`);
  line("single-thread wasm, main thread", f(r.mainThreadMs), "ms");
  line("pool, 1 worker", f(r.pool1Ms), "ms");
  line("pool, 2 workers", f(r.pool2Ms), "ms");
  line("speedup 2 workers vs 1 worker", f(r.pool1Ms / r.pool2Ms, 2), "×");
  line("speedup 2 workers vs main thread", f(r.mainThreadMs / r.pool2Ms, 2), "×");

  console.log(`\nMoving data: sqrtF64 (slice kernel) over a Float64Array, MB/s of input (higher is better)`);
  for (const size of ["8mb", "64mb"]) {
    const mbps = (ms) => (size === "8mb" ? 8.388608 : 67.108864) / (ms / 1000);
    const main = r[`transport.main_ms_${size}`];
    line(`${size.toUpperCase()}: single-thread wasm, main thread`, f(mbps(main), 0), "MB/s", `${f(main)} ms`);
    for (const w of [1, 2]) {
      const ms = r[`transport.ms_${w}w_${size}`];
      const tr = r[`transport.ms_${w}w_transfer_${size}`];
      line(
        `${size.toUpperCase()}: pool, ${w} worker${w > 1 ? "s" : ""}`,
        f(mbps(ms), 0),
        "MB/s",
        `${f(ms)} ms, ${f(main / ms, 2)} × main thread`,
      );
      line(
        `${size.toUpperCase()}: pool, ${w} worker${w > 1 ? "s" : ""}, transfer: true`,
        f(mbps(tr), 0),
        "MB/s",
        `${f(tr)} ms, ${f(main / tr, 2)} × main thread`,
      );
    }
  }

  console.log(
    `\nStart-up: createPool (2 workers, built-in kernels) → first result, fresh page, medians of ${STARTUP_RUNS}`,
  );
  line("wasm-pmap createPool → ready", f(median(startup.oursReady)), "ms");
  line("wasm-pmap createPool → first result", f(median(startup.ours)), "ms");
  line(
    "hand-written shared-Module pool → first result",
    f(median(startup.hand)),
    "ms",
    `(compile alone ${f(median(startup.handCompile))} ms)`,
  );
  line("raw module worker → first answer", f(median(startup.raw)), "ms");

  console.log(`\nOne tiny call, main → worker → main (medians of 5 × 500)`);
  line(`pool.call("double")`, f(r.callRoundTripUs), "µs");
  line("raw postMessage echo", f(r.rawRoundTripUs), "µs");
  line("ratio", f(r.callRoundTripUs / r.rawRoundTripUs, 2), "×");

  console.log(`\nOne parallel-iterator collect of one item, Rust → pool → Rust (medians of 5 × 200)`);
  line("collect_vec_sync() in a sync job", f(r.syncCollectUs), "µs", "(executor blocked on a sync XHR)");
  line("collect_vec().await, main thread", f(r.asyncCollectUs), "µs");

  console.log(`\nEncoding ${(r.cborBytes / 1e6).toFixed(2)} MB of structured items to CBOR (main thread)`);
  line("cbor-x", f(r.cborxEncodeMs), "ms");
  line("serde-wasm-bindgen + ciborium", f(r.wasmEncodeMs), "ms");

  console.log(`\nSizes (bytes; gzip -9)`);
  line("built-in kernels wasm", f(sizes.wasm_builtin_bytes, 0), "B", `gzip ${sizes.wasm_builtin_gzip}`);
  line("page JS (Vite production build)", f(sizes.js_page_bytes, 0), "B", `gzip ${sizes.js_page_gzip}`);
  line("compute-worker JS", f(sizes.js_worker_bytes, 0), "B", `gzip ${sizes.js_worker_gzip}`);
  line(
    "SyncExecutor extra JS (loaded only there)",
    f(sizes.js_executor_bytes, 0),
    "B",
    `gzip ${sizes.js_executor_gzip}`,
  );

  Object.assign(results, {
    machine: { cores, browser: `Chromium ${version}` },
    mandelbrot: {
      ms_main: r.mainThreadMs,
      ms_1w: r.pool1Ms,
      ms_2w: r.pool2Ms,
      speedup_2w_vs_1w: r.pool1Ms / r.pool2Ms,
      speedup_2w_vs_main: r.mainThreadMs / r.pool2Ms,
    },
    transport: {
      ms_main_8mb: r["transport.main_ms_8mb"],
      ms_main_64mb: r["transport.main_ms_64mb"],
      ms_1w_8mb: r["transport.ms_1w_8mb"],
      ms_2w_8mb: r["transport.ms_2w_8mb"],
      ms_1w_64mb: r["transport.ms_1w_64mb"],
      ms_2w_64mb: r["transport.ms_2w_64mb"],
      ms_2w_transfer_64mb: r["transport.ms_2w_transfer_64mb"],
      mb_per_s_main: 67.108864 / (r["transport.main_ms_64mb"] / 1000),
      mb_per_s_1w: 67.108864 / (r["transport.ms_1w_64mb"] / 1000),
      mb_per_s_2w: 67.108864 / (r["transport.ms_2w_64mb"] / 1000),
      mb_per_s_2w_transfer: 67.108864 / (r["transport.ms_2w_transfer_64mb"] / 1000),
      ratio_vs_main_thread: r["transport.main_ms_64mb"] / r["transport.ms_2w_64mb"],
      ratio_vs_main_thread_transfer: r["transport.main_ms_64mb"] / r["transport.ms_2w_transfer_64mb"],
    },
    startup: {
      ms_ready_2w: median(startup.oursReady),
      ms_first_result_2w: median(startup.ours),
      ms_hand_written_pool: median(startup.hand),
      ms_compile: median(startup.handCompile),
      ms_raw_worker: median(startup.raw),
    },
    call: {
      us_pool: r.callRoundTripUs,
      us_echo: r.rawRoundTripUs,
      ratio_vs_echo: r.callRoundTripUs / r.rawRoundTripUs,
    },
    sync: { us_collect_sync: r.syncCollectUs, us_collect_async: r.asyncCollectUs },
    encode: { bytes: r.cborBytes, ms_cborx: r.cborxEncodeMs, ms_wasm: r.wasmEncodeMs },
    size: sizes,
  });
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/results.json", `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n(every figure in bench/out/results.json)`);
} finally {
  await browser.close();
  await server.close();
}

/**
 * What a user ships: the built-in kernels' wasm, and a Vite production build of a page that
 * imports `wasm-pmap` (bench/size-app): its page chunk(s), the compute worker's, and the
 * executor-only chunk. gzip -9 as a server would.
 */
async function measureSizes() {
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const wasm = readFileSync("pkg/wasm_pmap_kernels_bg.wasm");
  const { wasmPmap } = await import("../dist/vite/plugin.js");
  const out = await build({
    configFile: false,
    root: "bench/size-app",
    logLevel: "error",
    plugins: [wasmPmap()],
    build: { write: false, minify: true, modulePreload: false },
  });
  const files = (Array.isArray(out) ? out : [out])
    .flatMap((o) => o.output)
    .map((o) => ({ name: o.fileName, type: o.type, code: Buffer.from(o.code ?? o.source) }));
  const sum = (pred) => {
    const picked = files.filter(pred);
    return [picked.reduce((n, c) => n + c.code.length, 0), picked.reduce((n, c) => n + gz(c.code), 0)];
  };
  // Page: the page's chunks (not the service worker's). Compute worker: the worker entry
  // (a worker bundle, an asset) and the kernel module's wasm-bindgen glue (an asset, loaded
  // by URL). Executor: the chunk only the SyncExecutor loads.
  const js = (c) => c.name.endsWith(".js");
  const isWorker = (c) => /(^|\/)entry-[\w-]+\.js$/.test(c.name);
  const isGlue = (c) => /(^|\/)wasm_pmap_kernels-[\w-]+\.js$/.test(c.name);
  const isExecutor = (c) => /(^|\/)executor-host-[\w-]+\.js$/.test(c.name);
  const isSw = (c) => c.name === "wasm-pmap-sw.js";
  const [pageBytes, pageGzip] = sum((c) => c.type === "chunk" && js(c) && !isSw(c));
  const [workerBytes, workerGzip] = sum((c) => isWorker(c) || isGlue(c));
  const [, glueGzip] = sum(isGlue);
  const [execBytes, execGzip] = sum(isExecutor);
  return {
    wasm_builtin_bytes: wasm.length,
    wasm_builtin_gzip: gz(wasm),
    js_page_bytes: pageBytes,
    js_page_gzip: pageGzip,
    js_worker_bytes: workerBytes,
    js_worker_gzip: workerGzip,
    js_glue_gzip: glueGzip,
    js_executor_bytes: execBytes,
    js_executor_gzip: execGzip,
  };
}
