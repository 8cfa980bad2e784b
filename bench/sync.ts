// The bench's sync-mode page: one `collect_vec_sync()` of one item, round trip, on each path
// — the pool's SyncExecutor (a job) and a worker the app owns (initPoolSyncFromWorker) —
// with `collect_vec().await` from main-thread wasm beside them. Loaded twice by
// bench/sync-paths.mjs: on a plain page (the executor blocks on a sync XHR to the
// coordinator service worker) and on a cross-origin-isolated one (Atomics.wait, no service
// worker). Results in `window.__sync`.
import { createPool } from "../dist/index.js";
import init, * as rust from "../tests/test-kernels/pkg/wasm_pmap_test_kernels.js";
import { median, params } from "./timing.ts";

const RUNS = params().runs;
const CALLS = 200;
const module = {
  wasm: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels_bg.wasm", import.meta.url),
  glue: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels.js", import.meta.url),
};

function ask(w: Worker, m: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the app worker did not answer in 120 s")), 120_000);
    w.onmessage = (e) => {
      clearTimeout(timer);
      e.data.ok ? resolve(e.data.value) : reject(new Error(e.data.error));
    };
    w.postMessage(m);
  });
}

async function main() {
  const isolated = crossOriginIsolated;
  const wait = isolated ? "atomics" : "xhr";
  if (!isolated) {
    // One coordinator for the whole origin: its scope must hold the app's worker (bench/) and
    // the package's relay (dist/worker/) — the bench server allows the root scope.
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    await navigator.serviceWorker.register(new URL("../dist/sw.js", import.meta.url), { type: "module", scope: "/" });
    await navigator.serviceWorker.ready;
  }
  await init({ module_or_path: module.wasm });
  const pool = (await createPool({ concurrency: 2, module, sync: isolated ? {} : { wait: "xhr" } })) as unknown as {
    execute(job: string, input: [number, number]): Promise<number>;
    exposeToRust(): Disposable;
    terminate(): void;
  };
  using _host = pool.exposeToRust();
  const app = new Worker(new URL("./sync-worker.ts", import.meta.url), { type: "module" });
  await ask(app, { type: "start" });
  // Warm-up, then interleaved rounds: each figure is a mean over CALLS calls, timed in Rust.
  await pool.execute("syncRoundTripMs", [50, 1]);
  await ask(app, { type: "loop", times: 50 });
  await rust.asyncRoundTripMs(50, 1);
  const job: number[] = [];
  const own: number[] = [];
  const async_: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    job.push(await pool.execute("syncRoundTripMs", [CALLS, 1]));
    own.push(await ask(app, { type: "loop", times: CALLS }));
    async_.push(await rust.asyncRoundTripMs(CALLS, 1));
  }
  app.terminate();
  pool.terminate();
  return {
    isolated,
    wait,
    us_job: median(job) * 1000,
    us_app_worker: median(own) * 1000,
    us_async: median(async_) * 1000,
  };
}

main().then(
  (results) => {
    (window as unknown as { __sync: unknown }).__sync = { ok: true, results };
    document.getElementById("out")!.textContent = JSON.stringify(results, null, 2);
  },
  (err: Error) => {
    (window as unknown as { __sync: unknown }).__sync = { ok: false, error: `${err.name}: ${err.message}` };
  },
);
