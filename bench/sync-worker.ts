// The bench's app-owned worker: initPoolSyncFromWorker, then `directSyncLoop` (Rust calling
// collect_vec_sync() itself, one item per call) timed from inside Rust. Driven by sync.ts.
import { initPoolSyncFromWorker } from "../dist/index.js";
import init, * as rust from "../tests/test-kernels/pkg/wasm_pmap_test_kernels.js";

const module = {
  wasm: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels_bg.wasm", import.meta.url),
  glue: new URL("../tests/test-kernels/pkg/wasm_pmap_test_kernels.js", import.meta.url),
};

self.onmessage = async (e: MessageEvent<{ type: "start" } | { type: "loop"; times: number }>) => {
  try {
    if (e.data.type === "start") {
      await init({ module_or_path: module.wasm });
      await initPoolSyncFromWorker({ concurrency: 2, module, sync: { scope: "/" } });
      self.postMessage({ ok: true, value: 0 });
    } else self.postMessage({ ok: true, value: rust.directSyncLoop(100, e.data.times, 1) });
  } catch (err) {
    self.postMessage({ ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
  }
};
