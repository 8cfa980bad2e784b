/**
 * Protocol: runs wherever it is imported (page, workers, service worker). The CBOR codec of
 * the frames themselves (frames.ts) — not of the items in them, which values.ts (cbor-x) or
 * Rust encodes. A frame holds only integers, text, byte strings, arrays, text-keyed maps,
 * null, booleans and undefined, so this codec handles exactly that subset of RFC 8949, in
 * the shortest form (as ciborium and cbor-x write it), and refuses anything else.
 *
 * Why not cbor-x here too: the Rust runtime (rust/pmap/js/runtime.js) carries no codec for
 * JavaScript values — Rust encodes every item — and cbor-x was a third of its bytes
 * (31 kB of 91 kB minified); this file is about 2 kB. tests/node/frame-cbor.property.test.ts
 * checks it against cbor-x byte for byte.
 */

/** What a frame is made of. */
export type FrameValue =
  | number
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | FrameValue[]
  | { [key: string]: FrameValue };

const MAX_DEPTH = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Encodes a frame value; throws a TypeError naming what a frame cannot hold. */
export function encodeFrame(value: FrameValue): Uint8Array {
  const out = new Writer();
  write(out, value, 0);
  return out.bytes();
}

/** Decodes one frame value that spans all of `bytes`; byte strings are views into `bytes`. */
export function decodeFrame(bytes: Uint8Array): FrameValue {
  const r = new Reader(bytes);
  const v = read(r, 0);
  if (r.pos !== bytes.length) malformed(`${bytes.length - r.pos} bytes after the value`);
  return v;
}

function malformed(why: string): never {
  throw new TypeError(`malformed wasm-pmap frame: ${why}`);
}

class Writer {
  #buf = new Uint8Array(64);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#len++] = b;
  }
  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  /** A head: major type `major`, argument `n` (0 ≤ n ≤ 2^53 − 1) in its shortest form. */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) this.raw(Uint8Array.of(m | 24, n));
    else if (n < 0x10000) this.raw(Uint8Array.of(m | 25, n >>> 8, n & 0xff));
    else if (n < 0x100000000) this.raw(Uint8Array.of(m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
    else {
      const hi = Math.floor(n / 0x100000000);
      const lo = n >>> 0;
      this.byte(m | 27);
      this.raw(Uint8Array.of(hi >>> 24, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff));
      this.raw(Uint8Array.of(lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff));
    }
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function write(out: Writer, v: FrameValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`a wasm-pmap frame nests at most ${MAX_DEPTH} deep`);
  if (v === null) out.byte(0xf6);
  else if (v === undefined) out.byte(0xf7);
  else if (v === false) out.byte(0xf4);
  else if (v === true) out.byte(0xf5);
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new TypeError(`a wasm-pmap frame holds safe integers only, not ${v}`);
    // -0 is an integer too, and CBOR has no negative zero integer: it goes as 0.
    if (v >= 0) out.head(0, v);
    else out.head(1, -1 - v);
  } else if (typeof v === "string") {
    const b = utf8.encode(v);
    out.head(3, b.length);
    out.raw(b);
  } else if (v instanceof Uint8Array) {
    out.head(2, v.length);
    out.raw(v);
  } else if (Array.isArray(v)) {
    out.head(4, v.length);
    for (const x of v) write(out, x, depth + 1);
  } else if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const keys = Object.keys(v);
    out.head(5, keys.length);
    for (const k of keys) {
      write(out, k, depth + 1);
      write(out, v[k], depth + 1);
    }
  } else throw new TypeError(`a wasm-pmap frame cannot hold ${Object.prototype.toString.call(v)}`);
}

class Reader {
  pos = 0;
  constructor(readonly src: Uint8Array) {}

  take(n: number): Uint8Array {
    if (n > this.src.length - this.pos) malformed(`${n} bytes announced, ${this.src.length - this.pos} left`);
    const b = this.src.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** The argument of a head whose additional information is `ai`. */
  arg(ai: number): number {
    if (ai < 24) return ai;
    const size = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
    if (size === 0) malformed(ai === 31 ? "indefinite lengths are not used" : `reserved additional information ${ai}`);
    const b = this.take(size);
    let n = 0;
    for (const x of b) n = n * 256 + x;
    if (n > Number.MAX_SAFE_INTEGER) malformed("an integer or length beyond 2^53 - 1");
    return n;
  }
}

function read(r: Reader, depth: number): FrameValue {
  if (depth > MAX_DEPTH) malformed(`nested deeper than ${MAX_DEPTH}`);
  const [initial] = r.take(1);
  const major = initial! >> 5;
  const ai = initial! & 31;
  switch (major) {
    case 0:
      return r.arg(ai);
    case 1: {
      const n = r.arg(ai);
      if (n === Number.MAX_SAFE_INTEGER) malformed("an integer beyond -(2^53 - 1)");
      return -1 - n;
    }
    case 2:
      return r.take(r.arg(ai));
    case 3:
      try {
        return fromUtf8.decode(r.take(r.arg(ai)));
      } catch (err) {
        if (err instanceof TypeError && err.message.startsWith("malformed")) throw err;
        return malformed("a text string that is not UTF-8");
      }
    case 4: {
      const n = r.arg(ai);
      // Why the check: each item takes at least a byte, so a length beyond the bytes left is
      // a lie; nothing is allocated for it.
      if (n > r.src.length - r.pos) malformed(`an array of ${n} items in ${r.src.length - r.pos} bytes`);
      const a: FrameValue[] = [];
      for (let i = 0; i < n; i++) a.push(read(r, depth + 1));
      return a;
    }
    case 5: {
      const n = r.arg(ai);
      if (2 * n > r.src.length - r.pos) malformed(`a map of ${n} entries in ${r.src.length - r.pos} bytes`);
      const o: { [key: string]: FrameValue } = {};
      for (let i = 0; i < n; i++) {
        const k = read(r, depth + 1);
        if (typeof k !== "string") malformed("a map key that is not text");
        // defineProperty, not assignment: a key "__proto__" must stay a plain entry.
        Object.defineProperty(o, k, {
          value: read(r, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    }
    case 7:
      if (ai === 20) return false;
      if (ai === 21) return true;
      if (ai === 22) return null;
      if (ai === 23) return undefined;
      return malformed(ai >= 25 && ai <= 27 ? "a float (frames hold integers)" : `simple value ${ai}`);
    default:
      return malformed("a tag (frames carry none)");
  }
}
