/**
 * Runs on the page. The chunk buffers of slice calls, reused: a slice chunk's bytes are
 * copied into one of these and transferred to a worker, which writes the kernel's output
 * over it and transfers it back (`__wasmPmapRunSlice` with `inPlace`); once its bytes are
 * in the call's result, the buffer comes back here for the next chunk.
 *
 * Why: a fresh `ArrayBuffer` costs the page faults of memory never touched — measured
 * here (node 20, 64 MB): a copy into fresh memory 42 ms, into memory already touched
 * 8.5 ms. The main thread is the pool's bottleneck for cheap slice kernels, so its copies
 * must go to warm memory.
 */

/** Most bytes kept while no chunk uses them (a few chunks of the 4 MiB auto cap per worker). */
export const MAX_IDLE_BYTES = 32 << 20;
/** Kept buffers are dropped after this long without a chunk, so an idle pool holds nothing. */
export const IDLE_MS = 2_000;

export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly maxBytes = MAX_IDLE_BYTES,
    readonly idleMs = IDLE_MS,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A buffer of exactly `byteLength` bytes: a kept one if there is one, else a new one. */
  take(byteLength: number): ArrayBuffer {
    const list = this.#free.get(byteLength);
    const buffer = list?.pop();
    if (!buffer) return new ArrayBuffer(byteLength);
    this.#bytes -= byteLength;
    if (list!.length === 0) this.#free.delete(byteLength);
    return buffer;
  }

  /** Gives a buffer nobody reads any more back; kept while there is room. */
  give(buffer: ArrayBuffer): void {
    const n = buffer.byteLength; // 0 for a detached buffer: nothing to keep
    if (n === 0 || this.#bytes + n > this.maxBytes || (buffer as { resizable?: boolean }).resizable) return;
    const list = this.#free.get(n);
    if (list) list.push(buffer);
    else this.#free.set(n, [buffer]);
    this.#bytes += n;
    this.#armIdle();
  }

  /** Drops every kept buffer (on terminate, and when idle). */
  clear(): void {
    this.#free.clear();
    this.#bytes = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #armIdle(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear(), this.idleMs);
  }
}
