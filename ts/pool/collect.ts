/**
 * Runs on the page. Where a call's outputs go (the last step of an item's journey). One
 * sink per call flavour: `map` (array in input order), slice `map` (one concatenated typed
 * array), `reduce` (partials), `mapSettled` (per-item outcomes), `stream` (completion
 * order).
 */
import { type PmapError, TimeoutError } from "../protocol/errors.js";

/** The span of items a chunk covers. */
export interface Span {
  start: number;
  end: number;
}

/** A `mapSettled` outcome: never thrown, one per item. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: PmapError; timedOut: boolean };

/** One `stream` element: an item's index in the input and its output. */
export interface Indexed<T> {
  index: number;
  value: T;
}

export interface Sink {
  /** True for `mapSettled`: failures are recorded per item and the call resolves anyway. */
  readonly settles: boolean;
  /** A chunk's outputs (already decoded). */
  put(span: Span, body: unknown): void;
  /** Items that failed (only called when `settles`). */
  putError(span: Span, err: PmapError): void;
  /** The call ends with `err` (first error, abort, pool terminated). */
  close(err: PmapError): void;
  /** The call's value once every item is in (or after an absorbing `close`). */
  result(): unknown;
}

/** `map`: outputs at their input indices. */
export class ArraySink implements Sink {
  readonly #out: unknown[];
  constructor(total: number) {
    this.#out = new Array(total);
  }
  put(span: Span, body: unknown): void {
    const values = body as unknown[];
    for (let i = 0; i < values.length; i++) this.#out[span.start + i] = values[i];
  }
  readonly settles = false;
  putError(): void {}
  close(): void {}
  result(): unknown[] {
    return this.#out;
  }
}

type Typed = ArrayLike<number> & { set(a: ArrayLike<number>, o: number): void; subarray(a: number, b: number): Typed };

/**
 * Slice `map`: each chunk returns a typed array; the result is their concatenation. When
 * a chunk's output is as long as its input (the usual slice kernel, `&[T] -> Vec<U>` one
 * for one), it is written straight into the result, allocated at the first chunk: each
 * output byte is copied once on the main thread, and the chunk's buffer goes back to the
 * pool (`recycle`) for the next chunk. Otherwise the parts are kept and joined at the end.
 *
 * With `inPlace` (the call's own snapshot of its input, which nobody else holds) and an
 * output element as wide as the input's, the result *is* the snapshot's memory: each
 * chunk's output overwrites the input bytes it was computed from. Why: the snapshot's
 * memory is already touched, and a fresh result the size of the input would cost its page
 * faults — about as much as the copy itself (buffers.ts). Safe because a chunk's span is
 * read again only to re-run that chunk, and a chunk is written only once it is done.
 */
export class ConcatSink implements Sink {
  #out: Typed | undefined;
  /** Spans written into `#out`, until a chunk of another length turns them into parts. */
  #written: Span[] = [];
  #parts: Map<number, Typed> | undefined;
  constructor(
    readonly total: number,
    readonly empty: () => unknown,
    readonly inPlace?: ArrayBufferView,
    readonly recycle?: (buffer: ArrayBuffer) => void,
  ) {}
  put(span: Span, body: unknown): void {
    const part = body as Typed;
    const n = span.end - span.start;
    if (!this.#parts) {
      this.#out ??= part.length === n ? this.#allocate(part) : undefined;
      if (this.#out && part.length === n && part.constructor === this.#out.constructor) {
        this.#out.set(part, span.start);
        this.#written.push(span);
        this.recycle?.((part as unknown as ArrayBufferView).buffer as ArrayBuffer);
        return;
      }
      // Lengths differ (or types): from now on keep parts, starting with what was written.
      this.#parts = new Map();
      for (const w of this.#written) this.#parts.set(w.start, this.#out!.subarray(w.start, w.end));
      this.#written = [];
    }
    this.#parts.set(span.start, part);
  }
  readonly settles = false;
  putError(): void {}
  close(): void {}
  result(): unknown {
    if (!this.#parts) return this.#out ?? this.empty();
    const parts = [...this.#parts.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    if (parts.length === 0) return this.empty();
    const out = new (parts[0]!.constructor as new (n: number) => Typed)(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  /** The result array, of the first output's type: over the snapshot when it can be. */
  #allocate(first: Typed): Typed {
    const make = first.constructor as { new (n: number): Typed; new (b: ArrayBuffer, o: number, n: number): Typed };
    const into = this.inPlace as (ArrayBufferView & { BYTES_PER_ELEMENT?: number }) | undefined;
    const width = (first as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (into && into.BYTES_PER_ELEMENT === width && into.byteLength === this.total * width) {
      return new make(into.buffer as ArrayBuffer, into.byteOffset, this.total);
    }
    return new make(this.total);
  }
}

/** `reduce`: one partial per chunk (null for an empty one), in input order. */
export class PartialsSink implements Sink {
  readonly #parts = new Map<number, unknown>();
  put(span: Span, body: unknown): void {
    this.#parts.set(span.start, body);
  }
  readonly settles = false;
  putError(): void {}
  close(): void {}
  result(): unknown[] {
    return [...this.#parts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map((e) => e[1])
      .filter((p) => p !== null && p !== undefined);
  }
}

/** `mapSettled`: an outcome per item; never rejects. */
export class SettledSink implements Sink {
  readonly #out: Settled<unknown>[];
  constructor(total: number) {
    this.#out = new Array(total);
  }
  put(span: Span, body: unknown): void {
    const values = body as unknown[];
    for (let i = 0; i < values.length; i++) this.#out[span.start + i] = { ok: true, value: values[i] };
  }
  readonly settles = true;
  putError(span: Span, error: PmapError): void {
    const failed: Settled<unknown> = { ok: false, error, timedOut: error instanceof TimeoutError };
    for (let i = span.start; i < span.end; i++) this.#out[i] = failed;
  }
  close(error: PmapError): void {
    for (let i = 0; i < this.#out.length; i++) this.#out[i] ??= { ok: false, error, timedOut: false };
  }
  result(): Settled<unknown>[] {
    return this.#out;
  }
}

/** `stream`: items handed to an async iterator as their chunks complete. */
export class StreamSink implements Sink {
  readonly #ready: Indexed<unknown>[] = [];
  #error: PmapError | undefined;
  #ended = false;
  #wake: (() => void) | undefined;

  put(span: Span, body: unknown): void {
    const values = body as unknown[];
    for (let i = 0; i < values.length; i++) this.#ready.push({ index: span.start + i, value: values[i] });
    this.#poke();
  }
  readonly settles = false;
  putError(): void {}
  close(err: PmapError): void {
    this.#error ??= err;
    this.#poke();
  }
  result(): undefined {
    this.#ended = true;
    this.#poke();
    return undefined;
  }
  async *iterate(): AsyncGenerator<Indexed<unknown>> {
    for (;;) {
      while (this.#ready.length > 0) yield this.#ready.shift()!;
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}
