/**
 * Runs on the page. The browser backend of the worker seam (backend.ts), for any worker
 * script: wraps a module `Worker` that `create` starts. The package's own script is named
 * in browser-worker.ts; the Rust runtime (ts/rust/) spawns its own file instead.
 */
import type { SpawnWorker } from "./backend.js";

/**
 * A {@link SpawnWorker} over `create(name)`, which must start a module `Worker` running the
 * worker entry (ts/worker/serve.ts). Why a factory and not a URL: bundlers only see a worker
 * written as a literal `new Worker(new URL("…", import.meta.url))`, so the call that names
 * the script must stay with its caller.
 */
export function spawnWorkerWith(create: (name: string) => Worker): SpawnWorker {
  return (name, events) => {
    const worker = create(name);
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
}
