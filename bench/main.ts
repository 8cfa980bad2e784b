// The bench page: runs in headless Chromium (driven by bench/run.mjs) and leaves its
// results in `window.__bench`. Every figure is a median of several runs in one session,
// so ratios compare like with like on the same noisy machine. `?quick` (the smoke test in
// `npm test`): a small image, one run each, the slow sections skipped; every variant still
// runs end to end and is checked.
import { createPool, type Pool } from "../dist/index.js";
import { encodeRequest, Mode } from "../dist/protocol/frames.js";
import { encodeValue } from "../dist/protocol/values.js";
import { concat, type Glue, mainThreadWasm, rowSpecs } from "./baseline.ts";
import { syncRoundTrips } from "./sync-round-trip.ts";
import { median, params, rounds, sha256Hex, sqrtInput, time } from "./timing.ts";
import { jsMainThread, startWorkerpool, workerpoolSqrt } from "./workerpool-peer.ts";

const P = params();
const SIZE = P.size;
const MAX_ITER = P.maxIter;
const RUNS = P.runs;

const specs = rowSpecs(SIZE, MAX_ITER);

async function main() {
  const out: Record<string, number | string> = {};
  const base = await mainThreadWasm(specs);
  const digest = base.digest;
  out.digest = digest;

  // Mandelbrot: every variant started and warmed up (its first image, checked), then timed
  // in interleaved rounds (bench/timing.ts `rounds`).
  const img = { width: SIZE, height: SIZE, maxIter: MAX_ITER };
  if ((await sha256Hex(jsMainThread(img))) !== digest) throw new Error("the JS kernel's image differs from wasm's");
  const pools = new Map<number, Pool>();
  const wps = [];
  const variants: Record<string, () => unknown> = { mainThreadMs: base.draw, jsMainMs: () => jsMainThread(img) };
  for (const w of P.counts) {
    const pool: Pool = await createPool({ concurrency: w });
    if ((await sha256Hex(concat(await pool.map("mandelbrotRow", specs)))) !== digest)
      throw new Error(`wasm-pmap, ${w} workers: the image differs from the main thread's`);
    pools.set(w, pool);
    const wp = await startWorkerpool(img, w, digest);
    wps.push(wp);
    variants[`pool${w}Ms`] = () => pool.map("mandelbrotRow", specs);
    variants[`workerpool${w}Ms`] = wp.draw;
  }
  Object.assign(out, await rounds(RUNS, variants));

  // Per-call overhead: one tiny call, main → worker → main, through the whole API, against
  // a raw postMessage echo on the same page.
  const pool2 = pools.get(2)!;
  for (let i = 0; i < 200; i++) await pool2.call("double", i); // warm-up
  const calls = [];
  for (let run = 0; run < RUNS; run++)
    calls.push(
      (await time(1, async () => {
        for (let i = 0; i < 500; i++) await pool2.call("double", i);
      })) * 2,
    );
  out.callRoundTripUs = median(calls);
  for (const p of pools.values()) p.terminate();

  const workerpoolJs: Record<string, number> = { ms_main: out.jsMainMs as number };
  for (const w of P.counts) workerpoolJs[`ms_${w}w`] = out[`workerpool${w}Ms`] as number;
  const xs = sqrtInput(P.sqrtN);
  for (const wp of wps) {
    Object.assign(workerpoolJs, await workerpoolSqrt(wp, RUNS, xs));
    await wp.pool.terminate();
  }

  await transport(base.glue, out);
  await echoRoundTrip(out);
  if (!P.quick) await slowSections(out);
  return { figures: out, peers: { workerpool_js: workerpoolJs } };
}

/**
 * Sync mode and the encoder comparison: skipped by `--quick` (a service worker, a second
 * module, seconds of runs).
 */
async function slowSections(out: Record<string, number | string>): Promise<void> {
  // Sync mode: one collect_vec_sync() per sync path next to collect_vec().await
  // (bench/sync-round-trip.ts). The test-kernels module carries the round-trip job, and
  // also the bench-only `__wasmPmapEncodeCbor` export (wasm-pmap's `bench` cargo feature),
  // used for the encoder comparison below.
  const testModule = {
    wasm: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels_bg.wasm", import.meta.url),
    glue: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels.js", import.meta.url),
  };
  const rust = (await import(/* @vite-ignore */ testModule.glue.href)) as {
    default(o: { module_or_path: URL }): Promise<unknown>;
    asyncRoundTripMs(n: number, items: number): Promise<number>;
    __wasmPmapEncodeCbor(v: unknown): Uint8Array;
  };
  await rust.default({ module_or_path: testModule.wasm });
  await syncRoundTrips({ module: testModule, rust }, out);

  // Turning JS values into CBOR on the main thread: cbor-x vs serde-wasm-bindgen + ciborium,
  // on ≈ 1 MB of structured items.
  const payload = Array.from({ length: 12_000 }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    position: [i * 0.5, i * 1.25, -i],
    tags: ["alpha", "beta", i % 3 === 0 ? "gamma" : "delta"],
    active: i % 2 === 0,
  }));
  out.cborBytes = encodeValue(payload).byteLength;
  out.cborxEncodeMs = await time(15, () => encodeValue(payload));
  out.wasmEncodeMs = await time(15, () => rust.__wasmPmapEncodeCbor(payload));
}

