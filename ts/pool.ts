/**
 * The public API: `createPool` and `Pool`. Validates a call, picks its chunking and
 * sink, and hands it to dispatch.ts. See docs/architecture.md for an item's journey.
 */
import { Call, type Progress } from "./call.js";
import { ArraySink, ConcatSink, type Indexed, PartialsSink, type Settled, SettledSink, type Sink, StreamSink } from "./collect.js";
import { Dispatcher } from "./dispatch.js";
import { LocalModule } from "./local.js";
import { AbortError, CoordinatorError, PmapError, PoolTerminatedError, QueueFullError, SyncModeError, toFailure, UnknownKernelError } from "./errors.js";
import {
  type BuiltinKernels,
  builtinModule,
  compileModule,
  type Context,
  type Input,
  type ItemKernel,
  type JobKernel,
  type KernelInfo,
  type KernelModule,
  type Output,
  type ReduceKernel,
  type SliceKernel,
} from "./kernels.js";
import { resolveChunkSize } from "./schedule.js";
import { HOST_KEY } from "./sync-host.js";
import { type CoordinatorLink, startCoordinator, type SyncOptions } from "./sync.js";
import { encodeValue, type FromWorker, Mode } from "./wire.js";
import type { WorkerSlot } from "./workers.js";

export interface PoolOptions {
  /**
   * Number of workers. Default: `navigator.hardwareConcurrency`. The main thread only
   * awaits while the pool works, so every core can run a worker.
   */
  concurrency?: number;
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
  /** Items per chunk, or `"auto"` (default): about 4 chunks per worker, see schedule.ts. */
  chunkSize?: number | "auto";
  /** Aborting drops the call's queued chunks and replaces the workers running its chunks;
   * the call rejects with `AbortError`. Other calls are unaffected. */
  signal?: AbortSignal;
  /** A chunk running longer than this (from when it starts, not when queued) gets its
   * worker replaced and fails with `TimeoutError`. Default: no limit. */
  timeoutMs?: number;
  /** Called after every completed chunk. */
  onProgress?: (p: Progress) => void;
  /**
   * The broadcast value of a `#[kernel(context)]` kernel (rayon's `map_with`): sent once
   * to each worker that runs the call and cached there, not re-sent with every chunk.
   */
  context?: unknown;
}

/** The options argument of an item kernel: required, with its `context`, for a
 * `#[kernel(context)]` kernel; optional otherwise. */
export type OptionsFor<K, N extends keyof K> = [Context<K, N>] extends [never]
  ? [opts?: CallOptions & { context?: undefined }]
  : [opts: CallOptions & { context: Context<K, N> }];

/** Counters of a pool at one moment (also the `detail` of its `"change"` events). */
export interface PoolStats {
  /** Live workers (starting or ready). 0 after `terminate()`. */
  workers: number;
  /** Ready workers with nothing in flight. */
  idle: number;
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
  /** Sync mode: a job's parallel iterator re-run because the coordinator service worker
   * lost it (the browser stopped the service worker meanwhile). */
  syncReruns: number;
}

/**
 * Creates a pool of workers, each running the same kernel module, compiled once here.
 *
 * @example
 * ```ts
 * import { createPool } from "wasm-pmap";
 * await using pool = await createPool({ concurrency: 4 });
 * const rows = await pool.map("mandelbrotRow", specs); // Uint8Array[]
 * ```
 * With your own kernels (a wasm-bindgen / wasm-pack `--target web` build):
 * ```ts
 * import type { Kernels } from "./pkg/my_kernels.js";
 * const pool = await createPool<Kernels>({ module: {
 *   wasm: new URL("./pkg/my_kernels_bg.wasm", import.meta.url),
 *   glue: new URL("./pkg/my_kernels.js", import.meta.url) } });
 * ```
 */
export async function createPool<K extends object = BuiltinKernels>(opts: PoolOptions = {}): Promise<Pool<K>> {
  const desc = opts.module ?? builtinModule;
  const module = await compileModule(desc.wasm);
  const link = opts.sync ? await startCoordinator(opts.sync) : undefined;
  const pool = new Pool<K>(module, new URL(desc.glue, globalThis.location?.href).href, opts, link);
  try {
    await pool.ready;
  } catch (err) {
    pool.terminate();
    throw err;
  }
  return pool;
}

