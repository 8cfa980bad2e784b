// `npm run bench`: serves bench/ with Vite, opens it in headless Chromium, prints a table.
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium } from "playwright";
import { createServer } from "vite";
import { chromiumArgs, chromiumExecutable } from "../scripts/chromium.mjs";

const server = await createServer({
  configFile: false,
  root: process.cwd(),
  logLevel: "error",
  optimizeDeps: { include: ["cbor-x/index-no-eval"] },
  server: { port: 0, host: "127.0.0.1" },
});
await server.listen();
const url = `${server.resolvedUrls.local[0]}bench/index.html`;
const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("[page]", e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600_000 });
  const bench = await page.evaluate(() => window.__bench);
  if (!bench.ok) throw new Error(bench.error);
  const r = bench.results;
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const f = (x) => x.toFixed(1).padStart(8);
  console.log(`\nwasm-pmap bench — Chromium headless, ${cores} cores, medians of 5 runs\n`);
  console.log(`Mandelbrot 2048×2048, 256 iterations (mandelbrotRow, chunkSize auto)`);
  console.log(`  single-thread wasm, main thread  ${f(r.mainThreadMs)} ms`);
  console.log(`  pool, 1 worker                   ${f(r.pool1Ms)} ms`);
  console.log(`  pool, 2 workers                  ${f(r.pool2Ms)} ms`);
  console.log(`  speedup 2 workers vs 1 worker    ${f(r.pool1Ms / r.pool2Ms)} ×`);
  console.log(`  speedup 2 workers vs main thread ${f(r.mainThreadMs / r.pool2Ms)} ×`);
  console.log(`\nOne tiny call, main → worker → main (medians of 5 × 500)`);
  console.log(`  pool.call("double")              ${f(r.callRoundTripUs)} µs`);
  console.log(`  raw postMessage echo             ${f(r.rawRoundTripUs)} µs`);
  console.log(`  overhead of the whole API        ${f(r.callRoundTripUs - r.rawRoundTripUs)} µs`);
  console.log(`\nOne parallel-iterator collect of one item, Rust → pool → Rust (medians of 5 × 200)`);
  console.log(`  collect_vec_sync() in a sync job ${f(r.syncCollectUs)} µs   (executor blocked on a sync XHR)`);
  console.log(`  collect_vec().await, main thread ${f(r.asyncCollectUs)} µs`);
  console.log(`  sync / async                     ${f(r.syncCollectUs / r.asyncCollectUs)} ×`);
  console.log(`\nEncoding ${(r.cborBytes / 1e6).toFixed(2)} MB of structured items to CBOR (main thread)`);
  console.log(`  cbor-x                           ${f(r.cborxEncodeMs)} ms`);
  console.log(`  serde-wasm-bindgen + ciborium    ${f(r.wasmEncodeMs)} ms`);
  mkdirSync("bench/out", { recursive: true });
  writeFileSync("bench/out/results.json", `${JSON.stringify({ cores, ...r }, null, 2)}\n`);
  console.log(`\n(raw figures in bench/out/results.json)`);
} finally {
  await browser.close();
  await server.close();
}
