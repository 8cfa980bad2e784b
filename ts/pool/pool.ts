/**
 * Runs on the page. The public API: `Pool` (made by `createPool`, create.ts). Validates a call, picks its
 * sink, and hands it to the dispatcher (dispatch.ts); jobs go to sync mode (ts/sync/). See
 * docs/architecture.md for an item's journey.
 */

import { ensureDisposeSymbols } from "../protocol/disposal.js";
import { AbortError, PmapError, PoolTerminatedError, SyncModeError, UnknownKernelError } from "../protocol/errors.js";
import { randomUuid } from "../protocol/ids.js";
import { installHost, type KernelInfo } from "../protocol/kernel-module.js";
import type { CoordinatorLink } from "../sync/link.js";
import { SyncMode } from "../sync/sync-mode.js";
import type { SpawnWorker } from "./backend.js";
import type { Call } from "./call.js";
import { Codec } from "./codecs.js";
import { ArraySink, ConcatSink, type Indexed, PartialsSink, type Settled, SettledSink, StreamSink } from "./collect.js";
import { Dispatcher } from "./dispatch.js";
import { poolLimits } from "./elastic.js";
import { ChangeEvents } from "./events.js";
import { checkItems, type JobPayload, jobInputError, jobOutput, jobPayload, snapshot } from "./items.js";
import { LocalModule } from "./local.js";
import type { BuiltinKernels, Input, ItemKernel, JobKernel, Output, ReduceKernel, SliceKernel } from "./module.js";
import type { CallOptions, JobOptions, OptionsFor, PoolOptions, PoolStats, SliceOptions } from "./options.js";
import { collectBatches, indexedOutputs, isSource, type Source, type SourcePool, sourceBatches } from "./source.js";
import { type CallArgs, type CallTarget, positiveInt, startCall } from "./submit.js";

// Before the class: its `[Symbol.asyncDispose]` key is read when the class is defined.
ensureDisposeSymbols();

/**
 * A pool of workers running one kernel module. Create it with {@link createPool}.
 * Dispatches a `"change"` event (a `CustomEvent<PoolStats>`) after its counters change,
 * at most once per microtask.
 */
export class Pool<K extends object = BuiltinKernels> extends ChangeEvents<PoolStats> {
  /** Resolves once every worker has instantiated the module. */
  readonly ready: Promise<void>;

  readonly #dispatch: Dispatcher;
  /** Where the pool's calls go (the compute workers). */
  readonly #target: CallTarget;
  /** Sync mode (the SyncExecutor and its link to the coordinator), when asked for. */
  readonly #sync: SyncMode | undefined;
  /** The host `exposeToRust` installed, and how to uninstall it. */
  #host: { host: object; uninstall(): void } | undefined;
  readonly #local: LocalModule;
  readonly #kernels = new Map<string, KernelInfo>();
  // Why a random pool id: call ids must never collide across pools, tabs or reloads.
  readonly #id = randomUuid();
  #callSeq = 0;
  #terminated = false;

