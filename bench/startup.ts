// Start-up, measured in a page where nothing else ran (bench/run.mjs loads it afresh for
// each run, HTTP cache warm as for a returning visitor): `createPool` with 2 workers → the
// first result, against a raw module worker's start and a hand-written shared-Module pool.
// Run order alternates between pages (`?order=`) so neither always goes first.
import { builtinModule, createPool } from "../dist/index.js";
import { encodeRequest } from "../dist/protocol/frames.js";
import { encodeValue } from "../dist/protocol/values.js";

declare global {
  interface Window {
    __startup?: { ok: boolean; results?: Record<string, number>; error?: string };
  }
}

async function ours(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const pool = await createPool({ concurrency: 2 });
  const ready = performance.now();
  await pool.call("double", 1);
  const first = performance.now();
  pool.terminate();
  return { ms_ready_2w: ready - t0, ms_first_result_2w: first - t0 };
}

/** A hand-written pool: compile on the page, 2 workers import the glue and instantiate the
 * posted Module, then one frame through one of them. */
async function handWritten(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const module = await WebAssembly.compileStreaming(fetch(builtinModule.wasm as URL));
  const compiled = performance.now();
  const workers = [0, 1].map(() => new Worker(new URL("./raw-pool-worker.ts", import.meta.url), { type: "module" }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((r) => {
          w.onmessage = r;
          w.postMessage({ module, glue: (builtinModule.glue as URL).href });
        }),
    ),
  );
  const frame = encodeRequest({
    call: "bench:1",
    chunk: 0,
    kernel: "double",
    mode: 0,
    payload: encodeValue([1]),
    context: null,
  });
  await new Promise((r) => {
    workers[0]!.onmessage = r;
    workers[0]!.postMessage(frame.buffer, [frame.buffer]);
  });
  const first = performance.now();
  for (const w of workers) w.terminate();
  return { ms_compile: compiled - t0, ms_first_result_2w: first - t0 };
}

/** A raw module worker: `new Worker` → its first answer. */
async function rawWorker(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const w = new Worker(new URL("./echo-worker.ts", import.meta.url), { type: "module" });
  await new Promise((r) => {
    w.onmessage = r;
    w.postMessage(1);
  });
  const first = performance.now();
  w.terminate();
  return { ms_first_answer: first - t0 };
}

const which = new URL(location.href).searchParams.get("variant");
const run = which === "hand" ? handWritten : which === "raw" ? rawWorker : ours;
run().then(
  (results) => {
    window.__startup = { ok: true, results };
  },
  (err) => {
    window.__startup = { ok: false, error: String(err?.stack ?? err) };
  },
);
