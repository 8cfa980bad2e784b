// `npm run bench`: serves bench/ with Vite, opens it in headless Chromium, prints tables
// (wasm-pmap next to its peers: single-thread wasm, wasm-bindgen-rayon, workerpool), writes
// every figure under stable keys to bench/out/results.json and draws bench/out/speedup.svg
// (copied to docs/bench-speedup.svg for the README). Also the Rust app's big-integer
// workload on every sync and async path, and its bytes (bench/big-ints.mjs).
// `npm run bench -- --quick`: the smoke test in `npm test` — a small image, one run each,
// no start-up or size sections; every variant runs and is checked; figures go to
// bench/out/results-quick.json and are not meaningful.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright";
import { build, createServer } from "vite";
import { chromiumArgs, chromiumExecutable } from "../scripts/chromium.mjs";
import { printBigInts, runBigInts, rustAppBytes } from "./big-ints.mjs";
import { speedupSvg } from "./chart.mjs";
import { detailFigures, printDetails } from "./details.mjs";
import { runFirefox, runWebKit } from "./engines.mjs";
import { buildRayonPeer, isolateRayonPage, printTable, runRayonPage, withSpeedups } from "./peers.mjs";
import { measureRustBytes, printRustBytes } from "./rust-bytes.mjs";
import { printSyncPaths, runSyncPaths, syncBenchHeaders } from "./sync-paths.mjs";

const QUICK = process.argv.includes("--quick");
const STARTUP_RUNS = 7;
// The page parameters (bench/timing.ts reads them): image side, iterations, runs, and the
// memory-bound case's length (1 Mi doubles = 8 MB quick, 8 Mi = 64 MB full).
const SIZE = QUICK ? 256 : 2048;
const MAX_ITER = QUICK ? 64 : 256;
const RUNS = QUICK ? 1 : 5;
const SQRT_N = QUICK ? 1 << 20 : 8 << 20;
const SQRT_LABEL = QUICK ? "8mb" : "64mb";
// The big-integer workload's items (~40 µs of wasm each: 8000 ≈ 0.3 s single-threaded).
const BIG_INT_ITEMS = QUICK ? 200 : 8000;
const query = `?size=${SIZE}&iter=${MAX_ITER}&runs=${RUNS}&sqrtN=${SQRT_N}${QUICK ? "&quick" : ""}`;

console.log("[bench] building the wasm-bindgen-rayon peer (bench/rayon-peer/build.sh, cached)");
const rayonBuild = buildRayonPeer();
if (!rayonBuild.ok) console.log(`[bench] wasm-bindgen-rayon peer skipped: ${rayonBuild.reason}`);

