/**
 * The pool: the public API (`createPool`, `Pool`), validation, and the pump that hands
 * queued chunks to idle workers. See docs/architecture.md for one item's journey.
 */
import { Call, type Progress, type Task } from "./call.js";
import { KernelError, PmapError, PoolTerminatedError, UnknownKernelError, WorkerCrashedError } from "./errors.js";
import {
  type BuiltinKernels,
  builtinModule,
  compileModule,
  type Input,
  type ItemKernel,
  type KernelInfo,
  type KernelModule,
  type Output,
  type ReduceKernel,
  type SliceKernel,
} from "./kernels.js";
import { FairQueue, resolveChunkSize } from "./schedule.js";
import { decodeResponse, decodeValue, encodeRequest, type FromWorker, Mode } from "./wire.js";
import { WorkerSlot } from "./workers.js";

export interface PoolOptions {
  /**
   * Number of workers. Default: `navigator.hardwareConcurrency`. The main thread only
   * awaits while the pool works, so every core can run a worker.
   */
  concurrency?: number;
  /** The kernel module every worker runs. Default: the built-in kernels. */
  module?: KernelModule;
  /**
   * Chunks posted ahead to each worker (default 2): the next chunk is already waiting in
   * the worker when one finishes, hiding the ≈ 0.1 ms message round trip.
   */
  inflightPerWorker?: number;
}

export interface CallOptions {
  /** At most this many workers run this call's chunks at once. Default: all of the pool's. */
  concurrency?: number;
  /** Items per chunk, or `"auto"` (default): about 4 chunks per worker, see schedule.ts. */
  chunkSize?: number | "auto";
  /** Called after every completed chunk. */
  onProgress?: (p: Progress) => void;
}

/** Counters of a pool at one moment. */
export interface PoolStats {
  workers: number;
  idle: number;
  queued: number;
  inflight: number;
  completed: number;
  failed: number;
  respawned: number;
}

type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Creates a pool of workers, each running the same kernel module, compiled once here.
 *
 * @example
 * ```ts
 * import { createPool } from "wasm-pmap";
 * await using pool = await createPool({ concurrency: 4 });
 * const rows = await pool.map("mandelbrotRow", specs); // Uint8Array[]
 * ```
 * With your own kernels (a wasm-pack / wasm-bindgen `--target web` build):
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
  const pool = new Pool<K>(module, String(desc.glue instanceof URL ? desc.glue.href : new URL(desc.glue, location.href).href), opts);
  try {
    await pool.ready;
  } catch (err) {
    pool.terminate();
    throw err;
  }
  return pool;
}

/** A pool of workers running one kernel module. Create it with {@link createPool}. */
export class Pool<K extends object = BuiltinKernels> {
  /** Resolves once every worker has instantiated the module. */
  readonly ready: Promise<void>;

  readonly #module: WebAssembly.Module;
  readonly #glue: string;
  readonly #depth: number;
  readonly #slots: WorkerSlot[] = [];
  readonly #queue = new FairQueue<Task>();
  readonly #calls = new Map<string, Call>();
  readonly #kernels = new Map<string, KernelInfo>();
  // Why a random pool id: job ids must never collide across pools, tabs or reloads.
  readonly #id = crypto.randomUUID();
  #callSeq = 0;
  #taskSeq = 0;
  #terminated = false;
  readonly #counts = { completed: 0, failed: 0, respawned: 0 };