/** The raw postMessage echo that `pool.call` is compared with. */
async function echoRoundTrip(out: Record<string, number | string>): Promise<void> {
  const echo = new Worker(new URL("./echo-worker.ts", import.meta.url), { type: "module" });
  const roundTrip = (i: number) =>
    new Promise((r) => {
      echo.onmessage = r;
      echo.postMessage(i);
    });
  for (let i = 0; i < 200; i++) await roundTrip(i);
  const raw = [];
  for (let run = 0; run < RUNS; run++)
    raw.push(
      (await time(1, async () => {
        for (let i = 0; i < 500; i++) await roundTrip(i);
      })) * 2,
    );
  out.rawRoundTripUs = median(raw);
  echo.terminate();
}

/**
 * Moving data: `sqrtF64` (a slice kernel, about the cheapest kernel there is) over a
 * Float64Array of 8 MB and 64 MB (8 MB only with `?quick`) — through the pool at each worker
 * count, with and without
 * `transfer`, against the same kernel run single-threaded in wasm on the main thread
 * (copy in, the loop, copy out: what a page does without a pool).
 */
async function transport(glue: Glue, out: Record<string, number | string>): Promise<void> {
  const frame = encodeRequest({
    call: "bench:slice",
    chunk: 0,
    kernel: "sqrtF64",
    mode: Mode.Slice,
    payload: new TextEncoder().encode("Float64Array"),
    context: null,
  });
  const pools = new Map<number, Pool>();
  for (const w of P.counts) {
    const p = await createPool({ concurrency: w });
    await p.map("sqrtF64", new Float64Array(1 << 20)); // warm-up: JIT, worker memory grown once
    pools.set(w, p);
  }
  const sizes = [["8mb", 1 << 20] as const, ["64mb", 8 << 20] as const].slice(0, P.quick ? 1 : 2);
  for (const [label, n] of sizes) {
    const xs = sqrtInput(n);
    const mb = xs.byteLength / 1e6;
    const check = (r: Float64Array) => {
      if (r.length !== n || r[n - 1] !== Math.sqrt(n - 0.5)) throw new Error(`sqrtF64 over ${label}: wrong result`);
    };
    glue.__wasmPmapRunSlice(frame, new Uint8Array(xs.buffer)); // warm-up
    const main = await time(RUNS, () => glue.__wasmPmapRunSlice(frame, new Uint8Array(xs.buffer)));
    out[`transport.main_ms_${label}`] = main;
    out[`transport.main_mb_per_s_${label}`] = mb / (main / 1000);
    for (const [w, p] of pools) {
      check(await p.map("sqrtF64", xs));
      const ms = await time(RUNS, () => p.map("sqrtF64", xs));
      out[`transport.ms_${w}w_${label}`] = ms;
      out[`transport.mb_per_s_${w}w_${label}`] = mb / (ms / 1000);
      // transfer: the caller gives its buffer up; a fresh copy per run, made outside the clock.
      const runs: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const mine = xs.slice();
        const t0 = performance.now();
        check(await p.map("sqrtF64", mine, { transfer: true }));
        runs.push(performance.now() - t0);
      }
      out[`transport.ms_${w}w_transfer_${label}`] = median(runs);
      // Streamed: the same bytes as 1 MiB arrays from an async iterable (pool.stream,
      // source.ts), each output dropped as it comes: memory held stays at maxInFlight arrays.
      out[`transport.ms_${w}w_stream_${label}`] = await time(RUNS, async () => {
        let got = 0;
        for await (const { value } of p.stream("sqrtF64", pieces(xs, 1 << 17))) got += value.length;
        if (got !== n) throw new Error(`sqrtF64 streamed over ${label}: ${got} outputs, expected ${n}`);
      });
    }
  }
  for (const p of pools.values()) p.terminate();
}

/** `xs` as consecutive arrays of `per` elements, from an async iterable (as a reader gives). */
async function* pieces(xs: Float64Array, per: number): AsyncGenerator<Float64Array> {
  for (let i = 0; i < xs.length; i += per) yield xs.subarray(i, i + per);
}

declare global {
  interface Window {
    __bench?: {
      ok: boolean;
      results?: { figures: Record<string, number | string>; peers: Record<string, Record<string, number>> };
      error?: string;
    };
  }
}
main().then(
  (results) => {
    window.__bench = { ok: true, results };
    document.getElementById("out")!.textContent = JSON.stringify(results, null, 2);
  },
  (err) => {
    window.__bench = { ok: false, error: String(err?.stack ?? err) };
  },
);