const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: "error",
  plugins: [isolateRayonPage(), syncBenchHeaders()],
  // Pre-bundled up front: discovering a dependency mid-run makes Vite reload the page.
  optimizeDeps: { include: ["cbor-x/index-no-eval", "workerpool"] },
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
  for (let i = 0; i < (QUICK ? 0 : STARTUP_RUNS + 1); i++) {
    for (const variant of ["ours", "hand", "raw"]) {
      const p = await context.newPage();
      await p.goto(`${base}bench/startup.html?variant=${variant}`);
      await p.waitForFunction(() => window.__startup, null, { timeout: 60_000 });
      const r = await p.evaluate(() => window.__startup);
      await p.close();
      if (!r.ok) throw new Error(r.error);
      if (i === 0) continue; // the very first load fills Vite's transform cache
      if (variant === "ours") {
        startup.ours.push(r.results.ms_first_result_2w);
        startup.oursReady.push(r.results.ms_ready_2w);
      }
      if (variant === "hand") {
        startup.hand.push(r.results.ms_first_result_2w);
        startup.handCompile.push(r.results.ms_compile);
      }
      if (variant === "raw") startup.raw.push(r.results.ms_first_answer);
    }
  }

  await page.goto(`${base}bench/index.html${query}`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 900_000 });
  const bench = await page.evaluate(() => window.__bench);
  if (!bench.ok) throw new Error(bench.error);
  const r = bench.results.figures;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const counts = [...new Set([1, 2, cores])].sort((a, b) => a - b);
  const version = browser.version();
  const sizes = QUICK ? {} : await measureSizes();
  // Builds (cargo + wasm-bindgen), not timings: before the pages run, so they share no CPU.
  const rustBytes = QUICK ? undefined : measureRustBytes();

  // The SharedArrayBuffer ceiling, on its own cross-origin isolated page of the same server.
  const rayon = rayonBuild.ok ? await runRayonPage(context, `${base}bench/rayon.html${query}`) : rayonBuild;
  if (rayon.ok && rayon.digest !== r.digest)
    throw new Error("wasm-bindgen-rayon drew a different image from wasm-pmap's mandelbrotRow");
  if (!rayon.ok && rayonBuild.ok) console.log(`[bench] wasm-bindgen-rayon peer failed: ${rayon.reason}`);

  const runsNote = QUICK
    ? "--quick: 1 run each, figures not meaningful"
    : `medians of ${RUNS} interleaved rounds after a warm-up`;
  console.log(`\nwasm-pmap bench — Chromium ${version} headless, ${cores} cores, ${runsNote}`);

  // Mandelbrot: every variant against single-thread wasm on the main thread.
  const mainMs = r.mainThreadMs;
  const byCount = (get) => Object.fromEntries(counts.map((w) => [w, get(w)]));
  const pmap = withSpeedups(Object.fromEntries(counts.map((w) => [`ms_${w}w`, r[`pool${w}Ms`]])), mainMs, counts);
  const wp = bench.results.peers.workerpool_js;
  const workerpool = withSpeedups(wp, mainMs, counts);
  // Against the single-thread run on its own page, timed in the same rounds.
  const rayonFig = rayon.ok ? withSpeedups(rayon.results, rayon.results.ms_main, counts) : null;
  printTable(
    `Mandelbrot ${SIZE}×${SIZE}, ${MAX_ITER} iterations, one image: ms and speedup vs single-thread wasm, interleaved rounds (same image checked)`,
    counts,
    mainMs,
    [
      ["single-thread wasm, main thread", `${mainMs.toFixed(1).padStart(8)} ms  1.00×`],
      ["wasm-pmap (mandelbrotRow, chunkSize auto)", byCount((w) => pmap[`ms_${w}w`])],
      [
        "wasm-bindgen-rayon (SAB, COOP/COEP, worker)",
        rayon.ok ? byCount((w) => rayonFig[`ms_${w}w`]) : `unavailable: ${rayon.reason}`,
        rayonFig?.ms_main,
      ],
      ...(rayon.ok
        ? [["  ↳ 1× for it: single-thread wasm on its page", `${rayonFig.ms_main.toFixed(1).padStart(8)} ms`]]
        : []),
      ["workerpool + the kernel in JS", byCount((w) => workerpool[`ms_${w}w`])],
      [
        "the kernel in JS, main thread",
        `${wp.ms_main.toFixed(1).padStart(8)} ms ${(mainMs / wp.ms_main).toFixed(2).padStart(5)}×`,
      ],
    ],
  );

  const sqrtMain = r[`transport.main_ms_${SQRT_LABEL}`];
  const sq = (fig) => byCount((w) => fig[`sqrt_ms_${w}w_${SQRT_LABEL}`]);
  printTable(
    `Memory-bound: sqrt over a ${SQRT_LABEL.replace("mb", " MB")} Float64Array (wasm-pmap: the sqrtF64 slice kernel): ms and ratio vs main thread`,
    counts,
    sqrtMain,
    [
      ["single-thread wasm, main thread", `${sqrtMain.toFixed(1).padStart(8)} ms  1.00×`],
      ["wasm-pmap", byCount((w) => r[`transport.ms_${w}w_${SQRT_LABEL}`])],
      ["wasm-pmap, transfer: true", byCount((w) => r[`transport.ms_${w}w_transfer_${SQRT_LABEL}`])],
      ["wasm-pmap, streamed: 1 MB arrays (pool.stream)", byCount((w) => r[`transport.ms_${w}w_stream_${SQRT_LABEL}`])],
      ["wasm-bindgen-rayon (copied into shared memory)", rayon.ok ? sq(rayon.results) : `unavailable: ${rayon.reason}`],
      ["workerpool + JS (chunks copied, transferred)", sq(wp)],
    ],
  );

  // The same Mandelbrot line in the other engines users ship to: Firefox, and WebKit (the
  // engine Safari shares; WebKitGTK's MiniBrowser, under Xvfb: it has no headless mode).
  const ff = await runFirefox(base, query);
  printEngine(`Firefox${ff.ok ? ` ${ff.version}` : ""} (headless)`, ff);
  const wk = await runWebKit(base, query);
  printEngine(`WebKit (WebKitGTK${wk.ok ? ` ${wk.version}` : ""}, MiniBrowser under Xvfb)`, wk);

  if (!QUICK) printDetails(r, startup, sizes);

  const syncPaths = await runSyncPaths(browser, base, QUICK ? 1 : RUNS);
  printSyncPaths(syncPaths);
  if (rustBytes) printRustBytes(rustBytes);

  const bigInts = await runBigInts(browser, { n: BIG_INT_ITEMS, runs: RUNS });
  const appBytes = rustAppBytes();
  printBigInts(bigInts, appBytes);

  const mb = (SQRT_N * 8) / 1e6;
  const sqrtFigures = (fig, key) =>
    Object.fromEntries(
      counts.flatMap((w) => {
        const ms = fig[key(w)];
        return [
          [`sqrt_ms_${w}w_${SQRT_LABEL}`, ms],
          [`sqrt_mb_per_s_${w}w_${SQRT_LABEL}`, mb / (ms / 1000)],
        ];
      }),
    );
  const mandelbrot = { width: SIZE, height: SIZE, max_iter: MAX_ITER, workers_hc: counts.at(-1), ms_main: mainMs };
  Object.assign(mandelbrot, pmap);
  Object.assign(results, {
    machine: { cores, browser: `Chromium ${version}`, quick: QUICK },
    mandelbrot,
    peers: {
      wasm_bindgen_rayon: rayon.ok
        ? {
            available: true,
            ...rayonFig,
            ratio_2w_vs_wasm_pmap: rayonFig.ms_2w / pmap.ms_2w,
            ...sqrtFigures(rayon.results, (w) => `sqrt_ms_${w}w_${SQRT_LABEL}`),
          }
        : { available: false, reason: rayon.reason },
      workerpool_js: {
        available: true,
        ...workerpool,
        speedup_main_js_vs_main_wasm: mainMs / wp.ms_main,
        ratio_2w_vs_wasm_pmap: workerpool.ms_2w / pmap.ms_2w,
        ...sqrtFigures(wp, (w) => `sqrt_ms_${w}w_${SQRT_LABEL}`),
      },
      wasm_pmap: {
        ...sqrtFigures(r, (w) => `transport.ms_${w}w_${SQRT_LABEL}`),
        ...Object.fromEntries(
          counts.flatMap((w) => [
            [`sqrt_ms_${w}w_transfer_${SQRT_LABEL}`, r[`transport.ms_${w}w_transfer_${SQRT_LABEL}`]],
            [`sqrt_ms_${w}w_stream_${SQRT_LABEL}`, r[`transport.ms_${w}w_stream_${SQRT_LABEL}`]],
            [
              `sqrt_mb_per_s_${w}w_stream_${SQRT_LABEL}`,
              (SQRT_N * 8) / 1e6 / (r[`transport.ms_${w}w_stream_${SQRT_LABEL}`] / 1000),
            ],
          ]),
        ),
      },
      single_thread_wasm: { ms_mandelbrot: mainMs, [`sqrt_ms_${SQRT_LABEL}`]: sqrtMain },
    },
    firefox: engineFigures(`Firefox ${ff.version}`, ff),
    webkit: engineFigures(`WebKitGTK ${wk.version}`, wk),
    ...(QUICK ? {} : detailFigures(r, startup, sizes)),
    sync_paths: syncPaths,
    big_ints: bigInts,
    rust_app_bytes: appBytes,
    ...(rustBytes ? { rust_bytes: rustBytes } : {}),
  });
  const series = [
    { name: "wasm-pmap", color: "#d9480f", fig: pmap },
    { name: "wasm-bindgen-rayon (SAB)", color: "#1c7ed6", fig: rayonFig },
    { name: "workerpool + JS", color: "#2f9e44", fig: workerpool },
  ]
    .filter((s) => s.fig)
    .map(({ name, color, fig }) => ({ name, color, points: counts.map((w) => [w, fig[`speedup_${w}w_vs_main`]]) }));
  const svg = speedupSvg({
    title: `Mandelbrot ${SIZE}², ${MAX_ITER} iterations: speedup vs single-thread wasm`,
    subtitle: `1× = single-thread wasm on the main thread · Chromium ${version.split(".")[0]}, ${cores} cores · ${QUICK ? "--quick" : `medians of ${RUNS} interleaved rounds`}`,
    counts,
    series,
  });
  mkdirSync("bench/out", { recursive: true });
  const stem = QUICK ? "-quick" : "";
  writeFileSync(`bench/out/results${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`bench/out/speedup${stem}.svg`, svg);
  if (!QUICK) copyFileSync("bench/out/speedup.svg", "docs/bench-speedup.svg");
  console.log(`\n(every figure in bench/out/results${stem}.json; chart in bench/out/speedup${stem}.svg)`);
} finally {
  await browser.close();
  await server.close();
}

/**
 * What a user ships: the built-in kernels' wasm, and a Vite production build of a page that
 * imports `wasm-pmap` (bench/size-app): its page chunk(s), the compute worker's, and the
 * executor's own worker script. gzip -9 as a server would.
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
  // by URL). Executor: the SyncExecutor's own worker script (executor-entry).
  const js = (c) => c.name.endsWith(".js");
  const isWorker = (c) => /(^|\/)entry-[\w-]+\.js$/.test(c.name);
  const isGlue = (c) => /(^|\/)wasm_pmap_kernels-[\w-]+\.js$/.test(c.name);
  const isExecutor = (c) => /(^|\/)executor-entry-[\w-]+\.js$/.test(c.name);
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

/** Prints one engine's Mandelbrot line (bench/engine.ts's figures). */
function printEngine(name, run) {
  console.log(`\nMandelbrot ${SIZE}×${SIZE} in ${name}, interleaved rounds, same image checked`);
  if (!run.ok) return console.log(`  unavailable: ${run.reason}`);
  const f = run.results;
  console.log(`  single-thread wasm, main thread            ${f.ms_main.toFixed(1).padStart(8)} ms  1.00×`);
  for (const w of [1, 2])
    console.log(
      `  wasm-pmap, ${w} worker${w > 1 ? "s" : " "}                         ${f[`ms_${w}w`].toFixed(1).padStart(8)} ms ${(f.ms_main / f[`ms_${w}w`]).toFixed(2).padStart(5)}×`,
    );
}

/** One engine's figures for results.json. */
function engineFigures(browser, run) {
  if (!run.ok) return { available: false, reason: run.reason };
  const f = run.results;
  return {
    available: true,
    browser,
    mandelbrot_ms_main: f.ms_main,
    mandelbrot_ms_1w: f.ms_1w,
    mandelbrot_ms_2w: f.ms_2w,
    mandelbrot_speedup_2w_vs_main: f.ms_main / f.ms_2w,
  };
}
