/**
 * Runs on the page. What a call reads of its items (or a job of its input), and when: all of
 * it at once, when the call is made. Why: chunks are encoded only when a worker takes them, so without a
 * snapshot a caller reusing its array right after `pool.map()` returned (emptying it,
 * refilling a typed array) would change the results.
 */
import { DecodeError, PmapError } from "../protocol/errors.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import { decodeValue, encodeValue } from "../protocol/values.js";

/**
 * Copies the container the caller passed (an array, a typed array, an iterable) so the
 * call no longer depends on it. Objects inside items are not copied: they are read when
 * their chunk is encoded (see README "Guarantees"). Anything else is returned as is, for
 * `checkItems` to refuse with the kernel's name.
 */
export function snapshot(kernel: string, items: unknown, transfer = false): unknown {
  if (ArrayBuffer.isView(items) && !(items instanceof DataView)) {
    if (isDetached(items.buffer)) {
      throw new TypeError(
        `kernel "${kernel}": the ${items.constructor.name}'s buffer is detached (transferred elsewhere); pass a live one`,
      );
    }
    const { buffer } = items;
    if (transfer && buffer instanceof ArrayBuffer && items.byteOffset === 0 && items.byteLength === buffer.byteLength) {
      // The caller gave the buffer up (`SliceOptions.transfer`): move it, no copy.
      return new (items.constructor as new (b: ArrayBuffer) => unknown)(move(buffer));
    }
    return (items as unknown as { slice(): unknown }).slice();
  }
  if (Array.isArray(items)) return items.slice();
  if (items && typeof items !== "string" && typeof (items as Iterable<unknown>)[Symbol.iterator] === "function") {
    return Array.from(items as Iterable<unknown>);
  }
  return items;
}

export type JobPayload = Uint8Array | { unencodable: unknown };

/**
 * A job's input as its payload — `[input]`'s CBOR, what Rust's `execute_async` sends — made
 * when `pool.execute` is called; or, when it does not encode, the reason (reported after the
 * kernel checks, by {@link jobInputError}). Why encoded now and not copied: a job may wait
 * behind others, and its chunk would be encoded only when the executor takes it; encoding is
 * the one copy made anyway, and it captures the objects and typed arrays inside the input
 * too — a job's input is one value, usually a structure the caller goes on using.
 */
export function jobPayload(input: unknown): JobPayload {
  try {
    return encodeValue([input]);
  } catch (err) {
    return { unencodable: err };
  }
}

/** The error for a job input that did not encode (as `Call.encodeError` words an item's). */
export function jobInputError(info: KernelInfo, err: unknown): DecodeError {
  const hint = err instanceof RangeError ? " (too deeply nested, or cyclic?)" : "";
  const why = (err as Error)?.message ?? String(err);
  return new DecodeError(
    info.name,
    info.input,
    `kernel "${info.name}": the input could not be encoded${hint}: ${why}`,
    0,
  );
}

/** A job's one output, from its body (`[output]`'s CBOR), checked as a map chunk's outputs are (call.ts). */
export function jobOutput(job: string, body: Uint8Array): unknown {
  let out: unknown;
  try {
    out = decodeValue(body);
  } catch (err) {
    throw new PmapError(`kernel "${job}": bad response: ${(err as Error).message}`);
  }
  if (!Array.isArray(out) || out.length !== 1) {
    const got = Array.isArray(out) ? `${out.length} outputs` : typeof out;
    throw new PmapError(`kernel "${job}": the job returned ${got}, expected 1`);
  }
  return out[0];
}

/** Checks a snapshot against the kernel's kind and input type. */
export function checkItems(info: KernelInfo, items: unknown): ArrayLike<unknown> {
  if (info.kind === "job") throw new PmapError(`kernel "${info.name}" is a #[kernel(job)]: run it with pool.execute`);
  const typed = ArrayBuffer.isView(items) && !(items instanceof DataView);
  if (info.kind === "slice") {
    if (!typed)
      throw new TypeError(`kernel "${info.name}" is a slice kernel: pass a ${info.input}, got ${kindOf(items)}`);
    const got = (items as object).constructor.name;
    // Uint8ClampedArray (what ImageData.data is) holds bytes like a Uint8Array.
    if (got !== info.input && !(got === "Uint8ClampedArray" && info.input === "Uint8Array")) {
      throw new DecodeError(
        info.name,
        info.input,
        `kernel "${info.name}" takes a ${info.input}, got a ${got}: bytes are never reinterpreted as another element type`,
      );
    }
    return items as unknown as ArrayLike<number>;
  }
  if (typed || Array.isArray(items)) return items as ArrayLike<unknown>;
  throw new TypeError(
    `kernel "${info.name}": items must be an array or iterable of ${info.input}, got ${kindOf(items)}`,
  );
}

/** Moves `buffer`'s bytes into a new ArrayBuffer and detaches it: no copy. */
function move(buffer: ArrayBuffer): ArrayBuffer {
  const b = buffer as ArrayBuffer & { transfer?: () => ArrayBuffer };
  // `transfer()` is ES2024 (Chromium 114, Firefox 122, node 21); structuredClone with a
  // transfer list does the same where it is missing.
  return b.transfer ? b.transfer() : structuredClone(buffer, { transfer: [buffer] });
}

function isDetached(buffer: ArrayBufferLike): boolean {
  // `detached` is ES2024; before it, a detached buffer is the only one whose length is 0
  // and which a zero-length view cannot be made of … so ask the property when there is one.
  const d = (buffer as { detached?: boolean }).detached;
  if (d !== undefined) return d;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function kindOf(v: unknown): string {
  return v === null ? "null" : ArrayBuffer.isView(v) ? v.constructor.name : Array.isArray(v) ? "an array" : typeof v;
}
