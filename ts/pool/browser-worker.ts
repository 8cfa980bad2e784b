/**
 * Runs on the page. The browser backend of the worker seam (backend.ts): a module `Worker`
 * running ts/worker/entry.ts. The only file of the pool that touches the `Worker` API.
 */
import type { SpawnWorker } from "./backend.js";

export const spawnBrowserWorker: SpawnWorker = (name, events) => {
  // Written literally so bundlers (Vite, webpack, esbuild) see and emit the worker; a module
  // worker from our own origin keeps `worker-src 'self'` CSPs happy. The SyncExecutor is this
  // same script, so its URL must be inside the coordinator's scope.
  const worker = new Worker(new URL("../worker/entry.js", import.meta.url), { type: "module", name });
  let dead = false;
  worker.onmessage = (e) => events.message(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault(); // reported by the pool, not as an uncaught error on the page
    if (dead) return;
    dead = true;
    events.error(e.message || "worker script error");
  };
  return {
    post: (msg, transfer = []) => worker.postMessage(msg, transfer),
    terminate: () => {
      dead = true;
      worker.terminate();
    },
  };
};
