/**
 * Runs on the page. How a call's items become chunk payloads and its chunk bodies become
 * outputs: one codec per kind of call, picked once when the call starts (pool.ts,
 * sync-mode.ts), so neither the call nor the dispatcher branches on a mode. Model: comlink's
 * `TransferHandler { canHandle, serialize, deserialize }`.
 */
import { DecodeError, PmapError } from "../protocol/errors.js";
import { Mode } from "../protocol/frames.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import { decodeValue, encodeValue } from "../protocol/values.js";
import type { BufferPool } from "./buffers.js";
import type { Span } from "./collect.js";

export interface ChunkCodec {
  /** The request frame's payload layout (`Mode` in wire.rs). */
  readonly mode: Mode;
  /** Each item is one chunk's ready-made payload: one item per chunk, whatever `chunkSize` says. */
  readonly onePerChunk: boolean;
  /** A chunk's outputs are one per item, checked when they arrive. */
  readonly perItem: boolean;
  /** Bytes per item when chunk sizes are planned in bytes (a slice kernel's typed array). */
  itemBytes(items: ArrayLike<unknown>): number | undefined;
  /** A chunk's payload, built only when a worker takes the chunk. */
  payload(items: ArrayLike<unknown>, span: Span): Uint8Array;
  /** Bytes that travel beside the frame (transferred), if any. */
  data(items: ArrayLike<unknown>, span: Span, buffers: BufferPool): ArrayBuffer | undefined;
  /** A chunk's outputs from its response body (and the bytes beside it). */
  output(kernel: KernelInfo, body: Uint8Array, data: ArrayBuffer | undefined): unknown;
  /** The error for a chunk whose payload could not be encoded (`err` is why); an item it
   * names is numbered from `first` (the call's first item's index in the whole input). */
  encodeError(
    kernel: KernelInfo,
    items: ArrayLike<unknown>,
    chunk: number,
    span: Span,
    err: unknown,
    first?: number,
  ): PmapError;
}

const message = (err: unknown) => (err as Error)?.message ?? String(err);

function chunkEncodeError(kernel: KernelInfo, chunk: number, err: unknown): PmapError {
  return new PmapError(`kernel "${kernel.name}": chunk ${chunk} could not be encoded: ${message(err)}`);
}

/** JavaScript values, CBOR-encoded a chunk at a time (`map`, `mapSettled`, `stream`, `reduce`). */
function values(mode: typeof Mode.Map | typeof Mode.Reduce): ChunkCodec {
  return {
    mode,
    onePerChunk: false,
    perItem: mode === Mode.Map,
    itemBytes: () => undefined,
    payload(items, { start, end }) {
      // Over a typed array, the kernel wants one item each, so plain numbers.
      const part = ArrayBuffer.isView(items)
        ? Array.from((items as Float64Array).subarray(start, end))
        : Array.prototype.slice.call(items, start, end);
      return encodeValue(part);
    },
    data: () => undefined,
    output: (_kernel, body) => decodeValue(body),
    /** Names the first item that cannot be encoded (too deep, cyclic, or of a kind CBOR has
     * no form for) as a `DecodeError` of that item, so `mapSettled` fails that item alone. */
    encodeError(kernel, items, chunk, span, err, first = 0) {
      if (!ArrayBuffer.isView(items)) {
        for (let i = span.start; i < span.end; i++) {
          try {
            encodeValue(items[i]);
          } catch (e) {
            const hint = e instanceof RangeError ? " (too deeply nested, or cyclic?)" : "";
            return new DecodeError(
              kernel.name,
              kernel.input,
              `kernel "${kernel.name}": item ${first + i} could not be encoded${hint}: ${message(e)}`,
              first + i,
            );
          }
        }
      }
      return chunkEncodeError(kernel, chunk, err);
    },
  };
}

/** The typed arrays a slice kernel's output can be, by the name its kernel info gives
 * (typed.rs's table; tests/node/codecs.test.ts checks the two agree). */
export const TYPED_ARRAYS: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
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

const arrayNames = new Map<string, Uint8Array>();

/**
 * A slice kernel's typed array: the payload is the array's type name, and the chunk's span
 * of the call's snapshot travels beside the frame (rust/pmap/src/slice.rs), copied into a
 * buffer from the pool's `BufferPool` (warm memory, buffers.ts) — the snapshot stays here,
 * for a retry after a crash. The output comes back as bytes, read as the kernel's declared
 * typed array.
 */
const slice: ChunkCodec = {
  mode: Mode.Slice,
  onePerChunk: false,
  perItem: false,
  itemBytes: (items) => (items as Float64Array).BYTES_PER_ELEMENT,
  payload(items) {
    const name = items.constructor.name;
    let bytes = arrayNames.get(name);
    if (!bytes) {
      bytes = new TextEncoder().encode(name);
      arrayNames.set(name, bytes);
    }
    return bytes;
  },
  data(items, { start, end }, buffers) {
    const array = items as Uint8Array;
    const size = array.BYTES_PER_ELEMENT;
    const span = new Uint8Array(array.buffer, array.byteOffset + start * size, (end - start) * size);
    const buffer = buffers.take(span.byteLength);
    new Uint8Array(buffer).set(span);
    return buffer;
  },
  output(kernel, body, data) {
    if (!data) return decodeValue(body);
    const make = TYPED_ARRAYS[kernel.output];
    if (!make) throw new PmapError(`kernel "${kernel.name}": ${kernel.output} is not a typed array`);
    return new make(data);
  },
  encodeError: (kernel, _items, chunk, _span, err) => chunkEncodeError(kernel, chunk, err),
};

/** Ready-made payloads (`Uint8Array`s CBOR-encoded by Rust or by `pool.execute`), one per
 * chunk; each body comes back as its bytes, undecoded. */
function payloads(mode: typeof Mode.Map | typeof Mode.Pipe): ChunkCodec {
  return {
    mode,
    onePerChunk: true,
    perItem: false,
    itemBytes: () => undefined,
    payload: (items, { start }) => (items as ArrayLike<Uint8Array>)[start]!,
    data: () => undefined,
    output: (_kernel, body) => [body],
    encodeError: (kernel, _items, chunk, _span, err) => chunkEncodeError(kernel, chunk, err),
  };
}

export const Codec = {
  /** `map`, `mapSettled`, `stream` over items. */
  map: values(Mode.Map),
  /** `reduce`: each chunk's partial. */
  reduce: values(Mode.Reduce),
  /** `map` of a slice kernel over a typed array. */
  slice,
  /** A parallel iterator's chunks from Rust: pipe payloads in, pipe bodies out. */
  pipe: payloads(Mode.Pipe),
  /** `pool.execute`'s job: `[input]`'s CBOR in, `[output]`'s CBOR out. */
  job: payloads(Mode.Map),
} as const;
