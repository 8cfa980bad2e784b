// The bench page: runs in headless Chromium (driven by bench/run.mjs) and leaves its
// results in `window.__bench`. Every figure is a median of several runs in one session,
// so ratios compare like with like on the same noisy machine.
import { builtinModule, createPool, type Pool, type RowSpec } from "../dist/index.js";
import { decodeResponse, encodeRequest, encodeValue, Mode } from "../dist/protocol/frames.js";

interface Glue {
  initSync(o: { module: WebAssembly.Module }): unknown;
  __wasmPmapRun(frame: Uint8Array): Uint8Array;
  __wasmPmapRunSlice(frame: Uint8Array, data: Uint8Array): [Uint8Array, Uint8Array?];
}

const SIZE = 2048;
const MAX_ITER = 256;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(runs: number, f: () => Promise<unknown> | unknown): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

const specs: RowSpec[] = Array.from({ length: SIZE }, (_, y) => ({ y, width: SIZE, height: SIZE, maxIter: MAX_ITER }));

async function main() {
  const out: Record<string, number | string> = {};
  const module = await WebAssembly.compileStreaming(fetch(builtinModule.wasm as URL));
  const glue = (await import(/* @vite-ignore */ (builtinModule.glue as URL).href)) as Glue;
  glue.initSync({ module });

  // Single-thread wasm on the main thread: the same kernel, the whole image in one frame.
  const frame = encodeRequest({
    call: "bench:0",
    chunk: 0,
    kernel: "mandelbrotRow",
    mode: 0,
    payload: encodeValue(specs),
    context: null,
  });
  const check = decodeResponse(glue.__wasmPmapRun(frame));
  if (!check.ok) throw new Error(`main-thread baseline failed: ${check.failure.message}`);
  out.mainThreadMs = await time(RUNS, () => glue.__wasmPmapRun(frame));

  for (const workers of [1, 2]) {
    const pool: Pool = await createPool({ concurrency: workers });
    await pool.map("mandelbrotRow", specs.slice(0, 64)); // warm-up (JIT, first instantiation)
    out[`pool${workers}Ms`] = await time(RUNS, () => pool.map("mandelbrotRow", specs));
    if (workers === 2) {
      // Per-call overhead: one tiny call, main → worker → main, through the whole API,
      // against a raw postMessage echo on the same page.
      for (let i = 0; i < 200; i++) await pool.call("double", i); // warm-up
      const calls = [];
      for (let run = 0; run < RUNS; run++)
        calls.push(
          (await time(1, async () => {
            for (let i = 0; i < 500; i++) await pool.call("double", i);
          })) * 2,
        );
      out.callRoundTripUs = median(calls);
    }
    pool.terminate();
  }

  // Sync mode: one collect_vec_sync() of one item, from a job in the SyncExecutor (post the
  // chunk, block on the ticket's sync XHR wait, released when the page delivers the answer
  // to the coordinator service worker), against one
  // collect_vec().await of one item from main-thread wasm. Both through the same kernel.
  // The test-kernels module also carries the bench-only `__wasmPmapEncodeCbor` export
  // (wasm-pmap's `bench` cargo feature), used for the encoder comparison below.
  const testModule = {
    wasm: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels_bg.wasm", import.meta.url),
    glue: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels.js", import.meta.url),
  };
  const rust = (await import(/* @vite-ignore */ testModule.glue.href)) as {
    default(o: { module_or_path: URL }): Promise<unknown>;
    asyncRoundTripMs(n: number): Promise<number>;
    __wasmPmapEncodeCbor(v: unknown): Uint8Array;
  };
  await rust.default({ module_or_path: testModule.wasm });
  {
    const pool = (await createPool({
      concurrency: 2,
      module: testModule,
      sync: { serviceWorker: new URL("../dist/sw.js", import.meta.url) },
    })) as unknown as {
      execute(job: string, n: number): Promise<number>;
      exposeToRust(): Disposable;
      terminate(): void;
    };
    using _host = pool.exposeToRust();
    await pool.execute("syncRoundTripMs", 50); // warm-up
    await rust.asyncRoundTripMs(50);
    const syncMs = [],
      asyncMs = [];
    for (let run = 0; run < RUNS; run++) {
      syncMs.push(await pool.execute("syncRoundTripMs", 200));
      asyncMs.push(await rust.asyncRoundTripMs(200));
    }
    out.syncCollectUs = median(syncMs) * 1000;
    out.asyncCollectUs = median(asyncMs) * 1000;
    pool.terminate();
  }

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

  await transport(glue, out);
  return out;
}

/**
 * Moving data: `sqrtF64` (a slice kernel, about the cheapest kernel there is) over a
 * Float64Array of 8 MB and 64 MB — through the pool at 1 and 2 workers, with and without
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
  for (const w of [1, 2]) {
    const p = await createPool({ concurrency: w });
    await p.map("sqrtF64", new Float64Array(1 << 20)); // warm-up: JIT, worker memory grown once
    pools.set(w, p);
  }
  for (const [label, n] of [
    ["8mb", 1 << 20],
    ["64mb", 8 << 20],
  ] as const) {
    const xs = Float64Array.from({ length: n }, (_, i) => i + 0.5);
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
    }
  }
  for (const p of pools.values()) p.terminate();
}

declare global {
  interface Window {
    __bench?: { ok: boolean; results?: Record<string, number | string>; error?: string };
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
