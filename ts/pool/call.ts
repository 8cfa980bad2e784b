/**
 * Runs on the page. One call on the pool (`map`, `mapSettled`, `stream`, `reduce`, `call`):
 * its chunks, its options (concurrency, timeout, progress), and how chunk outcomes and
 * failure frames become results or typed errors. Outputs go to the call's sink
 * (collect.ts).
 */
import { DecodeError, failureError, KernelError, PmapError } from "../protocol/errors.js";
import { decodeResponse, type Failure } from "../protocol/frames.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { FromWorker } from "../protocol/messages.js";
import type { BufferPool } from "./buffers.js";
import type { ChunkCodec } from "./codecs.js";
import type { Sink, Span } from "./collect.js";
import { planChunks } from "./schedule.js";

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
  /** How items become payloads and bodies become outputs (codecs.ts). */
  codec: ChunkCodec;
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
  /** Where the call's items and chunks start among a larger input's: a streaming input's
   * batch (source.ts), so errors and progress give indices within the whole input. */
  first?: { item: number; chunk: number };
}

export class Call {
  readonly id: string;
  readonly kernel: KernelInfo;
  readonly codec: ChunkCodec;
  readonly total: number;
  readonly concurrency: number;
  readonly timeoutMs: number | undefined;
  readonly sink: Sink;
  /** The broadcast context's CBOR (sent once per worker, cached there under the call id). */
  readonly context: Uint8Array | undefined;
  /** Settles with the sink's result, or rejects with the call's first error. */
  readonly promise: Promise<unknown>;
  /** See {@link CallSpec.first}. */
  readonly first: { item: number; chunk: number };
  /** Workers (slot index → chunks in flight) this call occupies now. */
  readonly workers = new Map<number, number>();
  settled = false;
  /** How many chunks {@link tasks} cut the call into. */
  chunkCount = 0;

  readonly #spec: CallSpec;
  #itemsDone = 0;
  #resolve!: (v: unknown) => void;
  #reject!: (e: unknown) => void;

  constructor(spec: CallSpec) {
    this.#spec = spec;
    this.id = spec.id;
    this.kernel = spec.kernel;
    this.codec = spec.codec;
    this.first = spec.first ?? { item: 0, chunk: 0 };
    this.total = spec.items.length;
    this.concurrency = spec.concurrency;
    this.timeoutMs = spec.timeoutMs;
    this.sink = spec.sink;
    this.context = spec.context;
    this.promise = new Promise((res, rej) => {
      this.#resolve = res;
      this.#reject = rej;
    });
    if (this.total === 0) this.#finish();
  }

  /** The call's chunks, ready to queue. */
  tasks(): Task[] {
    const tasks = planChunks(this.total, this.codec.onePerChunk ? 1 : this.#spec.chunkSize).map(([start, end], chunk) =>
      this.#task(this.first.chunk + chunk, start, end),
    );
    this.chunkCount = tasks.length;
    return tasks;
  }

  /** May this call put a chunk on worker `slot`? (per-call `concurrency`) */
  canUse(slot: number): boolean {
    return this.workers.has(slot) || this.workers.size < this.concurrency;
  }

  /** A chunk's payload, built only when a worker takes it. */
  payload(task: Task): Uint8Array {
    return this.codec.payload(this.#spec.items, task);
  }

  /** Bytes to transfer beside a chunk's frame (a slice chunk's span), if any. */
  data(task: Task, buffers: BufferPool): ArrayBuffer | undefined {
    return this.codec.data(this.#spec.items, task, buffers);
  }

  /** A chunk's outputs from its response body (and the bytes beside it). */
  output(body: Uint8Array, data: ArrayBuffer | undefined): unknown {
    return this.codec.output(this.kernel, body, data);
  }

  /** The error for a chunk whose payload could not be encoded (names the item if it can). */
  encodeError(task: Task, err: unknown): PmapError {
    return this.codec.encodeError(this.kernel, this.#spec.items, task.chunk, task, err, this.first.item);
  }

  /** A chunk's decoded outputs arrived. */
  accept(task: Task, body: unknown, worker: number, startedAt: number, finishedAt: number): void {
    if (this.settled) return;
    const n = task.end - task.start;
    if (this.codec.perItem && (!Array.isArray(body) || body.length !== n)) {
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

  /**
   * A chunk's answer from worker `worker`: its frame is checked against the chunk, then its
   * outputs go to the sink, or its failure fails the chunk. True when the worker no longer
   * held the call's context (it caches a few): the chunk is to be sent again, with the
   * context's bytes (twice at most).
   */
  answered(task: Task, done: Extract<FromWorker, { type: "done" }>, worker: number): boolean {
    try {
      const resp = decodeResponse(new Uint8Array(done.frame));
      if (resp.call !== this.id || resp.chunk !== task.chunk) {
        throw new PmapError(`response for ${resp.call}#${resp.chunk} arrived for ${this.id}#${task.chunk}`);
      }
      if (resp.ok) this.accept(task, this.output(resp.body, done.data), worker, done.startedAt, done.finishedAt);
      else if (resp.failure.kind === "contextMissing" && this.context && task.resends++ < 2) return true;
      else this.failure(task, resp.failure);
    } catch (err) {
      const why = err instanceof PmapError ? err : undefined;
      this.chunkFailed(
        task,
        why ?? new PmapError(`kernel "${this.kernel.name}": bad response: ${(err as Error).message}`),
      );
    }
    return false;
  }

  /** Turns a failure frame from the Rust side into the matching error, then fails the chunk. */
  failure(task: Task, f: Failure): void {
    this.chunkFailed(task, failureError(f, this.kernel, { chunk: task.chunk, start: this.first.item + task.start }));
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
    const named = err instanceof KernelError || err instanceof DecodeError ? err.item : undefined;
    const item = named === undefined ? undefined : named - this.first.item;
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
