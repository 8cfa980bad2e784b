/**
 * Runs in a worker the app created. `initPoolSyncFromWorker`, the public entry of
 * app-executor.ts on the package's own relay script and built-in kernels.
 */
import { builtinModule } from "../pool/builtin.js";
import { startAppExecutor, type WorkerPool, type WorkerPoolOptions } from "./app-executor.js";

/**
 * Makes the calling worker — one the app created, whose script is in the coordinator's
 * scope (or any worker on a cross-origin-isolated page) — the pool's SyncExecutor, and
 * starts the compute workers. Afterwards Rust code running in this worker calls
 * `collect_vec_sync()` (blocking) and `try_collect_vec().await` directly: no job, no
 * `pool.execute`, nothing through the page. See README "Sync mode from your own worker".
 *
 * @example
 * ```ts
 * // app-worker.ts, started by the page with new Worker(url, { type: "module" })
 * import init, { solve } from "./pkg/my_crate.js";
 * import { initPoolSyncFromWorker } from "wasm-pmap";
 * const module = { wasm: new URL("./pkg/my_crate_bg.wasm", import.meta.url),
 *                  glue: new URL("./pkg/my_crate.js", import.meta.url) };
 * await init({ module_or_path: module.wasm });
 * await initPoolSyncFromWorker({ module });
 * self.onmessage = (e) => self.postMessage(solve(e.data)); // solve() calls collect_vec_sync()
 * ```
 */
export function initPoolSyncFromWorker(opts: WorkerPoolOptions = {}): Promise<WorkerPool> {
  return startAppExecutor(
    { ...opts, module: opts.module ?? builtinModule },
    // Written literally so bundlers see and emit the relay's script.
    () => new Worker(new URL("./relay-entry.js", import.meta.url), { type: "module", name: "wasm-pmap-relay" }),
  );
}