/**
 * A pool of workers running one kernel module. Create it with {@link createPool}.
 * Dispatches a `"change"` event (a `CustomEvent<PoolStats>`) after its counters change,
 * at most once per microtask.
 */
export class Pool<K extends object = BuiltinKernels> extends EventTarget {
  /** Resolves once every worker has instantiated the module. */
  readonly ready: Promise<void>;

  readonly #dispatch: Dispatcher;
  /** The SyncExecutor (one worker), in sync mode. */
  readonly #executor: Dispatcher | undefined;
  readonly #link: CoordinatorLink | undefined;
  /** Pipe calls made by the executor's current job: dropped when the job ends. */
  readonly #jobPipes = new Set<Call>();
  #host: object | undefined;
  #syncReruns = 0;
  readonly #local: LocalModule;
  readonly #kernels = new Map<string, KernelInfo>();
  readonly #maxQueue: number;
  // Why a random pool id: job ids must never collide across pools, tabs or reloads.
  readonly #id = crypto.randomUUID();
  #callSeq = 0;
  #terminated = false;
  #notifyQueued = false;
  #changeListeners = 0;

  /** @internal Use {@link createPool}. */
  constructor(module: WebAssembly.Module, glue: string, opts: PoolOptions, link?: CoordinatorLink) {
    super();
    const n = opts.concurrency ?? (globalThis.navigator?.hardwareConcurrency || 4);
    positiveInt("concurrency", n);
    this.#maxQueue = opts.maxQueue ?? Infinity;
    if (this.#maxQueue !== Infinity) positiveInt("maxQueue", this.#maxQueue);
    this.#dispatch = new Dispatcher(module, glue, Math.max(1, opts.inflightPerWorker ?? 2), () => this.#changed());
    this.#local = new LocalModule(module, glue);
    this.#link = link;
    // Depth 1: a job blocks its worker, so a second one could only wait behind it.
    this.#executor = link && new Dispatcher(module, glue, 1, () => this.#changed(), { coordinator: link.base, workers: n }, (slot, msg) => this.#onPipeRequest(slot, msg));
    this.ready = Promise.all([this.grow(n), this.#executor?.grow(1)]).then(() => {});
  }

  /** Number of worker slots. */
  get size(): number {
    return this.#dispatch.slots.length;
  }

  /** Kernels of the pool's module (known once {@link ready} has resolved). */
  get kernels(): KernelInfo[] {
    return [...this.#kernels.values()];
  }

  /** Adds workers until the pool has at least `n`; resolves when they are ready. */
  async grow(n: number): Promise<void> {
    this.#assertOpen();
    for (const k of await this.#dispatch.grow(n)) this.#kernels.set(k.name, k);
  }

  /**
   * Applies a kernel to every item in parallel; resolves with the outputs in input order.
   * For a `slice` kernel, pass a typed array: each chunk reaches Rust as one `&[T]` and
   * the outputs come back concatenated into one typed array. Rejects with the first error.
   */
  map<N extends ItemKernel<K>>(kernel: N, items: ArrayLike<Input<K, N>> | Iterable<Input<K, N>>, ...opts: OptionsFor<K, N>): Promise<Output<K, N>[]>;
  map<N extends SliceKernel<K>>(kernel: N, items: Input<K, N>, opts?: CallOptions): Promise<Output<K, N>>;
  async map(kernel: string, items: unknown, opts: CallOptions = {}): Promise<unknown> {
    const info = await this.#kernel(kernel);
    const list = checkItems(info, items);
    if (info.kind === "slice") return this.#start(info, Mode.Slice, list, opts, new ConcatSink(() => new (list.constructor as new (n: number) => unknown)(0))).promise;
    return this.#start(info, Mode.Map, list, opts, new ArraySink(list.length)).promise;
  }

  /**
   * Like `map`, but never rejects: one `{ ok: true, value }` or
   * `{ ok: false, error, timedOut }` per item. A failing item fails alone (its chunk's
   * other items are re-run); a timed-out chunk fails all of its items.
   */
  async mapSettled<N extends ItemKernel<K>>(
    kernel: N,
    items: ArrayLike<Input<K, N>> | Iterable<Input<K, N>>,
    ...[opts = {}]: OptionsFor<K, N>
  ): Promise<Settled<Output<K, N>>[]> {
    let info: KernelInfo, list: ArrayLike<unknown>;
    try {
      info = await this.#kernel(kernel);
      list = checkItems(info, items);
    } catch (err) {
      const n = Array.from(items as ArrayLike<unknown>).length;
      const error = err instanceof PmapError ? err : new PmapError(String((err as Error)?.message ?? err));
      return Array.from({ length: n }, () => ({ ok: false as const, error, timedOut: false }));
    }
    return this.#start(info, Mode.Map, list, opts, new SettledSink(list.length)).promise as Promise<Settled<Output<K, N>>[]>;
  }

  /**
   * Yields `{ index, value }` as chunks complete (completion order, every index once).
   * Leaving the loop early aborts the rest of the call.
   */
  async *stream<N extends ItemKernel<K>>(
    kernel: N,
    items: ArrayLike<Input<K, N>> | Iterable<Input<K, N>>,
    ...[opts = {}]: OptionsFor<K, N>
  ): AsyncGenerator<Indexed<Output<K, N>>> {
    const info = await this.#kernel(kernel);
    const sink = new StreamSink();
    const call = this.#start(info, Mode.Map, checkItems(info, items), opts, sink);
    call.promise.catch(() => {}); // the error reaches the consumer through the iterator
    try {
      yield* sink.iterate() as AsyncGenerator<Indexed<Output<K, N>>>;
    } finally {
      if (!call.settled) this.#dispatch.cancel(call, new AbortError("stream closed by its consumer"));
    }
  }

  /** Runs a kernel on one input (a single-item map): one RPC. */
  async call<N extends ItemKernel<K>>(kernel: N, input: Input<K, N>, ...[opts = {}]: OptionsFor<K, N>): Promise<Output<K, N>> {
    const [out] = (await (this.map as (k: string, i: unknown[], o: CallOptions) => Promise<unknown[]>)(kernel, [input], { ...opts, chunkSize: 1 })) as Output<K, N>[];
    return out!;
  }

  /**
   * Folds `items` with an associative `reduce` kernel: each chunk is folded in a worker,
   * then `init` and the partials are folded on the main thread with the same kernel (a
   * main-thread instance of the module, made on the first reduce). Resolves `init` for no items.
   */
  async reduce<N extends ReduceKernel<K>>(
    kernel: N,
    init: Output<K, N>,
    items: ArrayLike<Output<K, N>> | Iterable<Output<K, N>>,
    opts: CallOptions = {},
  ): Promise<Output<K, N>> {
    const info = await this.#kernel(kernel);
    if (info.kind !== "reduce") throw new PmapError(`kernel "${kernel}" is a ${info.kind} kernel, not a reduce kernel`);
    const partials = (await this.#start(info, Mode.Reduce, checkItems(info, items), opts, new PartialsSink()).promise) as unknown[];
    return (await this.#local.fold(info, [init, ...partials])) as Output<K, N>;
  }

  /**
   * Runs a `#[kernel(job)]` in the SyncExecutor worker, where it may block on
   * `collect_vec_sync()` while the compute workers run its parallel iterators. Jobs run
   * one at a time, in call order. Needs `createPool({ sync })`.
   */
  async execute<N extends JobKernel<K>>(job: N, input: Input<K, N>, opts: JobOptions = {}): Promise<Output<K, N>> {
    return (await this.#job(job, input, opts, false)) as Output<K, N>;
  }

  /**
   * Makes this pool the one Rust code on this thread reaches: `collect_vec().await` and
   * `execute_async(...)` in main-thread wasm use it (through
   * `globalThis[Symbol.for("wasm-pmap.host")]`). Disposing (or terminating) undoes it.
   */
  exposeToRust(): Disposable {
    this.#assertOpen();
    const host = {
      workers: this.size,
      run: (label: string, payloads: Uint8Array[]) => this.#pipe(label, payloads).promise,
      execute: (job: string, payload: Uint8Array) => this.#job(job, payload, {}, true),
    };
    const g = globalThis as Record<symbol, unknown>;
    g[HOST_KEY] = host;
    this.#host = host;
    return {
      [Symbol.dispose]: () => {
        if (g[HOST_KEY] === host) delete g[HOST_KEY];
        if (this.#host === host) this.#host = undefined;
      },
    };
  }

  /** Counters: workers, idle, queued, in flight, completed/failed calls, respawns, memory. */
  stats(): PoolStats {
    const d = this.#dispatch;
    const live = d.slots.filter((s) => !s.dead);
    return {
      workers: live.length,
      idle: live.filter((s) => s.isReady && s.inflight.size === 0).length,
      queued: d.queue.size,
      inflight: live.reduce((n, s) => n + s.inflight.size, 0),
      ...d.counts,
      wasmMemoryBytes: [...d.memory.values()].reduce((a, b) => a + b, 0),
      syncReruns: this.#syncReruns,
    };
  }

  /** Stops every worker; pending calls settle (`PoolTerminatedError`); later calls reject. Idempotent. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#dispatch.close(new PoolTerminatedError());
    this.#executor?.close(new PoolTerminatedError());
    const g = globalThis as Record<symbol, unknown>;
    if (this.#host && g[HOST_KEY] === this.#host) delete g[HOST_KEY];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
  }

  // ---- internals ----

  #assertOpen(): void {
    if (this.#terminated) throw new PoolTerminatedError();
  }

  async #kernel(name: string): Promise<KernelInfo> {
    this.#assertOpen();
    await this.ready;
    this.#assertOpen();
    const info = this.#kernels.get(name);
    if (!info) throw new UnknownKernelError(name, [...this.#kernels.keys()].sort());
    return info;
  }

  /** Runs a parallel iterator's chunks (pipe payloads from Rust); their bodies in order. */
  #pipe(label: string, payloads: Uint8Array[], opts: CallOptions = {}): Call {
    const info: KernelInfo = { name: label, kind: "map", input: "pipe payload", output: "pipe body" };
    return this.#start(info, Mode.Pipe, payloads, opts, new ArraySink(payloads.length), this.#dispatch, true);
  }

  /**
   * Runs job `name` on the executor (`raw`: `input` is Rust's ready-made payload and the
   * body comes back undecoded). When it settles, the pipes the job started are dropped.
   */
  async #job(name: string, input: unknown, opts: JobOptions, raw: boolean): Promise<unknown> {
    if (!this.#executor) throw new SyncModeError(`running job "${name}" needs sync mode: createPool({ sync: { serviceWorker, scope } })`);
    const info = await this.#kernel(name);
    if (info.kind !== "job") throw new PmapError(`kernel "${name}" is a ${info.kind} kernel, not a #[kernel(job)]; use pool.map`);
    const call = this.#start(info, Mode.Map, [input], { ...opts, chunkSize: 1 }, new ArraySink(1), this.#executor, raw);
    const [out] = (await call.promise.finally(() => {
      const err = new AbortError("the job that started these chunks ended");
      for (const c of this.#jobPipes) this.#dispatch.cancel(c, err);
      this.#jobPipes.clear();
      this.#link?.forgetTaken();
    })) as unknown[];
    return out;
  }

  /** The executor asks for a pipe to run: reply by message, or (a blocked job) through the coordinator. */
  #onPipeRequest(slot: WorkerSlot, msg: Extract<FromWorker, { type: "pipe" | "pipe-taken" }>): void {
    if (msg.type === "pipe-taken") {
      this.#link?.taken(msg.job);
      return;
    }
    if (msg.rerun) this.#syncReruns++;
    let bodies: Promise<unknown>;
    try {
      const call = this.#pipe(msg.label, msg.payloads);
      this.#jobPipes.add(call);
      bodies = call.promise.finally(() => this.#jobPipes.delete(call));
    } catch (err) {
      bodies = Promise.reject(err); // pool terminated, queue full, …: the job learns it
    }
    bodies.then(
      (b) => this.#answerPipe(slot, msg, { bodies: b as Uint8Array[] }),
      (err: unknown) => this.#answerPipe(slot, msg, { err }),
    );
  }

  async #answerPipe(slot: WorkerSlot, msg: Extract<FromWorker, { type: "pipe" }>, out: { bodies?: Uint8Array[]; err?: unknown }): Promise<void> {
    if (slot.dead) return; // the job was cancelled: nobody waits
    if (msg.job === undefined) {
      slot.post({ type: "pipe-result", id: msg.id, bodies: out.bodies, error: out.bodies ? undefined : toFailure(out.err, msg.label) });
      return;
    }
    const answer = out.bodies ? { bodies: out.bodies } : { failure: toFailure(out.err, msg.label) };
    const read = await this.#link!.answer(msg.job, answer, () => !slot.dead && slot.inflight.size > 0);
    const job = [...slot.inflight.values()][0]?.call;
    if (!read && job && !slot.dead) this.#executor!.cancel(job, new CoordinatorError(`sync mode: the coordinator did not take job ${msg.job}'s result (3 tries)`));
  }

  #start(info: KernelInfo, mode: Mode, items: ArrayLike<unknown>, opts: CallOptions, sink: Sink, dispatch = this.#dispatch, raw = false): Call {
    this.#assertOpen();
    const concurrency = opts.concurrency ?? dispatch.slots.length;
    positiveInt("concurrency", concurrency);
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
    if (info.context !== undefined && opts.context === undefined) {
      throw new TypeError(`kernel "${info.name}" is a context kernel: pass opts.context (a ${info.context})`);
    }
    if (info.context === undefined && opts.context !== undefined) {
      throw new TypeError(`kernel "${info.name}" takes no context; opts.context is only for #[kernel(context)] kernels`);
    }
    const { signal } = opts;
    if (signal?.aborted) throw new AbortError(`kernel "${info.name}": aborted before it started`, signal.reason);
    const call: Call = new Call({
      id: `${this.#id}:${++this.#callSeq}`,
      kernel: info,
      mode,
      items,
      chunkSize: resolveChunkSize(opts.chunkSize, items.length, Math.min(concurrency, dispatch.slots.length)),
      concurrency,
      timeoutMs: opts.timeoutMs,
      onProgress: opts.onProgress,
      sink,
      context: opts.context === undefined ? undefined : encodeValue(opts.context),
      requeue: (tasks) => dispatch.requeue(tasks),
      raw,
    });
    if (call.settled) return call;
    const tasks = call.tasks();
    if (dispatch.queue.size + tasks.length > this.#maxQueue) throw new QueueFullError(this.#maxQueue);
    if (signal) {
      const onAbort = () => dispatch.cancel(call, new AbortError(`kernel "${info.name}": aborted`, signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      call.promise.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
    }
    dispatch.submit(call, tasks);
    return call;
  }

  // Counted so that a pool nobody watches skips building stats on every chunk.
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    if (type === "change" && listener) this.#changeListeners++;
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void {
    if (type === "change" && listener) this.#changeListeners = Math.max(0, this.#changeListeners - 1);
    super.removeEventListener(type, listener, options);
  }

  #changed(): void {
    if (this.#notifyQueued || this.#changeListeners === 0) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      this.dispatchEvent(new CustomEvent<PoolStats>("change", { detail: this.stats() }));
    });
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

function checkItems(info: KernelInfo, items: unknown): ArrayLike<unknown> {
  if (info.kind === "job") throw new PmapError(`kernel "${info.name}" is a #[kernel(job)]: run it with pool.execute`);
  const typed = ArrayBuffer.isView(items) && !(items instanceof DataView);
  if (info.kind === "slice") {
    if (!typed) throw new TypeError(`kernel "${info.name}" is a slice kernel: pass a ${info.input}, got ${kindOf(items)}`);
    return items as unknown as ArrayLike<number>;
  }
  if (typed || Array.isArray(items)) return items as ArrayLike<unknown>;
  if (items && typeof (items as Iterable<unknown>)[Symbol.iterator] === "function") return Array.from(items as Iterable<unknown>);
  throw new TypeError(`kernel "${info.name}": items must be an array or iterable of ${info.input}, got ${kindOf(items)}`);
}

function kindOf(v: unknown): string {
  return v === null ? "null" : ArrayBuffer.isView(v) ? v.constructor.name : Array.isArray(v) ? "an array" : typeof v;
}
