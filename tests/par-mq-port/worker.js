// A worker the app owns: `init_pool_sync_from_worker` makes it the SyncExecutor, and its
// Rust blocks on collect_vec_sync() itself (no job, no round trip through the page).
import init, { init_parallel_in_worker, msm_in_worker, workers } from "./pkg/port.js";

self.onmessage = async (e) => {
  try {
    await init();
    await init_parallel_in_worker(2, "./pkg/port_bg.wasm", "./pkg/port.js");
    self.postMessage({ msm: msm_in_worker(e.data.n), workers: workers() });
  } catch (err) {
    self.postMessage({ failed: `${err?.name}: ${err?.message ?? err}` });
  }
};
