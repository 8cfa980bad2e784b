// The big-integer bench's worker, one the app owns (bench.js starts it): its Rust makes it
// the SyncExecutor (`init_pool_sync_from_worker`) and blocks on collect_vec_sync() itself.
// Each run is timed here, around the blocking call alone.
import init, { limbsInitWorker, limbsWorker } from "./pkg/app.js";

self.onmessage = async (e) => {
  try {
    if (e.data.type === "start") {
      await init();
      await limbsInitWorker();
      self.postMessage({});
    } else {
      const t0 = performance.now();
      const digest = limbsWorker(e.data.n);
      self.postMessage({ ms: performance.now() - t0, digest });
    }
  } catch (err) {
    self.postMessage({ failed: `${err?.name}: ${err?.message ?? err}` });
  }
};
