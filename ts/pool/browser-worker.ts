/**
 * Runs on the page. The package's worker backend: module `Worker`s running
 * ts/worker/entry.ts (spawn-worker.ts wraps them for the pool).
 */
import { spawnWorkerWith } from "./spawn-worker.js";

// Written literally so bundlers (Vite, webpack, esbuild) see and emit the worker; a module
// worker from our own origin keeps `worker-src 'self'` CSPs happy. The SyncExecutor is this
// same script, so its URL must be inside the coordinator's scope.
export const spawnBrowserWorker = spawnWorkerWith(
  (name) => new Worker(new URL("../worker/entry.js", import.meta.url), { type: "module", name }),
);
