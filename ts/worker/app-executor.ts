/**
 * Runs in a worker the app created: `initPoolSyncFromWorker` makes *that* worker the
 * SyncExecutor, so Rust code running in it calls `collect_vec_sync()` directly — no job,
 * no extra executor worker, nothing relayed through the page. The compute workers belong to
 * a relay worker this one starts (ts/worker/relay.ts): this worker blocks while they run,
 * so it could not hand them chunks or read their results itself.
 */
import { compileModule, type KernelModule } from "../pool/module.js";
import { canUseAnswerSlot } from "../protocol/answer-slot.js";
import { ensureDisposeSymbols } from "../protocol/disposal.js";
import { PoolStartError, PoolTerminatedError, SyncModeError, WorkerCrashedError } from "../protocol/errors.js";
import { randomUuid } from "../protocol/ids.js";
import type { ExecutorSetup, FromRelay, ToRelay } from "../protocol/messages.js";
import { COORDINATOR_PREFIX, LEASE_PREFIX } from "../protocol/routes.js";
import { checkExecutor, installExecutorHost } from "./executor-host.js";

ensureDisposeSymbols();

/** Options of {@link initPoolSyncFromWorker}. */
export interface WorkerPoolOptions {
  /** Compute workers (default `navigator.hardwareConcurrency`). */
  concurrency?: number;
  /** The kernel module: the same one this worker's Rust runs (default: the built-in kernels). */
  module?: KernelModule;
  sync?: {
    /**
     * The coordinator service worker's scope (default: this worker script's folder). It must
     * contain this worker's script and the package's `worker/relay.js`: the browser lets a
     * service worker answer a worker only if the worker's script is in its scope. The app's
     * page registers the service worker (`wasm-pmap/sw.js`, or its own calling
     * `setupCoordinator`) before starting this worker.
     */
    scope?: string | URL;
    /** The coordinator's path prefix inside the scope (default `__wasm_pmap__/`). */
    prefix?: string;
    /** `"auto"` (default): `"atomics"` when this worker is cross-origin isolated (no
     * service worker needed), else `"xhr"`. See `SyncOptions.wait`. */
    wait?: "auto" | "xhr" | "atomics";
    /** How long the relay and its compute workers may take to start (default 30 000 ms). */
    startTimeoutMs?: number;
    /**
     * A blocking `collect_vec_sync()` with no answer after this long fails with
     * `TimeoutError` (Rust: `ErrorKind::Timeout`) instead of waiting on. Default: no limit.
     * Why it exists: nothing can replace this worker the way a pool replaces its own
     * executor, so if the relay died (it should not) only this ends the wait. The timed-out
     * call's chunks still run to the end (later calls queue behind them).
     */
    callTimeoutMs?: number;
  };
}

/** The pool behind {@link initPoolSyncFromWorker}. */
export interface WorkerPool extends Disposable {
  /** Compute workers now. */
  readonly size: number;
  /** Grows to `n` compute workers; Rust's next parallel iterator chunks for them. */
  grow(n: number): Promise<void>;
  /** Stops the relay and the compute workers; parallel iterators then fail with NoPool. */
  terminate(): void;
}

/**
 * `initPoolSyncFromWorker` (from-worker.ts) on a given relay script (`spawnRelay` starts a
 * module Worker named `wasm-pmap-relay` running it): the package's, or the Rust runtime's.
 *
 * Makes the calling worker (one the app created, in the coordinator's scope) the pool's
 * SyncExecutor and starts the compute workers: afterwards Rust code in this worker may call
 * `collect_vec_sync()` (blocking) and `try_collect_vec().await` directly.
 * See from-worker.ts for the public entry and its example.
 */
