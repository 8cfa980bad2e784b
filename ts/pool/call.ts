/**
 * Runs on the page. One call on the pool (`map`, `mapSettled`, `stream`, `reduce`, `call`):
 * its chunks, its options (concurrency, timeout, progress), and how chunk outcomes and
 * failure frames become results or typed errors. Outputs go to the call's sink
 * (collect.ts).
 */
import { DecodeError, failureError, KernelError, PmapError } from "../protocol/errors.js";
import { type Failure, Mode } from "../protocol/frames.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import { encodeValue } from "../protocol/values.js";
import type { BufferPool } from "./buffers.js";
import type { Sink, Span } from "./collect.js";
import { planChunks } from "./schedule.js";

/** The typed arrays a slice kernel's output can be, by the name its kernel info gives
 * (typed.rs's table, `TYPED_ARRAYS`). */
const TYPED_ARRAYS: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigUint64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Float32Array,
  Float64Array,
};

/** One chunk of a call, as it waits in the queue or runs on a worker. */
export interface Task extends Span {
  /** Pool-wide id of the message that carries it (set when sent). */
  id: number;
  call: Call;
  /** Index of the chunk within the call (a chunk split after a failure keeps its index). */
  chunk: number;
  /** How many times a worker died while running it. */
  crashes: number;
  /** How many times its worker had lost the call's context (re-sent each time). */
  resends: number;
}

/** Reported to `onProgress` after each chunk. */
export interface Progress {
  /** Items completed so far (including failed ones in `mapSettled`), and in all. */
  done: number;
  total: number;
  /** The chunk that just completed: its index, the worker that ran it, and when it ran
   * (epoch milliseconds, comparable across workers). */
  chunk: number;
  worker: number;
  startedAt: number;
  finishedAt: number;
}

export interface CallSpec {
  id: string;
  kernel: KernelInfo;
  mode: Mode;
  items: ArrayLike<unknown>;
  chunkSize: number;
  concurrency: number;
  timeoutMs?: number;
  onProgress?: (p: Progress) => void;
  sink: Sink;
  /** A `map_with` call's broadcast context, already CBOR-encoded. */
  context?: Uint8Array;
  /** Puts tasks (the parts of a split chunk) back on the pool's queue. */
  requeue: (tasks: Task[]) => void;
  /**
   * Items are ready-made payloads (`Uint8Array`s CBOR-encoded by Rust: pipe chunks, a
   * job's input), one per chunk, and bodies are returned as bytes, undecoded.
   */
  raw?: boolean;
}

export class Call {
  readonly id: string;
  readonly kernel: KernelInfo;
  readonly mode: Mode;
  readonly total: number;
  readonly concurrency: number;
  readonly timeoutMs: number | undefined;
  readonly sink: Sink;
  /** The broadcast context's CBOR (sent once per worker, cached there under the call id). */
  readonly context: Uint8Array | undefined;
  /** See {@link CallSpec.raw}. */
  readonly raw: boolean;
  /** Settles with the sink's result, or rejects with the call's first error. */
  readonly promise: Promise<unknown>;
  /** Workers (slot index → chunks in flight) this call occupies now. */
  readonly workers = new Map<number, number>();
  settled = false;

  readonly #spec: CallSpec;
  #itemsDone = 0;
  #arrayName: Uint8Array | undefined;
  #resolve!: (v: unknown) => void;
  #reject!: (e: unknown) => void;

