// The page's JavaScript, as wasm-par-mq's README has it (`await init(); await
// init_parallel(…)`), then each mode once; what it saw goes to window.__result for
// tests/e2e/par-mq-port.test.ts. A file, not an inline script: the page runs under a strict CSP.
import init, {
  double_all,
  double_all_sync,
  init_parallel,
  init_parallel_sync,
  msm_async,
  msm_sequential,
  msm_sync,
  workers,
} from "./pkg/port.js";

const N = 96; // terms of the msm-shaped workload

window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
);

/** The app's own worker's report (it starts its own pool from Rust). */
function inWorker() {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (e) => {
      resolve(e.data);
      worker.terminate();
    };
    worker.onerror = (e) => resolve({ failed: `worker error: ${e.message}` });
    worker.postMessage({ n: N });
  });
}

try {
  await init();
  const reference = msm_sequential(N);
  await init_parallel(2, "./pkg/port_bg.wasm", "./pkg/port.js");
  const data = Uint32Array.from({ length: 1000 }, (_, i) => i);
  const doubled = await double_all(data);
  const asyncMsm = await msm_async(N);
  const asyncWorkers = workers();
  await init_parallel_sync(2, "./pkg/port_bg.wasm", "./pkg/port.js", "./sw.js");
  const doubledSync = await double_all_sync(Int32Array.from([1, -2, 3, 2 ** 29]));
  const syncMsm = await msm_sync(N);
  const worker = await inWorker();
  window.__result = {
    reference,
    doubled: doubled.length === 1000 && doubled.every((x, i) => x === 2 * i),
    asyncMsm,
    asyncWorkers,
    doubledSync: Array.from(doubledSync),
    syncMsm,
    worker,
  };
} catch (e) {
  window.__result = { failed: `${e?.name}: ${e?.message ?? e}` };
}
