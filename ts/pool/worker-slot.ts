/**
 * Runs on the page. The pool's side of one worker: start it through the worker seam
 * (backend.ts), know when it is ready, keep the chunks in flight on it, and notice when it
 * dies. Pure logic: the worker it drives may be a browser Worker or a test's fake.
 */
import { PoolStartError } from "../protocol/errors.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { ExecutorSetup, FromWorker, ToWorker } from "../protocol/messages.js";
import type { PoolWorker, SpawnWorker, WorkerEvents } from "./backend.js";
import type { Call, Task } from "./call.js";

/** How long a worker may take to load its glue and instantiate before start-up fails. */
export const READY_TIMEOUT_MS = 30_000;

/** What every worker of a dispatcher is sent first. */
export interface WorkerInit {
  /** The compiled module, or its compilation still under way: the worker is then told to
   * load its glue meanwhile (`load`), and gets the module when it is ready. */
  module: WebAssembly.Module | Promise<WebAssembly.Module>;
  glue: string;
  /** Makes the worker a SyncExecutor (see ts/worker/executor-host.ts). */
  executor?: ExecutorSetup;
}

export interface SlotEvents {
  message(slot: WorkerSlot, msg: FromWorker): void;
  /** The worker died (script error, out of memory, closed itself after a trap). */
  crash(slot: WorkerSlot, reason: string): void;
}

/** A worker slot as sync mode sees the executor's (it answers the executor's requests). */
export interface WorkerRef {
  readonly dead: boolean;
  /** The call of the chunk this worker is running, if any. */
  readonly current: Call | undefined;
  post(msg: ToWorker): void;
}

export class WorkerSlot implements WorkerRef {
  readonly #worker: PoolWorker;
  #readyTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #rejectReady: (e: PoolStartError) => void;
  /** Resolves with the module's kernels once the worker can run chunks. */
  readonly ready: Promise<KernelInfo[]>;
  isReady = false;
  dead = false;
  /** To be released (`shrink`): takes no more chunks, goes once those in flight are answered. */
  leaving = false;
  /** Chunks posted to this worker and not yet answered, by task id (in posting order,
   * which is the order the worker runs them). */
  readonly inflight = new Map<number, Task>();
  /** Ids of the calls whose broadcast context this worker was sent. */
  readonly contexts = new Set<string>();

  constructor(
    /** Stable position in the pool (a replacement worker takes the same index). */
    readonly index: number,
    spawn: SpawnWorker,
    name: string,
    init: WorkerInit,
    events: SlotEvents,
    readyTimeoutMs = READY_TIMEOUT_MS,
  ) {
    let resolve!: (k: KernelInfo[]) => void;
    let reject!: (e: PoolStartError) => void;
    this.ready = new Promise<KernelInfo[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#rejectReady = reject;
    this.ready.catch(() => {}); // observed by the dispatcher; avoid an unhandled rejection here
    // A worker that fails before it is ready never ran a chunk: it is a start failure (the
    // dispatcher's `ready` handler decides what follows), never also a crash.
    const startFailed = (err: PoolStartError) => {
      reject(err);
      this.terminate();
    };
    this.#readyTimer = setTimeout(
      () => startFailed(new PoolStartError(`worker ${index} did not start within ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    this.#worker = spawnOrFail(
      spawn,
      name,
      (why) => startFailed(new PoolStartError(`worker ${index} could not be created: ${why}`)),
      {
        message: (msg) => {
          if (msg.type === "ready") {
            clearTimeout(this.#readyTimer);
            this.isReady = true;
            resolve(msg.kernels);
          } else if (msg.type === "init-error") {
            startFailed(new PoolStartError(`worker ${index} could not load the kernel module: ${msg.message}`));
          } else {
            events.message(this, msg);
          }
        },
        error: (reason) => {
          if (this.dead) return;
          if (!this.isReady) {
            startFailed(new PoolStartError(`worker ${index} failed to start: ${reason}`));
            return;
          }
          this.dead = true;
          events.crash(this, reason);
        },
      },
    );
    const { module, ...rest } = init;
    if (!(module instanceof Promise)) {
      this.post({ type: "init", module, ...rest });
      return;
    }
    // Why: start-up overlaps the page compiling the module with the worker fetching and
    // evaluating its script and glue. A failed compile is the pool's to report (createPool).
    this.post({ type: "load", glue: init.glue });
    module.then(
      (m) => this.dead || this.post({ type: "init", module: m, ...rest }),
      () => {},
    );
  }

  get current(): Call | undefined {
    return this.inflight.values().next().value?.call;
  }

  post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.#worker.post(msg, transfer);
  }

  terminate(): void {
    clearTimeout(this.#readyTimer);
    // Whoever waits for it to start must not wait forever (a no-op once it is ready).
    this.#rejectReady(new PoolStartError(`worker ${this.index} was stopped before it started`));
    this.dead = true;
    this.#worker.terminate();
  }
}

/** `spawn`, but a backend that throws (e.g. a `Worker` constructor refusing its URL) becomes
 * an asynchronous start failure like any other, not an exception inside the dispatcher. */
function spawnOrFail(
  spawn: SpawnWorker,
  name: string,
  failed: (why: string) => void,
  events: WorkerEvents,
): PoolWorker {
  try {
    return spawn(name, events);
  } catch (err) {
    queueMicrotask(() => failed(err instanceof Error ? err.message : String(err)));
    return { post() {}, terminate() {} };
  }
}
