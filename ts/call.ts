/**
 * One call on the pool (`map`, `reduce`, `call`): its chunks, where their results go,
 * and how a failure frame becomes a typed error.
 */
import { DecodeError, KernelError, PmapError, UnknownKernelError } from "./errors.js";
import type { KernelInfo } from "./kernels.js";
import { planChunks } from "./schedule.js";
import { encodeValue, type Failure, Mode } from "./wire.js";

/** One chunk of a call, as it waits in the queue or runs on a worker. */
export interface Task {
  /** Pool-wide id of this attempt's message (not sent over the wire frame). */
  id: number;
  call: Call;
  chunk: number;
  /** Item range `[start, end)` within the call. */
  start: number;
  end: number;
  /** How many times a worker died while running it. */
  crashes: number;
}

/** Reported to `onProgress` after each chunk. */
export interface Progress {
  /** Items completed so far, and in all. */
  done: number;
  total: number;
  /** The chunk that just completed: its index, the worker that ran it, and when (epoch ms,
   * comparable across workers). */
  chunk: number;
  worker: number;
  startedAt: number;
  finishedAt: number;
}

type Items = ArrayLike<unknown> & { slice?: unknown; subarray?: unknown };

export interface CallSpec {
  id: string;
  kernel: KernelInfo;
  mode: Mode;
  items: Items;
  chunkSize: number;
  concurrency: number;
  onProgress?: (p: Progress) => void;
}

export class Call {
  readonly id: string;
  readonly kernel: KernelInfo;
  readonly mode: Mode;
  readonly total: number;
  readonly concurrency: number;
  readonly chunks: Array<[number, number]>;
  /** Resolves with the assembled outputs: an array (map), one typed array (slice), or the
   * non-empty partials (reduce). */
  readonly promise: Promise<unknown>;
  /** Workers (slot index → chunks in flight) this call currently occupies. */
  readonly workers = new Map<number, number>();
  settled = false;

  readonly #items: Items;
  readonly #parts: unknown[];
  readonly #onProgress?: (p: Progress) => void;
  #chunksDone = 0;
  #itemsDone = 0;
  #resolve!: (v: unknown) => void;
  #reject!: (e: unknown) => void;

  constructor(spec: CallSpec) {
    this.id = spec.id;
    this.kernel = spec.kernel;
    this.mode = spec.mode;
    this.#items = spec.items;
    this.total = spec.items.length;
    this.concurrency = spec.concurrency;
    this.chunks = planChunks(this.total, spec.chunkSize);
    this.#parts = new Array(this.chunks.length);
    this.#onProgress = spec.onProgress;
    this.promise = new Promise((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    if (this.chunks.length === 0) this.#finish();
  }

  /** May this call put a chunk on worker `slot`? (per-call `concurrency`) */
  canUse(slot: number): boolean {
    return this.workers.has(slot) || this.workers.size < this.concurrency;
  }

  /** CBOR payload of a chunk, encoded only when a worker takes it. */
  payload(task: Task): Uint8Array {
    const items = this.#items;
    // Slice mode: `subarray` is a view; cbor-x copies its bytes once, as one byte string.
    // Map mode over a typed array: the kernel wants one item each, so plain numbers.
    const part =
      this.mode === Mode.Slice
        ? (items as unknown as Float64Array).subarray(task.start, task.end)
        : ArrayBuffer.isView(items)
          ? Array.from((items as unknown as Float64Array).subarray(task.start, task.end))
          : Array.prototype.slice.call(items, task.start, task.end);
    return encodeValue(part);
  }

  /** A chunk's decoded body arrived. */
  accept(task: Task, body: unknown, worker: number, startedAt: number, finishedAt: number): void {
    if (this.settled) return;
    const n = task.end - task.start;
    if (this.mode === Mode.Map && (!Array.isArray(body) || body.length !== n)) {
      this.fail(new PmapError(`kernel "${this.kernel.name}": chunk ${task.chunk} returned ${describe(body)}, expected ${n} outputs`));
      return;
    }
    this.#parts[task.chunk] = body;
    this.#chunksDone++;
    this.#itemsDone += n;
    try {
      this.#onProgress?.({ done: this.#itemsDone, total: this.total, chunk: task.chunk, worker, startedAt, finishedAt });
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.#chunksDone === this.chunks.length) this.#finish();
  }

  /** Settles the call with an error; later chunk results are ignored. */
  fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#reject(err);
  }

  /** Turns a failure frame from the Rust side into the matching error class. */
  failure(task: Task, f: Failure): void {
    const item = f.index === undefined ? undefined : task.start + f.index;
    const at = item === undefined ? "" : `item ${item} `;
    switch (f.kind) {
      case "decode":
        return this.fail(new DecodeError(f.kernel, f.expected ?? this.kernel.input, `kernel "${f.kernel}": ${at}${f.message}`, item));
      case "kernel":
        return this.fail(new KernelError(f.kernel, f.message, task.chunk, item));
      case "unknownKernel":
        return this.fail(new UnknownKernelError(f.kernel, f.known ?? []));
      default:
        return this.fail(new PmapError(`kernel "${f.kernel || this.kernel.name}": ${f.kind} error: ${f.message}`));
    }
  }

  #finish(): void {
    this.settled = true;
    if (this.mode === Mode.Map) this.#resolve((this.#parts as unknown[][]).flat(1));
    else if (this.mode === Mode.Slice) this.#resolve(concatTyped(this.#parts as ArrayLike<number>[], this.#items));
    else this.#resolve(this.#parts.filter((p) => p !== null && p !== undefined));
  }
}

function concatTyped(parts: ArrayLike<number>[], input: Items): unknown {
  const Ctor = (parts[0]?.constructor ?? input.constructor) as new (n: number) => { set(a: ArrayLike<number>, o: number): void };
  const out = new Ctor(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? `${v.length} outputs` : typeof v;
}