  constructor(spec: CallSpec) {
    this.#spec = spec;
    this.id = spec.id;
    this.kernel = spec.kernel;
    this.mode = spec.mode;
    this.total = spec.items.length;
    this.concurrency = spec.concurrency;
    this.timeoutMs = spec.timeoutMs;
    this.sink = spec.sink;
    this.context = spec.context;
    this.raw = spec.raw ?? false;
    this.promise = new Promise((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    if (this.total === 0) this.#finish();
  }

  /** The call's chunks, ready to queue. */
  tasks(): Task[] {
    return planChunks(this.total, this.raw ? 1 : this.#spec.chunkSize).map(([start, end], chunk) =>
      this.#task(chunk, start, end),
    );
  }

  /** May this call put a chunk on worker `slot`? (per-call `concurrency`) */
  canUse(slot: number): boolean {
    return this.workers.has(slot) || this.workers.size < this.concurrency;
  }

  /**
   * Payload of a chunk, built only when a worker takes it: the items' CBOR; for a slice
   * kernel, the name of the typed array whose bytes go beside the frame (see {@link data}).
   */
  payload(task: Task): Uint8Array {
    const items = this.#spec.items;
    if (this.raw) return (items as ArrayLike<Uint8Array>)[task.start]!;
    if (this.mode === Mode.Slice) {
      this.#arrayName ??= new TextEncoder().encode(items.constructor.name);
      return this.#arrayName;
    }
    // Map mode over a typed array: the kernel wants one item each, so plain numbers.
    const part = ArrayBuffer.isView(items)
      ? Array.from((items as Float64Array).subarray(task.start, task.end))
      : Array.prototype.slice.call(items, task.start, task.end);
    return encodeValue(part);
  }

  /**
   * A slice chunk's bytes, to transfer beside its frame (rust/pmap/src/slice.rs): a copy
   * of its span of the call's snapshot — which stays here, for a retry after a crash —
   * into a buffer from `buffers` (warm memory, see buffers.ts). Undefined in the other
   * modes.
   */
  data(task: Task, buffers: BufferPool): ArrayBuffer | undefined {
    if (this.mode !== Mode.Slice || this.raw) return undefined;
    const items = this.#spec.items as Uint8Array;
    const size = items.BYTES_PER_ELEMENT;
    const span = new Uint8Array(items.buffer, items.byteOffset + task.start * size, (task.end - task.start) * size);
    const buffer = buffers.take(span.byteLength);
    new Uint8Array(buffer).set(span);
    return buffer;
  }

  /** A slice kernel's output bytes as its typed array (the kernel's declared output type). */
  typedOutput(bytes: ArrayBuffer): ArrayBufferView {
    const make = TYPED_ARRAYS[this.kernel.output];
    if (!make) throw new PmapError(`kernel "${this.kernel.name}": ${this.kernel.output} is not a typed array`);
    return new make(bytes);
  }

  /**
   * The error for a chunk whose payload could not be encoded: names the first item that
   * cannot be (a value too deep, cyclic, or of a kind CBOR has no form for), as a
   * `DecodeError` of that item — so `mapSettled` fails that item alone.
   */
  encodeError(task: Task, err: unknown): PmapError {
    const why = (err as Error)?.message ?? String(err);
    const items = this.#spec.items;
    if (!this.raw && this.mode !== Mode.Slice && !ArrayBuffer.isView(items)) {
      for (let i = task.start; i < task.end; i++) {
        try {
          encodeValue(items[i]);
        } catch (e) {
          const m = (e as Error)?.message ?? String(e);
          const hint = e instanceof RangeError ? " (too deeply nested, or cyclic?)" : "";
          return new DecodeError(
            this.kernel.name,
            this.kernel.input,
            `kernel "${this.kernel.name}": item ${i} could not be encoded${hint}: ${m}`,
            i,
          );
        }
      }
    }
    return new PmapError(`kernel "${this.kernel.name}": chunk ${task.chunk} could not be encoded: ${why}`);
  }

  /** A chunk's decoded outputs arrived. */
  accept(task: Task, body: unknown, worker: number, startedAt: number, finishedAt: number): void {
    if (this.settled) return;
    const n = task.end - task.start;
    if (this.mode === Mode.Map && !this.raw && (!Array.isArray(body) || body.length !== n)) {
      const got = Array.isArray(body) ? `${body.length} outputs` : typeof body;
      this.chunkFailed(
        task,
        new PmapError(`kernel "${this.kernel.name}": chunk ${task.chunk} returned ${got}, expected ${n}`),
      );
      return;
    }
    this.sink.put(task, body);
    this.#progress(n, task, worker, startedAt, finishedAt);
  }

  /** Turns a failure frame from the Rust side into the matching error, then fails the chunk. */
  failure(task: Task, f: Failure): void {
    this.chunkFailed(task, failureError(f, this.kernel, task));
  }

  /**
   * A chunk failed. `mapSettled` records it per item and goes on — after narrowing it
   * down: an error naming its item fails only that item and re-queues the others; a panic
   * (no item known) re-queues the chunk item by item. Every other call fails as a whole.
   */
  chunkFailed(task: Task, err: PmapError): void {
    if (this.settled) return;
    if (!this.sink.settles) {
      this.fail(err);
      return;
    }
    const item = err instanceof KernelError || err instanceof DecodeError ? err.item : undefined;
    const size = task.end - task.start;
    if (size > 1 && (item !== undefined || (err instanceof KernelError && err.panicked))) {
      const parts: Task[] = [];
      if (item !== undefined) {
        this.sink.putError({ start: item, end: item + 1 }, err);
        this.#progress(1, task);
        if (item > task.start) parts.push(this.#task(task.chunk, task.start, item));
        if (item + 1 < task.end) parts.push(this.#task(task.chunk, item + 1, task.end));
      } else {
        for (let i = task.start; i < task.end; i++) parts.push(this.#task(task.chunk, i, i + 1));
      }
      if (!this.settled) this.#spec.requeue(parts);
      return;
    }
    this.sink.putError(task, err);
    this.#progress(size, task);
  }

  /** Ends the whole call with `err` (first error, abort, pool terminated). */
  fail(err: PmapError): void {
    if (this.settled) return;
    this.settled = true;
    this.sink.close(err);
    if (this.sink.settles) this.#resolve(this.sink.result());
    else this.#reject(err);
  }

  #progress(n: number, task: Task, worker = -1, startedAt = NaN, finishedAt = NaN): void {
    this.#itemsDone += n;
    try {
      this.#spec.onProgress?.({
        done: this.#itemsDone,
        total: this.total,
        chunk: task.chunk,
        worker,
        startedAt,
        finishedAt,
      });
    } catch (err) {
      this.fail(err instanceof PmapError ? err : new PmapError(`onProgress threw: ${(err as Error)?.message ?? err}`));
      return;
    }
    if (this.#itemsDone === this.total) this.#finish();
  }

  #finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.#resolve(this.sink.result());
  }

  #task(chunk: number, start: number, end: number): Task {
    return { id: 0, call: this, chunk, start, end, crashes: 0, resends: 0 };
  }
}
