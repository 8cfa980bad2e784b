/**
 * Runs on the page. The package's worker backend: module `Worker`s running
 * ts/worker/entry.ts (spawn-worker.ts wraps them for the pool).
 */
import { EXECUTOR_NAME } from "./backend.js";
import { spawnWorkerWith } from "./spawn-worker.js";

// Written literally so bundlers (Vite, webpack, esbuild) see and emit the workers; a module
// worker from our own origin keeps `worker-src 'self'` CSPs happy. The SyncExecutor runs the
// same code from a script of its own (executor-entry.js, see EXECUTOR_NAME in backend.ts),
// whose URL must be inside the coordinator's scope.
export const spawnBrowserWorker = spawnWorkerWith((name) =>
  name === EXECUTOR_NAME
    ? new Worker(new URL("../worker/executor-entry.js", import.meta.url), { type: "module", name })
    : new Worker(new URL("../worker/entry.js", import.meta.url), { type: "module", name }),
);
