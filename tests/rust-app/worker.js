// A worker the Rust app owns (started by isolated.js): its Rust makes it the SyncExecutor
// (`init_pool_sync_from_worker`) and blocks on collect_vec_sync() itself.
import init, { workerMain, workerOptions } from "./pkg/app.js";

self.onmessage = async (e) => {
  try {
    await init();
    const right = await workerMain(e.data.times, e.data.n);
    self.postMessage({ right, options: await workerOptions() });
  } catch (err) {
    self.postMessage({ failed: `${err?.name}: ${err?.message ?? err}` });
  }
};
