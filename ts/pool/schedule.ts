/**
 * Runs on the page. Scheduling, pure logic (no Workers here, so node tests can drive it):
 * how a call is cut into chunks, and the queue idle workers pull chunks from.
 */

/** Target chunks per worker for `chunkSize: "auto"`: enough that a slow chunk or a slow
 * worker is compensated by the others pulling more, few enough that per-chunk overhead
 * (≈ 0.1 ms round trip here) stays small. */
export const AUTO_CHUNKS_PER_WORKER = 4;
/** Upper bound of an auto chunk, in items, so one chunk's frame stays a few MB at most. */
export const AUTO_MAX_CHUNK = 16_384;

/** Upper bound of an auto chunk of a slice kernel, in bytes. Why larger than 16 384
 * elements: a slice chunk costs a copy per byte and a message per chunk; at 4 MiB the
 * messages are noise (≈ 0.1 ms against ≈ 1 ms of copying), and a 64 MB call still has 16
 * chunks to balance over the workers. */
export const AUTO_MAX_SLICE_BYTES = 4 << 20;

/**
 * Chunk size for `chunkSize: "auto"`: about {@link AUTO_CHUNKS_PER_WORKER} chunks per
 * worker, at least 1 item and at most `maxChunk` ({@link AUTO_MAX_CHUNK} items).
 */
export function autoChunkSize(total: number, workers: number, maxChunk = AUTO_MAX_CHUNK): number {
  const ideal = Math.ceil(total / (Math.max(1, workers) * AUTO_CHUNKS_PER_WORKER));
  return Math.min(maxChunk, Math.max(1, ideal));
}

/** Resolves a user's `chunkSize` option; throws a RangeError for nonsense. `elementBytes`:
 * a slice kernel's element size (its auto chunks are capped by {@link AUTO_MAX_SLICE_BYTES}). */
export function resolveChunkSize(
  opt: number | "auto" | undefined,
  total: number,
  workers: number,
  elementBytes?: number,
): number {
  if (opt === undefined || opt === "auto")
    return autoChunkSize(
      total,
      workers,
      elementBytes ? Math.floor(AUTO_MAX_SLICE_BYTES / elementBytes) : AUTO_MAX_CHUNK,
    );
  if (!Number.isInteger(opt) || opt < 1)
    throw new RangeError(`chunkSize must be a positive integer or "auto", got ${opt}`);
  return opt;
}

/** Half-open item ranges `[start, end)` covering `0..total` in order. */
export function planChunks(total: number, chunkSize: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < total; start += chunkSize) out.push([start, Math.min(total, start + chunkSize)]);
  return out;
}

/**
 * Chunks waiting for a worker, grouped by call. `next` serves calls round-robin so that a
 * call with 10 000 chunks queued does not starve one queued after it.
 */
export class FairQueue<T> {
  // Insertion-ordered: iteration order is the round-robin order.
  readonly #byCall = new Map<string, T[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(call: string, tasks: readonly T[]): void {
    if (tasks.length === 0) return;
    const q = this.#byCall.get(call);
    if (q) q.push(...tasks);
    else this.#byCall.set(call, [...tasks]);
    this.#size += tasks.length;
  }

  /** Takes the next task of the first call (in round-robin order) that `eligible` accepts. */
  next(eligible: (call: string) => boolean = () => true): T | undefined {
    for (const [call, q] of this.#byCall) {
      if (!eligible(call)) continue;
      const task = q.shift()!;
      this.#size--;
      // Move the call to the back: the next pull serves another call first.
      this.#byCall.delete(call);
      if (q.length > 0) this.#byCall.set(call, q);
      return task;
    }
    return undefined;
  }

  /** Each call with tasks queued, and how many (round-robin order). */
  *waiting(): IterableIterator<[call: string, tasks: number]> {
    for (const [call, q] of this.#byCall) yield [call, q.length];
  }

  /** Puts a task back at the head of its call's queue (a retry keeps its place). */
  unshift(call: string, task: T): void {
    const q = this.#byCall.get(call);
    if (q) q.unshift(task);
    else this.#byCall.set(call, [task]);
    this.#size++;
  }

  /** Removes and returns every queued task of a call. */
  drop(call: string): T[] {
    const q = this.#byCall.get(call) ?? [];
    this.#byCall.delete(call);
    this.#size -= q.length;
    return q;
  }
}
