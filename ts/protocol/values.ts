/**
 * Protocol: runs wherever items are encoded or decoded in JavaScript (the page, a pool's
 * executor). The CBOR codec of the *items* a call carries — any JS value, typed arrays as
 * tagged byte strings — over cbor-x; frames around them are frame-cbor.ts's. The Rust
 * runtime (scripts/build-runtime.mjs) bundles ts/rust/no-values.ts in its place: there Rust
 * encodes and decodes every item.
 */
// Why the no-eval build: the default cbor-x entry probes `new Function("")` at load time
// (and compiles record readers with it), which a `script-src` without 'unsafe-eval'
// reports as a violation.
import { Decoder, Encoder } from "cbor-x/index-no-eval";

// Why these options: records (a cbor-x extension) would be unreadable to ciborium;
// Uint8Array stays an untagged byte string to match serde_bytes / Vec<u8>;
// variableMapSize writes a map's length in its shortest form (as ciborium does), so the
// same value gives the same bytes on both sides, and small structs are 2 bytes shorter.
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  pack: false,
  variableMapSize: true,
});
// Integers: cbor-x hands out a number for a CBOR integer of up to 4 bytes and a BigInt for
// an 8-byte one (or a bignum), exactly. Rust picks the form by the kernel's declared TS type
// (rust/pmap/src/js_int.rs): a kernel of numbers sends integers beyond 32 bits as float64
// (and refuses any beyond ±(2^53 - 1)); a `large_number_types_as_bigints` kernel sends every
// 64/128-bit integer as an 8-byte integer or a bignum, so it is a BigInt whatever its value.
// Not `int64AsNumber`: it would round 8-byte integers beyond 2^53, and cbor-x 1.6 truncates
// a negative one to 32 bits.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/**
 * CBOR-encodes any JS value (typed arrays become tagged byte strings). Returns a fresh
 * buffer that may be transferred: cbor-x hands out views into one reused buffer, which a
 * transfer would detach.
 */
export function encodeValue(value: unknown): Uint8Array {
  // Uint8Array's slice, not Buffer's (in node cbor-x returns a Buffer, whose slice is a view).
  return Uint8Array.prototype.slice.call(encoder.encode(value));
}

/** Decodes one CBOR value; byte strings come back as Uint8Array, tags 64–86 as typed arrays. */
export function decodeValue<T = unknown>(bytes: Uint8Array): T {
  return decoder.decode(bytes) as T;
}
