/**
 * The main-thread side of one worker: spawn it with the shared compiled module, know when
 * it is ready, post chunks to it, and notice when it dies.
 */
import type { Task } from "./call.js";
import { PoolStartError } from "./errors.js";
import type { KernelInfo } from "./kernels.js";
import type { ExecutorSetup, FromWorker, ToWorker } from "./wire.js";

/** How long a worker may take to load its glue and instantiate before start-up fails. */
export const READY_TIMEOUT_MS = 30_000;

export interface SlotEvents {
  message(slot: WorkerSlot, msg: FromWorker): void;
  /** The worker died (script error, out of memory, closed itself after a trap). */
  crash(slot: WorkerSlot, reason: string): void;
}

export class WorkerSlot {
  readonly worker: Worker;
  /** Resolves with the module's kernels once the worker can run chunks. */
  readonly ready: Promise<KernelInfo[]>;
  isReady = false;
  dead = false;
  /** Chunks posted to this worker and not yet answered, by task id (in posting order,
   * which is the order the worker runs them). */
  readonly inflight = new Map<number, Task>();
  /** Ids of the calls whose broadcast context this worker was sent. */
  readonly contexts = new Set<string>();

  constructor(
    /** Stable position in the pool (a replacement worker takes the same index). */
    readonly index: number,
    module: WebAssembly.Module,
    glue: string,
    executor: ExecutorSetup | undefined,
    events: SlotEvents,
  ) {
    // Written literally so bundlers (Vite, webpack, esbuild) see and emit the worker;
    // a module worker from our own origin keeps `worker-src 'self'` CSPs happy.
    // The SyncExecutor is this same script; its scope must be inside the coordinator's.
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: executor ? "wasm-pmap-executor" : `wasm-pmap-${index}` });
    this.ready = new Promise<KernelInfo[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new PoolStartError(`worker ${index} did not start within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const msg = e.data;
        if (msg.type === "ready") {
          clearTimeout(timer);
          this.isReady = true;
          resolve(msg.kernels);
        } else if (msg.type === "init-error") {
          clearTimeout(timer);
          reject(new PoolStartError(`worker ${index} could not load the kernel module: ${msg.message}`));
        } else {
          events.message(this, msg);
        }
      };
      this.worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const reason = e.message || "worker script error";
        if (!this.isReady) {
          clearTimeout(timer);
          reject(new PoolStartError(`worker ${index} failed to start: ${reason}`));
        }
        this.dead = true;
        events.crash(this, reason);
      };
    });
    this.ready.catch(() => {}); // observed by the pool; avoid an unhandled rejection here
    this.post({ type: "init", module, glue, executor });
  }

  post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  terminate(): void {
    this.dead = true;
    this.worker.terminate();
  }
}