  /** @internal Use {@link createPool}. */
  constructor(module: WebAssembly.Module, glue: string, opts: PoolOptions) {
    const n = opts.concurrency ?? (globalThis.navigator?.hardwareConcurrency || 4);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`concurrency must be a positive integer, got ${n}`);
    this.#module = module;
    this.#glue = glue;
    this.#depth = Math.max(1, opts.inflightPerWorker ?? 2);
    this.ready = this.grow(n);
  }

  /** Number of workers. */
  get size(): number {
    return this.#slots.length;
  }

  /** Kernels of the pool's module (known once {@link ready} has resolved). */
  get kernels(): KernelInfo[] {
    return [...this.#kernels.values()];
  }

  /** Adds workers until the pool has at least `n`; resolves when they are ready. */
  async grow(n: number): Promise<void> {
    this.#assertOpen();
    const added: Promise<KernelInfo[]>[] = [];
    while (this.#slots.length < n) {
      const slot = this.#spawn(this.#slots.length);
      this.#slots.push(slot);
      added.push(slot.ready);
    }
    const lists = await Promise.all(added);
    for (const k of lists[0] ?? []) this.#kernels.set(k.name, k);
    this.#pump();
  }

  /**
   * Applies a kernel to every item, in parallel; resolves with the outputs in input order.
   * For a `slice` kernel, pass a typed array: each chunk reaches Rust as one `&[T]` and the
   * outputs come back concatenated into one typed array.
   */
  map<N extends ItemKernel<K>>(kernel: N, items: ArrayLike<Input<K, N>>, opts?: CallOptions): Promise<Output<K, N>[]>;
  map<N extends SliceKernel<K>>(kernel: N, items: Input<K, N>, opts?: CallOptions): Promise<Output<K, N>>;
  async map(kernel: string, items: unknown, opts: CallOptions = {}): Promise<unknown> {
    const info = await this.#kernel(kernel);
    const mode = info.kind === "slice" ? Mode.Slice : Mode.Map;
    return this.#run(info, mode, checkItems(info, items), opts).promise;
  }

  /** Runs a kernel on one input (a single-item map). */
  async call<N extends ItemKernel<K>>(kernel: N, input: Input<K, N>): Promise<Output<K, N>> {
    const [out] = await this.map(kernel, [input] as ArrayLike<Input<K, N>>, { chunkSize: 1 });
    return out!;
  }

  /**
   * Folds `items` with an associative `reduce` kernel: each chunk is folded in a worker,
   * then the partials (and `init`) in one last chunk. Resolves `init` for no items.
   */
  async reduce<N extends ReduceKernel<K>>(
    kernel: N,
    init: Output<K, N>,
    items: ArrayLike<Output<K, N>>,
    opts: CallOptions = {},
  ): Promise<Output<K, N>> {
    const info = await this.#kernel(kernel);
    if (info.kind !== "reduce") throw new PmapError(`kernel "${kernel}" is a ${info.kind} kernel, not a reduce kernel`);
    const partials = (await this.#run(info, Mode.Reduce, checkItems(info, items), opts).promise) as unknown[];
    const last = (await this.#run(info, Mode.Reduce, [init, ...partials], { chunkSize: partials.length + 1 }).promise) as unknown[];
    return last[0] as Output<K, N>;
  }

  /** Counters: workers, idle workers, queued and in-flight chunks, completed/failed calls. */
  stats(): PoolStats {
    const live = this.#slots.filter((s) => !s.dead);
    return {
      workers: live.length,
      idle: live.filter((s) => s.isReady && s.inflight.size === 0).length,
      queued: this.#queue.size,
      inflight: live.reduce((n, s) => n + s.inflight.size, 0),
      ...this.#counts,
    };
  }

  /** Stops every worker; pending calls reject with `PoolTerminatedError`. Idempotent. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const call of this.#calls.values()) call.fail(new PoolTerminatedError());
    this.#calls.clear();
    for (const s of this.#slots) s.terminate();
    this.#slots.length = 0;
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
    const info = this.#kernels.get(name);
    if (!info) throw new UnknownKernelError(name, [...this.#kernels.keys()].sort());
    return info;
  }

  #run(info: KernelInfo, mode: Mode, items: ArrayLike<unknown>, opts: CallOptions): Call {
    this.#assertOpen();
    const concurrency = opts.concurrency ?? this.#slots.length;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    const call = new Call({
      id: `${this.#id}:${++this.#callSeq}`,
      kernel: info,
      mode,
      items,
      chunkSize: resolveChunkSize(opts.chunkSize, items.length, Math.min(concurrency, this.#slots.length)),
      concurrency,
      onProgress: opts.onProgress,
    });
    if (call.settled) return call;
    this.#calls.set(call.id, call);
    call.promise.then(
      () => this.#counts.completed++,
      () => {
        this.#counts.failed++;
        this.#queue.drop(call.id); // its queued chunks will never be needed
      },
    ).finally(() => this.#calls.delete(call.id));
    this.#queue.push(
      call.id,
      call.chunks.map(([start, end], chunk) => ({ id: 0, call, chunk, start, end, crashes: 0 })),
    );
    this.#pump();
    return call;
  }

  /** Hands queued chunks to workers, breadth first: every worker gets one before any gets two. */
  #pump(): void {
    for (let depth = 1; depth <= this.#depth && this.#queue.size > 0; depth++) {
      for (const slot of this.#slots) {
        if (!slot.isReady || slot.dead || slot.inflight.size >= depth) continue;
        const task = this.#queue.next((id) => this.#calls.get(id)?.canUse(slot.index) ?? true);
        if (!task) continue;
        if (task.call.settled) continue; // dropped between push and pull
        this.#send(slot, task);
      }
    }
  }

  #send(slot: WorkerSlot, task: Task): void {
    const { call } = task;
    let frame: Uint8Array;
    try {
      frame = encodeRequest({ job: call.id, chunk: task.chunk, kernel: call.kernel.name, mode: call.mode, payload: call.payload(task) });
    } catch (err) {
      call.fail(new PmapError(`kernel "${call.kernel.name}": chunk ${task.chunk} could not be encoded: ${(err as Error).message}`));
      return;
    }
    task.id = ++this.#taskSeq;
    slot.inflight.set(task.id, task);
    call.workers.set(slot.index, (call.workers.get(slot.index) ?? 0) + 1);
    slot.post({ type: "run", id: task.id, frame: frame.buffer as ArrayBuffer }, [frame.buffer]);
  }

  /** Removes a task from its worker's books; returns it if it was still in flight. */
  #settle(slot: WorkerSlot, id: number): Task | undefined {
    const task = slot.inflight.get(id);
    if (!task) return undefined;
    slot.inflight.delete(id);
    const left = (task.call.workers.get(slot.index) ?? 1) - 1;
    if (left > 0) task.call.workers.set(slot.index, left);
    else task.call.workers.delete(slot.index);
    return task;
  }

  #onMessage(slot: WorkerSlot, msg: FromWorker): void {
    if (msg.type === "done") {
      const task = this.#settle(slot, msg.id);
      if (task && !task.call.settled) this.#deliver(slot, task, msg.frame, msg.startedAt, msg.finishedAt);
    } else if (msg.type === "trap") {
      const task = this.#settle(slot, msg.id);
      task?.call.fail(new KernelError(task.call.kernel.name, `panicked: ${msg.message}`, task.chunk, undefined, true));
      if (!msg.recovered) this.#replace(slot, "closed after a kernel panic", false);
    }
    this.#pump();
  }

  #deliver(slot: WorkerSlot, task: Task, frame: ArrayBuffer, startedAt: number, finishedAt: number): void {
    const { call } = task;
    try {
      const resp = decodeResponse(new Uint8Array(frame));
      if (resp.job !== call.id || resp.chunk !== task.chunk) {
        throw new PmapError(`response for ${resp.job}#${resp.chunk} arrived for ${call.id}#${task.chunk}`);
      }
      if (resp.ok) call.accept(task, decodeValue(resp.body), slot.index, startedAt, finishedAt);
      else call.failure(task, resp.failure);
    } catch (err) {
      call.fail(err instanceof PmapError ? err : new PmapError(`kernel "${call.kernel.name}": bad response: ${(err as Error).message}`));
    }
  }

  #onCrash(slot: WorkerSlot, reason: string): void {
    this.#replace(slot, reason, true);
    this.#pump();
  }

  /**
   * Replaces a dead worker. Its in-flight chunks go back to the queue; with `ranThem`, the
   * worker may have been running them when it died, so each gets one retry, then fails
   * its call with `WorkerCrashedError`.
   */
  #replace(slot: WorkerSlot, reason: string, ranThem: boolean): void {
    if (this.#terminated || this.#slots[slot.index] !== slot) return;
    slot.terminate();
    for (const task of [...slot.inflight.values()]) {
      this.#settle(slot, task.id);
      if (task.call.settled) continue;
      if (ranThem && ++task.crashes > 1) {
        task.call.fail(new WorkerCrashedError(`kernel "${task.call.kernel.name}": chunk ${task.chunk} crashed its worker twice (${reason})`));
      } else {
        this.#queue.unshift(task.call.id, task);
      }
    }
    const fresh = this.#spawn(slot.index);
    this.#slots[slot.index] = fresh;
    this.#counts.respawned++;
    fresh.ready.then(
      () => this.#pump(),
      (err) => {
        // A module that no longer starts: fail what is queued rather than wait forever.
        for (const call of this.#calls.values()) call.fail(err);
      },
    );
  }

  #spawn(index: number): WorkerSlot {
    return new WorkerSlot(index, this.#module, this.#glue, {
      message: (s, m) => this.#onMessage(s, m),
      crash: (s, reason) => this.#onCrash(s, reason),
    });
  }
}

function checkItems(info: KernelInfo, items: unknown): ArrayLike<unknown> {
  const typed = ArrayBuffer.isView(items) && !(items instanceof DataView);
  if (info.kind === "slice") {
    if (!typed) throw new TypeError(`kernel "${info.name}" is a slice kernel: pass a ${info.input}, got ${kindOf(items)}`);
    return items as TypedArray;
  }
  if (typed || Array.isArray(items)) return items as ArrayLike<unknown>;
  if (items && typeof (items as Iterable<unknown>)[Symbol.iterator] === "function") return Array.from(items as Iterable<unknown>);
  throw new TypeError(`kernel "${info.name}": items must be an array or iterable of ${info.input}, got ${kindOf(items)}`);
}

function kindOf(v: unknown): string {
  return v === null ? "null" : ArrayBuffer.isView(v) ? v.constructor.name : Array.isArray(v) ? "an array" : typeof v;
}
