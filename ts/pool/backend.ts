/**
 * Runs on the page. The worker seam: how the dispatcher starts and talks to a worker,
 * whatever runs it — a browser `Worker` (spawn-worker.ts), a test's scripted fake
 * (tests/node/), later a Node.js `worker_threads` backend. Nothing above this file knows
 * which one it drives.
 */
import type { FromWorker, ToWorker } from "../protocol/messages.js";

/**
 * The SyncExecutor's worker name. A backend starts it from a script URL of its own, not the
 * compute workers' (browser-worker.ts, ts/rust/init.ts): WebKit lets the coordinator service
 * worker control only the first of several module workers of one URL started together, and
 * the executor is the one whose requests it must see.
 */
export const EXECUTOR_NAME = "wasm-pmap-executor";

/** What a worker reports to the pool. */
export interface WorkerEvents {
  message(msg: FromWorker): void;
  /** The worker died or never started: script error, missing script, out of memory, or it
   * closed itself after an unrecoverable trap. Called at most once. */
  error(reason: string): void;
}

/** One worker, as the pool holds it. */
export interface PoolWorker {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  /** Stops it at once (the only way to stop running wasm). No event follows. */
  terminate(): void;
}

/**
 * Starts one worker running a worker entry: the package's (ts/worker/entry.ts, through
 * browser-worker.ts) or the Rust runtime's own file (ts/rust/init.ts); both serve the pool
 * with ts/worker/serve.ts. `name`
 * (`wasm-pmap-<i>`, `wasm-pmap-executor`) shows in devtools, and lets Rust's panic hook
 * know it runs inside a pool worker.
 */
export type SpawnWorker = (name: string, events: WorkerEvents) => PoolWorker;
