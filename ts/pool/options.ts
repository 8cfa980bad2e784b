/**
 * Runs on the page. The options of a pool and of its calls, and its counters: the public
 * types the pool's methods take (documented here, where they are declared).
 */
import type { SyncOptions } from "../sync/link.js";
import type { Progress } from "./call.js";
import type { Context, KernelModule } from "./module.js";

export interface PoolOptions {
  /**
   * Number of workers. Default: `navigator.hardwareConcurrency`. The main thread only
   * awaits while the pool works, so every core can run a worker. With `minWorkers`,
   * `maxWorkers` or `idleTimeoutMs`: the workers started with the pool (default
   * `max(minWorkers, 1)`), between the two.
   */
  concurrency?: number;
  /**
   * Fewest workers an elastic pool keeps: idle release and `shrink` stop here. Default 0.
   * A pool with any of `minWorkers`, `maxWorkers`, `idleTimeoutMs` is elastic; without them
   * it keeps `concurrency` workers for good.
   */
  minWorkers?: number;
  /**
   * Most workers: while chunks wait and no worker is free to take them, the pool starts more,
   * up to this many. Default: `concurrency`, else `navigator.hardwareConcurrency` (at least
   * `minWorkers`). Calls are cut into chunks for this many workers.
   */
  maxWorkers?: number;
  /**
   * A worker idle this long is released (terminated: its wasm memory, which never shrinks
   * while it lives, goes with it), down to `minWorkers`. Default: never.
   */
  idleTimeoutMs?: number;
  /** The kernel module every worker runs. Default: the built-in kernels. */
  module?: KernelModule;
  /**
   * Chunks posted ahead to each worker (default 2): the next chunk already waits in the
   * worker when one finishes, hiding the ≈ 0.1 ms message round trip.
   */
  inflightPerWorker?: number;
  /**
   * Most chunks the queue may hold (default: unbounded). A call whose chunks do not fit
   * rejects at once with `QueueFullError` — it does not wait: a waiting call would hold
   * its items in memory anyway, and an immediate error makes the overload visible. To
   * wait instead, put calls behind a `Semaphore`.
   */
  maxQueue?: number;
  /**
   * Sync mode: registers (or finds) the coordinator service worker and starts the
   * SyncExecutor worker, where `#[kernel(job)]` functions run (`pool.execute`) and may
   * block on `collect_vec_sync()`. See {@link SyncOptions} and README "Sync mode".
   */
  sync?: SyncOptions;
}

/** Options of {@link Pool.execute}: a job's time limit and cancel signal. */
export interface JobOptions {
  /** The job (and the chunks it waits for) may run this long; then the executor is
   * replaced and the call rejects with `TimeoutError`. Default: no limit. */
  timeoutMs?: number;
  /** Aborting replaces the executor (a blocked worker cannot be told anything else) and
   * drops the chunks the job was waiting for. */
  signal?: AbortSignal;
}

export interface CallOptions {
  /** At most this many workers run this call's chunks at once. Default: all of the pool's. */
  concurrency?: number;
  /** Items per chunk, or `"auto"` (default): about 4 chunks per worker, at most 16 384 items
   * (slice kernels: at most 4 MiB of elements), see schedule.ts. */
  chunkSize?: number | "auto";
  /** Aborting drops the call's queued chunks and replaces the workers running its chunks;
   * the call rejects with `AbortError`. Other calls are unaffected. */
  signal?: AbortSignal;
  /** A chunk running longer than this (from when it starts, not when queued) gets its
   * worker replaced and fails with `TimeoutError`. Default: no limit. */
  timeoutMs?: number;
  /** Called after every completed chunk. Over a streaming input, `done` and `total` count
   * the items read so far. */
  onProgress?: (p: Progress) => void;
  /**
   * Streaming inputs only (an async iterable or `ReadableStream`): most batches held at
   * once — read and running, queued, or done and not yet taken by the consumer. Bounds
   * the memory the input takes: about `maxInFlight` × a batch. Default: 2 × the pool's
   * workers (one running and one waiting per worker).
   */
  maxInFlight?: number;
  /**
   * Streaming inputs only, `pool.stream`: yield in input order instead of as chunks
   * complete (a chunk done early waits, within the same `maxInFlight`). What chaining one
   * stream into the next call needs.
   */
  ordered?: boolean;
  /**
   * The broadcast value of a `#[kernel(context)]` kernel (rayon's `map_with`): sent once
   * to each worker that runs the call and cached there, not re-sent with every chunk.
   */
  context?: unknown;
}

/** Options of `pool.map` with a `#[kernel(slice)]` kernel. */
export interface SliceOptions extends CallOptions {
  /**
   * Gives the typed array's buffer to the pool instead of letting it take a copy: the
   * array is detached when `map` returns (its length becomes 0) and one pass over its
   * bytes is saved. Only when the array spans its whole buffer (a view into a larger
   * buffer is copied as usual, and left alone); a `SharedArrayBuffer` is always copied.
   * Default false: the pool copies the array when the call is made, so the results
   * reflect it as it was then, whatever the caller does with it afterwards.
   */
  transfer?: boolean;
}

/** The options argument of an item kernel: required, with its `context`, for a
 * `#[kernel(context)]` kernel; optional otherwise. */
export type OptionsFor<K, N extends keyof K> = [Context<K, N>] extends [never]
  ? [opts?: CallOptions & { context?: undefined }]
  : [opts: CallOptions & { context: Context<K, N> }];

/** A dispatcher's counters (the pool adds sync mode's to them). */
export interface DispatchStats {
  /** Live workers (starting or ready). 0 after `close()`. */
  workers: number;
  /** Ready workers with nothing in flight. */
  idle: number;
  /** Live workers still starting (loading their script, instantiating the module). */
  starting: number;
  /** Workers released so far: idle past `idleTimeoutMs`, or by `shrink` (their wasm memory
   * went with them; `wasmMemoryBytes` no longer counts it). */
  released: number;
  /** Chunks waiting for a worker. */
  queued: number;
  /** Chunks posted to workers and not answered yet. */
  inflight: number;
  /** Calls that resolved / rejected. */
  completed: number;
  failed: number;
  /** Workers replaced (crash, timeout, abort, unrecoverable panic). */
  respawned: number;
  /** Sum of the workers' wasm linear memory, as last reported. */
  wasmMemoryBytes: number;
  /** Workers that failed to start (script missing, module not loading, no answer in time). */
  startFailures: number;
  /** Why a worker failed to start, while a slot has not started one since (undefined once
   * every slot has). When it says the pool stopped starting workers (every slot failed
   * 3 starts in a row), every call rejects with `PoolStartError` until a worker starts. */
  startError: string | undefined;
}

/** Counters of a pool at one moment (also the `detail` of its `"change"` events). */
export interface PoolStats extends DispatchStats {
  /** Sync mode: a job's parallel iterator re-run because the coordinator service worker
   * lost its ticket (the browser stopped the service worker meanwhile). */
  syncReruns: number;
}
