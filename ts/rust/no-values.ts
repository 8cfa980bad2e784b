/**
 * Runs in the Rust runtime (rust/pmap/js/runtime.js), bundled in place of
 * ts/protocol/values.ts by scripts/build-runtime.mjs: a Rust app's items are encoded and
 * decoded by its Rust (pipe payloads and bodies are bytes the page passes through), so the
 * runtime carries no codec for JavaScript values — cbor-x was a third of its bytes. Reaching
 * one of these is a bug of the runtime, said as such, never a silent wrong value.
 */
import { PmapError } from "../protocol/errors.js";

function unreachable(what: string): never {
  throw new PmapError(
    `wasm-pmap's Rust runtime has no codec for JavaScript values (${what}): a Rust app's items are encoded by its Rust. This is a bug; please report it.`,
  );
}

export function encodeValue(_value: unknown): Uint8Array {
  return unreachable("encode");
}

export function decodeValue<T = unknown>(_bytes: Uint8Array): T {
  return unreachable("decode");
}