  /**
   * @internal Use {@link createPool}. `spawn` is the worker backend (the browser's
   * `Worker`: browser-worker.ts); `sync` turns sync mode on, with `link` an active
   * coordinator (none: the executor blocks in `Atomics.wait`, on cross-origin-isolated pages).
   */
  constructor(
    code: { module: WebAssembly.Module | Promise<WebAssembly.Module>; glue: string },
    opts: PoolOptions,
    spawn: SpawnWorker,
    sync?: { link: CoordinatorLink | undefined },
  ) {
    super();
    const limits = poolLimits(opts, globalThis.navigator?.hardwareConcurrency || 4);
    const maxQueue = opts.maxQueue ?? Infinity;
    if (maxQueue !== Infinity) positiveInt("maxQueue", maxQueue);
    const changed = () => this.notifyChange(() => this.stats());
    this.#dispatch = new Dispatcher({
      spawn,
      init: code,
      name: "wasm-pmap",
      depth: opts.inflightPerWorker ?? 2,
      changed,
      limits,
      // Sync mode's executor cuts Rust's parallel iterators for `size`: tell it the new one.
      resized: () => this.#sync?.resize(),
    });
    const nextId = () => `${this.#id}:${++this.#callSeq}`;
    this.#target = { dispatch: this.#dispatch, maxQueue, nextId };
    this.#local = new LocalModule(code.module, code.glue);
    this.#sync =
      sync &&
      new SyncMode({
        link: sync.link,
        spawn,
        init: code,
        workers: () => this.size,
        changed,
        nextId,
        pipe: (label, payloads) => this.#pipe(label, payloads),
        cancel: (call, err) => this.#dispatch.cancel(call, err),
      });
    this.ready = Promise.all([this.grow(limits.initial), this.#sync?.start()]).then(() => {});
  }

  /** Most workers the pool runs (an elastic pool's `maxWorkers`; `stats().workers`: how many
   * now). Calls and Rust's parallel iterators are cut for this many: chunks to grow for. */
  get size(): number {
    return this.#dispatch.size;
  }

  /** Kernels of the pool's module (known once {@link ready} has resolved). */
  get kernels(): KernelInfo[] {
    return [...this.#kernels.values()];
  }

  /** Adds workers until the pool has at least `n` (raising `maxWorkers` to `n`); resolves
   * when they are ready. An elastic pool releases them again once idle, down to `minWorkers`. */
  async grow(n: number): Promise<void> {
    this.#assertOpen();
    for (const k of await this.#dispatch.grow(n)) this.#kernels.set(k.name, k);
  }

  /**
   * Releases workers down to `n` (idle ones at once, then starting ones; a busy one takes no
   * more chunks and goes once those in flight are answered: none is lost or run twice), their
   * wasm memory with them; `maxWorkers` and `minWorkers` drop to `n` until a `grow`. Resolves
   * once they are gone.
   * @example
   * ```ts
   * await pool.map("mandelbrotRow", rows); // each worker's memory grew to its peak
   * await pool.shrink(1); // give it back; `pool.grow(4)` before the next big call
   * ```
   */
  async shrink(n: number): Promise<void> {
    this.#assertOpen();
    positiveInt("shrink(n): n", n);
    await this.#dispatch.shrink(n);
  }

  /**
   * Applies a kernel to every item in parallel; resolves with the outputs in input order.
   * For a `slice` kernel, pass a typed array: each chunk reaches Rust as one `&[T]` and
   * the outputs come back concatenated into one typed array. Rejects with the first error.
   * `items` may be a streaming input (an async iterable or `ReadableStream`; of typed
   * arrays for a slice kernel), read as workers free up (`maxInFlight`, source.ts).
   */
  map<N extends ItemKernel<K>>(
    kernel: N,
    items: ArrayLike<Input<K, N>> | Iterable<Input<K, N>> | Source<Input<K, N>>,
    ...opts: OptionsFor<K, N>
  ): Promise<Output<K, N>[]>;
  map<N extends SliceKernel<K>>(
    kernel: N,
    items: Input<K, N> | Source<Input<K, N>>,
    opts?: SliceOptions,
  ): Promise<Output<K, N>>;
  async map(kernel: string, items: unknown, opts: SliceOptions = {}): Promise<unknown> {
    if (isSource(items)) {
      const { slice, batches } = await this.#source(kernel, items, opts);
      return collectBatches(batches, slice);
    }
    // Before any await: the items as they are now.
    const captured = snapshot(kernel, items, opts.transfer === true);
    const info = await this.#kernel(kernel);
    const list = checkItems(info, captured);
    if (info.kind === "slice")
      return this.#start(
        info,
        Codec.slice,
        list,
        opts,
        // `list` is this call's own snapshot (items.ts), so the result may take its memory.
        new ConcatSink(
          list.length,
          () => new (list.constructor as new (n: number) => unknown)(0),
          list as unknown as ArrayBufferView,
          (b) => this.#dispatch.buffers.give(b),
        ),
      ).promise;
    return this.#start(info, Codec.map, list, opts, new ArraySink(list.length)).promise;
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
    // Arguments that are not items at all (null, a number) are a programming error: a
    // TypeError, as from `map`. Everything about the items themselves settles per item.
    const captured = snapshot(kernel, items);
    if (!ArrayBuffer.isView(captured) && !Array.isArray(captured)) {
      const got = captured === null ? "null" : typeof captured;
      throw new TypeError(`kernel "${kernel}": items must be an array or iterable, got ${got}`);
    }
    const n = (captured as ArrayLike<unknown>).length;
    let info: KernelInfo, list: ArrayLike<unknown>;
    try {
      info = await this.#kernel(kernel);
      list = checkItems(info, captured);
    } catch (err) {
      const error = err instanceof PmapError ? err : new PmapError(String((err as Error)?.message ?? err));
      return Array.from({ length: n }, () => ({ ok: false as const, error, timedOut: false }));
    }
    return this.#start(info, Codec.map, list, opts, new SettledSink(list.length)).promise as Promise<
      Settled<Output<K, N>>[]
    >;
  }

  /**
   * Yields `{ index, value }` as chunks complete (completion order, every index once).
   * Leaving the loop early aborts the rest of the call. Over a streaming input (as `map`)
   * a slice kernel yields one typed array per value the source gave, `index` its position.
   */
  stream<N extends ItemKernel<K>>(
    kernel: N,
    items: ArrayLike<Input<K, N>> | Iterable<Input<K, N>> | Source<Input<K, N>>,
    ...opts: OptionsFor<K, N>
  ): AsyncGenerator<Indexed<Output<K, N>>>;
  stream<N extends SliceKernel<K>>(
    kernel: N,
    items: Source<Input<K, N>>,
    opts?: SliceOptions,
  ): AsyncGenerator<Indexed<Output<K, N>>>;
  async *stream(kernel: string, items: unknown, opts: SliceOptions = {}): AsyncGenerator<Indexed<unknown>> {
    if (isSource(items)) {
      const { slice, batches } = await this.#source(kernel, items, opts);
      yield* indexedOutputs(batches, slice);
      return;
    }
    const captured = snapshot(kernel, items);
    const info = await this.#kernel(kernel);
    const sink = new StreamSink();
    const call = this.#start(info, Codec.map, checkItems(info, captured), opts, sink);
    call.promise.catch(() => {}); // the error reaches the consumer through the iterator
    try {
      yield* sink.iterate() as AsyncGenerator<Indexed<unknown>>;
    } finally {
      if (!call.settled) this.#dispatch.cancel(call, new AbortError("stream closed by its consumer"));
    }
  }

  /** Runs a kernel on one input (a single-item map): one RPC. */
  async call<N extends ItemKernel<K>>(
    kernel: N,
    input: Input<K, N>,
    ...[opts = {}]: OptionsFor<K, N>
  ): Promise<Output<K, N>> {
    const [out] = (await (this.map as (k: string, i: unknown[], o: CallOptions) => Promise<unknown[]>)(
      kernel,
      [input],
      { ...opts, chunkSize: 1 },
    )) as Output<K, N>[];
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
    const captured = snapshot(kernel, items);
    const info = await this.#kernel(kernel);
    if (info.kind !== "reduce") throw new PmapError(`kernel "${kernel}" is a ${info.kind} kernel, not a reduce kernel`);
    const partials = (await this.#start(info, Codec.reduce, checkItems(info, captured), opts, new PartialsSink())
      .promise) as unknown[];
    return (await this.#local.fold(info, [init, ...partials])) as Output<K, N>;
  }

  /**
   * Runs a `#[kernel(job)]` in the SyncExecutor worker, where it may block on
   * `collect_vec_sync()` while the compute workers run its parallel iterators. Jobs run
   * one at a time, in call order. Needs `createPool({ sync })`.
   */
  async execute<N extends JobKernel<K>>(job: N, input: Input<K, N>, opts: JobOptions = {}): Promise<Output<K, N>> {
    // Before any await: the input as it is now (items.ts).
    const payload = jobPayload(input);
    return jobOutput(job, await this.#job(job, payload, opts, false)) as Output<K, N>;
  }

  /**
   * Makes this pool the one Rust code on this thread reaches: `collect_vec().await` and
   * `execute_async(...)` in main-thread wasm use it (through
   * `globalThis[Symbol.for("wasm-pmap.host")]`). Disposing (or terminating) undoes it.
   */
  exposeToRust(): Disposable {
    this.#assertOpen();
    const pool = this;
    const host = {
      // A getter: Rust reads it at each parallel iterator, so it follows `grow`.
      get workers() {
        return pool.size;
      },
      run: (label: string, payloads: Uint8Array[]) => this.#pipe(label, payloads).promise,
      execute: (job: string, payload: Uint8Array) => this.#job(job, payload, {}, true),
    };
    const { uninstall } = installHost(host);
    this.#host = { host, uninstall };
    return {
      [Symbol.dispose]: () => {
        uninstall();
        if (this.#host?.host === host) this.#host = undefined;
      },
    };
  }

  /** Counters: workers (live, idle, starting, released), queued, in flight, completed/failed
   * calls, respawns, memory. */
  stats(): PoolStats {
    return { ...this.#dispatch.stats(), syncReruns: this.#sync?.reruns ?? 0 };
  }

  /** Stops every worker; pending calls settle (`PoolTerminatedError`); later calls reject. Idempotent. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#dispatch.close(new PoolTerminatedError());
    this.#sync?.close(new PoolTerminatedError());
    this.#host?.uninstall();
    this.#host = undefined;
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
  #pipe(label: string, payloads: Uint8Array[]): Call {
    const info: KernelInfo = { name: label, kind: "map", input: "pipe payload", output: "pipe body" };
    return this.#start(info, Codec.pipe, payloads, {}, new ArraySink(payloads.length));
  }

  /** Runs job `name` in sync mode: its payload in (`[input]`'s CBOR from TypeScript, a pipe
   * payload `fromRust`), its body's bytes out. */
  async #job(name: string, payload: JobPayload, opts: JobOptions, fromRust: boolean): Promise<Uint8Array> {
    if (!this.#sync)
      throw new SyncModeError(`running job "${name}" needs sync mode: createPool({ sync: { serviceWorker, scope } })`);
    const info = await this.#kernel(name);
    // From Rust, `sync_fn!` already checked the kind at compile time, and a map kernel is
    // a job too when `register_fn!` (wasm-par-mq's API, rust/pmap/src/par_mq.rs) made it.
    if (info.kind !== "job" && !(fromRust && info.kind === "map"))
      throw new PmapError(`kernel "${name}" is a ${info.kind} kernel, not a #[kernel(job)]; use pool.map`);
    if (!(payload instanceof Uint8Array)) throw jobInputError(info, payload.unencodable);
    this.#assertOpen();
    return this.#sync.run(info, payload, opts, fromRust);
  }

  /** A streaming input's batches, each one call (source.ts): `chunkSize` items each, or
   * each typed array the source yields for a slice kernel (snapshotted as `map` does). */
  async #source(kernel: string, source: Source<unknown>, opts: SliceOptions) {
    if (opts.maxInFlight !== undefined) positiveInt("maxInFlight", opts.maxInFlight);
    const info = await this.#kernel(kernel);
    const pool: SourcePool = {
      size: this.size,
      start: (...args) => this.#start(...args),
      cancel: (call, err) => this.#dispatch.cancel(call, err),
    };
    return { slice: info.kind === "slice", batches: sourceBatches(pool, info, source, opts) };
  }

  #start(...args: CallArgs): Call {
    this.#assertOpen();
    return startCall(this.#target, ...args);
  }
}