export async function startAppExecutor(
  opts: WorkerPoolOptions & { module: KernelModule },
  spawnRelay: () => Worker,
): Promise<WorkerPool> {
  const g = globalThis as { WorkerGlobalScope?: unknown; XMLHttpRequest?: unknown; location?: Location };
  if (g.WorkerGlobalScope === undefined || typeof g.XMLHttpRequest !== "function") {
    throw new SyncModeError(
      "initPoolSyncFromWorker runs inside a dedicated worker the app created; on the page use createPool({ sync })",
    );
  }
  const here = String(g.location);
  const s = opts.sync ?? {};
  checkOptions(opts);
  const wait = s.wait ?? "auto";
  const atomics = wait === "atomics" || (wait === "auto" && canUseAnswerSlot());
  if (atomics && !canUseAnswerSlot()) {
    throw new PoolStartError('sync.wait "atomics" needs a cross-origin-isolated worker (COOP/COEP headers)');
  }
  const concurrency = opts.concurrency ?? (navigator.hardwareConcurrency || 4);
  const coordinator = atomics ? undefined : new URL(s.prefix ?? COORDINATOR_PREFIX, new URL(s.scope ?? ".", here)).href;
  const setup: ExecutorSetup = {
    wait: atomics ? "atomics" : "xhr",
    coordinator,
    workers: concurrency,
    namespace: randomUuid(),
    callTimeoutMs: s.callTimeoutMs,
    // Only this worker and its relay know it: the coordinator takes this executor's answers
    // from whoever shows it (routes.ts KEY_HEADER), and from nobody else.
    answerKey: atomics ? undefined : randomUuid(),
    // How this worker, blocked, learns that its relay died (messages.ts ExecutorSetup.relay).
    relay: atomics ? { beat: new SharedArrayBuffer(4) } : { lease: `${LEASE_PREFIX}${randomUuid()}` },
  };
  checkExecutor(setup); // this worker reaches the coordinator (or may block on Atomics)
  const desc = opts.module;
  const module = await compileModule(desc.wasm).catch((err: unknown) => {
    throw new PoolStartError(
      `could not compile the kernel module ${String(desc.wasm)}: ${(err as Error)?.message ?? err}`,
    );
  });
  const glue = new URL(desc.glue, here).href;

  const relay = spawnRelay();
  const send = (m: ToRelay) => relay.postMessage(m);
  let size = concurrency;
  let onReady: ((m: FromRelay) => void) | undefined;
  /** `grow` calls waiting for the relay's next `workers` report. */
  const grown: Array<() => void> = [];
  const host = installExecutorHost(setup, (m) => {
    if (m.type === "pipe" || m.type === "pipe-taken" || m.type === "pipe-abandoned") send(m);
  });
  relay.onmessage = (e: MessageEvent<FromRelay>) => {
    const m = e.data;
    if (m.type === "pipe-result") host.pipeResult(m);
    else if (m.type === "workers") {
      size = m.n;
      host.setWorkers(m.n);
      for (const r of grown.splice(0)) r();
    } else onReady?.(m);
  };
  const timeoutMs = s.startTimeoutMs ?? 30_000;
  /** The relay's last word on its start (relay-progress): what a timeout names. */
  let lastStep = "the relay's script never ran (it did not answer relay-init)";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new PoolStartError(
              `the relay and its compute workers did not start within ${timeoutMs} ms; last heard: ${lastStep}`,
            ),
          ),
        timeoutMs,
      );
      const settle = (err?: Error) => {
        clearTimeout(timer);
        err ? reject(err) : resolve();
      };
      relay.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        settle(new PoolStartError(`the relay worker failed to start: ${e.message || "script error"}`));
      };
      relay.onmessageerror = () =>
        settle(new PoolStartError("the relay's answer could not be received (messageerror)"));
      onReady = (m) => {
        if (m.type === "relay-ready") {
          size = m.workers;
          settle();
        } else if (m.type === "relay-error") settle(new PoolStartError(m.message));
        else if (m.type === "relay-progress") lastStep = m.step;
      };
      send({
        type: "relay-init",
        module,
        glue,
        concurrency,
        coordinator,
        answerKey: setup.answerKey,
        ...setup.relay,
      });
    });
  } catch (err) {
    relay.terminate();
    host.close(err as PoolStartError);
    throw err;
  }
  // Started. From now on a relay that fails ends the pool: the calls waiting for it reject
  // at once (a blocked one cannot hear this: callTimeoutMs bounds it).
  const died = (why: string) => {
    relay.terminate();
    host.close(new WorkerCrashedError(`sync mode from a worker: the relay failed (${why}); start a new pool`));
  };
  relay.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    died(e.message || "script error");
  };
  relay.onmessageerror = () => died("a message from it could not be received");
  const pool: WorkerPool = {
    get size() {
      return size;
    },
    async grow(n: number) {
      if (n <= size) return;
      // The relay reports its size after every grow, failed or not.
      await new Promise<void>((resolve) => {
        grown.push(resolve);
        send({ type: "relay-grow", n });
      });
    },
    terminate() {
      relay.terminate();
      host.close(new PoolTerminatedError());
    },
    [Symbol.dispose]() {
      pool.terminate();
    },
  };
  return pool;
}

/** Options checked like a pool's `timeoutMs`: nonsense is a RangeError naming the option, not
 * a pool that misbehaves (a NaN `callTimeoutMs` made every blocked wait spin). */
function checkOptions(opts: WorkerPoolOptions): void {
  const { concurrency } = opts;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const call = opts.sync?.callTimeoutMs;
  if (call !== undefined && !(typeof call === "number" && call > 0)) {
    throw new RangeError(
      `sync.callTimeoutMs must be a number of milliseconds > 0 (or left out: no limit), got ${call}`,
    );
  }
  // Finite: it becomes a timer, and a timer of Infinity (or over 2^31 - 1 ms) fires at once.
  const start = opts.sync?.startTimeoutMs;
  if (start !== undefined && !(typeof start === "number" && start > 0 && start <= 2 ** 31 - 1)) {
    throw new RangeError(`sync.startTimeoutMs must be a number of milliseconds in (0, 2^31 - 1], got ${start}`);
  }
  const wait = opts.sync?.wait;
  if (wait !== undefined && wait !== "auto" && wait !== "xhr" && wait !== "atomics") {
    throw new RangeError(`sync.wait must be "auto", "xhr" or "atomics", got ${JSON.stringify(wait)}`);
  }
}
