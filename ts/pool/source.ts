/**
 * Runs on the page. Streaming inputs: `pool.map` / `pool.stream` over an async iterable or a
 * `ReadableStream`, read as workers free up. The source is cut into batches (item kernels:
 * `chunkSize` items; slice kernels: each typed array the source yields), each batch one
 * call of the pool; at most `maxInFlight` batches are held at once — running, queued, or
 * done and not yet taken by the consumer — so a source of any length passes through bounded
 * memory, and a slow consumer slows the reading down (backpressure).
 */
import { AbortError, PmapError, SourceError } from "../protocol/errors.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { Call, Progress } from "./call.js";
import { Codec } from "./codecs.js";
import { ArraySink, ConcatSink } from "./collect.js";
import { checkItems, snapshot } from "./items.js";
import type { SliceOptions } from "./options.js";
import { AUTO_MAX_SLICE_BYTES } from "./schedule.js";
import type { CallArgs } from "./submit.js";

/** What `pool.map` and `pool.stream` read as they go (beside arrays and typed arrays). */
export type Source<T> = AsyncIterable<T> | ReadableStream<T>;

/** Is `x` a streaming input (read as it comes) rather than items in memory? */
export function isSource(x: unknown): x is Source<unknown> {
  if (x === null || typeof x !== "object") return false;
  if (typeof ReadableStream !== "undefined" && x instanceof ReadableStream) return true;
  return typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

/** One batch's outputs, once its call has completed. */
export interface BatchOutput {
  /** The batch's position in the source (0, 1, …). */
  batch: number;
  /** Index of its first item among all items read. */
  first: number;
  /** Its call's result (an array of outputs, or a slice kernel's typed array). */
  out: unknown;
}

export interface SourceRun {
  /** Kernel name, for errors. */
  kernel: string;
  /** Items per batch; undefined: each value the source yields is one batch (a typed array
   * for a slice kernel). */
  batchSize: number | undefined;
  /** Most batches held at once. */
  maxInFlight: number;
  /** Yield batches in source order (a batch done early waits, still counted as held). */
  ordered?: boolean;
  signal?: AbortSignal;
  /** Starts one batch's call; `first` places its items and chunks among the source's. */
  start(items: unknown, first: { item: number; chunk: number }): Call;
  /** How many chunks a started call has (numbers the next batch's chunks after it). */
  chunks(call: Call): number;
  /** Ends a call early (the consumer left, another batch failed, the signal fired). */
  cancel(call: Call, err: PmapError): void;
}

/** Items per batch of a streaming input to an item kernel when `chunkSize` is not a number:
 * its length is unknown, so "about 4 chunks per worker" cannot be worked out. */
export const SOURCE_BATCH = 64;

/** What a streaming run needs of its pool. */
export interface SourcePool {
  readonly size: number;
  start(...args: CallArgs): Call;
  cancel(call: Call, err: PmapError): void;
}

/**
 * A streaming input's batches through `pool`, each one call: `chunkSize` items each (one
 * chunk), or each typed array the source yields for a slice kernel (snapshotted as `map`
 * does: the source may reuse its buffer once it has yielded it). `onProgress` counts the
 * items of the whole input: done, and read so far.
 */
export function sourceBatches(
  pool: SourcePool,
  info: KernelInfo,
  source: Source<unknown>,
  opts: SliceOptions,
): AsyncGenerator<BatchOutput> {
  const slice = info.kind === "slice";
  const batchSize = slice ? undefined : typeof opts.chunkSize === "number" ? opts.chunkSize : SOURCE_BATCH;
  const { signal, onProgress, maxInFlight, transfer, ordered, ...callOpts } = opts;
  let done = 0;
  let read = 0;
  return runSource(source, {
    kernel: info.name,
    batchSize,
    maxInFlight: maxInFlight ?? 2 * pool.size,
    ordered,
    signal,
    start: (value, first) => {
      const list = checkItems(info, slice ? snapshot(info.name, value, transfer === true) : value);
      const sink = slice
        ? new ConcatSink(list.length, () => new (list.constructor as new (n: number) => unknown)(0))
        : new ArraySink(list.length);
      read += list.length;
      let last = 0; // this batch's items done, as its last report said
      const progress = (p: Progress) => {
        done += p.done - last;
        last = p.done;
        onProgress?.({ ...p, done, total: read });
      };
      // A slice batch is one chunk (up to the auto cap): the batches in flight already keep
      // every worker busy, and fewer, larger chunks cost fewer messages (1 MiB arrays: 8×
      // fewer than cutting each for "4 chunks per worker").
      const whole = Math.min(
        list.length,
        Math.floor(AUTO_MAX_SLICE_BYTES / ((list as Uint8Array).BYTES_PER_ELEMENT ?? 1)),
      );
      const chunkSize = batchSize ?? (typeof callOpts.chunkSize === "number" ? callOpts.chunkSize : Math.max(1, whole));
      const o = { ...callOpts, chunkSize, first, onProgress: progress };
      return pool.start(info, slice ? Codec.slice : Codec.map, list, o, sink);
    },
    chunks: (call) => call.chunkCount,
    cancel: (call, err) => pool.cancel(call, err),
  });
}

/** `pool.map` over a source: every batch's outputs, in input order, as one array (item
 * kernels) or one typed array (slice kernels). */
export async function collectBatches(batches: AsyncIterable<BatchOutput>, slice: boolean): Promise<unknown> {
  const parts: unknown[] = [];
  for await (const b of batches) parts[b.batch] = b.out;
  if (!slice) return (parts as unknown[][]).flat();
  type Typed = ArrayLike<number> & { set(a: ArrayLike<number>, at: number): void };
  const typed = parts as Typed[];
  const Make = (typed[0]?.constructor ?? Uint8Array) as new (n: number) => Typed;
  const out = new Make(typed.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of typed) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `pool.stream` over a source: `{ index, value }` per item (item kernels), or per value
 * the source yielded (slice kernels: its output typed array), as batches complete. */
export async function* indexedOutputs(
  batches: AsyncIterable<BatchOutput>,
  slice: boolean,
): AsyncGenerator<{ index: number; value: unknown }> {
  for await (const b of batches) {
    if (slice) yield { index: b.batch, value: b.out };
    else for (const [i, value] of (b.out as unknown[]).entries()) yield { index: b.first + i, value };
  }
}

/** Takes batch number `n` out of `done` if it is there. */
function takeBatch(done: BatchOutput[], n: number): BatchOutput | undefined {
  const at = done.findIndex((b) => b.batch === n);
  return at < 0 ? undefined : done.splice(at, 1)[0];
}

/** Reads a source one value at a time; a ReadableStream through its reader (WebKit's
 * ReadableStream is not async-iterable). */
interface Reader {
  next(): Promise<IteratorResult<unknown>>;
  /** Stops the source (the run ended early): its `return()`, or the stream's `cancel()`. */
  stop(reason: unknown): void;
}

function readerOf(source: Source<unknown>): Reader {
  if (typeof ReadableStream !== "undefined" && source instanceof ReadableStream) {
    const reader = source.getReader();
    return {
      next: async () => {
        const r = await reader.read();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
      },
      stop: (reason) => void reader.cancel(reason).catch(() => {}),
    };
  }
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return {
    next: () => it.next(),
    stop: () => void Promise.resolve(it.return?.()).catch(() => {}),
  };
}

/**
 * Runs a source through the pool; yields each batch's outputs as its call completes
 * (completion order). Leaving the loop early cancels the batches in flight and stops the
 * source. The first failure (a batch's error, the source's own as `SourceError`, the
 * signal's `AbortError`) does the same, then is thrown.
 */
export async function* runSource(source: Source<unknown>, run: SourceRun): AsyncGenerator<BatchOutput> {
  const reader = readerOf(source);
  const running = new Set<Call>();
  const done: BatchOutput[] = [];
  let held = 0; // batches running or done and not yet yielded: at most maxInFlight
  let items = 0; // items of the batches started so far
  let partial = 0; // items of the batch being read
  let chunks = 0; // chunks of the batches started so far
  let batches = 0;
  let yielded = 0;
  let reading = false;
  let ended = false;
  let failure: PmapError | undefined;
  let wake: () => void = () => {};
  const notify = () => wake();

  /** Cancels every call still running (once: a cancelled call's rejection is not a failure). */
  const cancelRunning = (err: PmapError) => {
    const calls = [...running];
    running.clear();
    for (const call of calls) run.cancel(call, err);
  };
  const fail = (err: PmapError) => {
    if (failure) return;
    failure = err;
    cancelRunning(err);
    notify();
  };

  const onAbort = () => fail(new AbortError(`kernel "${run.kernel}": aborted`, run.signal?.reason));
  if (run.signal?.aborted) throw new AbortError(`kernel "${run.kernel}": aborted before it started`, run.signal.reason);
  run.signal?.addEventListener("abort", onAbort, { once: true });

  /** Reads one batch: `batchSize` items (fewer at the end), or the source's next value. */
  const readBatch = async (): Promise<unknown | undefined> => {
    if (run.batchSize === undefined) {
      partial = 0;
      const r = await reader.next();
      if (r.done) return undefined;
      return r.value;
    }
    const batch: unknown[] = [];
    partial = 0;
    while (batch.length < run.batchSize) {
      const r = await reader.next();
      if (r.done) break;
      partial = batch.push(r.value);
    }
    return batch.length > 0 ? batch : undefined;
  };

  const start = (value: unknown) => {
    const batch = batches++;
    const first = items;
    let call: Call;
    try {
      call = run.start(value, { item: first, chunk: chunks });
    } catch (err) {
      fail(err instanceof PmapError ? err : new PmapError(String((err as Error)?.message ?? err)));
      return;
    }
    items += call.total;
    chunks += run.chunks(call);
    held++;
    running.add(call);
    call.promise.then(
      (out) => {
        if (!running.delete(call)) return;
        done.push({ batch, first, out });
        notify();
      },
      (err: PmapError) => {
        if (!running.delete(call)) return; // cancelled here
        held--;
        fail(err);
      },
    );
  };

  /** Reads the next batch if there is room for it and nothing failed. */
  const pump = () => {
    if (reading || ended || failure || held >= run.maxInFlight) return;
    reading = true;
    readBatch().then(
      (value) => {
        reading = false;
        if (failure) return;
        if (value === undefined) ended = true;
        else start(value);
        pump();
        notify();
      },
      (err) => {
        reading = false;
        // The item that could not be read: after those of the batches started and those
        // of this batch read so far.
        fail(new SourceError(run.kernel, items + partial, err));
      },
    );
  };

  try {
    for (;;) {
      pump();
      if (failure) throw failure;
      const next = run.ordered ? takeBatch(done, yielded) : done.shift();
      if (next) {
        yielded++;
        held--;
        pump(); // read ahead while the consumer works on this one
        yield next;
        continue;
      }
      if (ended && !reading && running.size === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    run.signal?.removeEventListener("abort", onAbort);
    const reason = failure ?? new AbortError("stream closed by its consumer");
    failure ??= reason; // a read still pending starts nothing
    cancelRunning(reason);
    if (!ended) reader.stop(reason);
  }
}

/**
 * The values of a `pool.stream`, for chaining one call's output stream into the next
 * without collecting in between:
 * `pool.stream("b", outputs(pool.stream("a", source, { ordered: true })))`.
 */
export async function* outputs<T>(stream: AsyncIterable<{ value: T }>): AsyncGenerator<T> {
  for await (const { value } of stream) yield value;
}
