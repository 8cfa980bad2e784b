/**
 * Protocol: runs wherever it is imported (page, executor, service worker). The wire
 * protocol's CBOR frames, TypeScript side: the twin of `rust/pmap/src/wire.rs`, both
 * checked against `tests/vectors/wire.json`. (The postMessage envelopes around them are
 * messages.ts; the coordinator's routes are routes.ts.)
 *
 * ```text
 * request  = [1, call, chunk, kernel, mode, payload: bytes,     payload = CBOR of the items
 *             context: null | [id, bytes | null]]               a map_with call's broadcast value
 * response = [1, call, chunk, 0, body: bytes]                   body    = CBOR of the outputs
 *          | [1, call, chunk, 1, failure: map]
 * ```
 * `call` is the call's id, `<pool uuid>:<n>`.
 * Typed arrays are CBOR byte strings (RFC 8746 tags), never per-element arrays, and every
 * frame's ArrayBuffer is transferred, never cloned. The frames are encoded by frame-cbor.ts;
 * the items inside them (payload, body) by values.ts (cbor-x) or by Rust.
 */
import type { Failure } from "./errors.js";
import { decodeFrame, encodeFrame, type FrameValue } from "./frame-cbor.js";

// Declared beside the error table it names kinds of (errors.ts); re-exported for the frames' users.
export type { Failure } from "./errors.js";

export const WIRE_VERSION = 1;

/** How a chunk's payload is laid out; see `Mode` in wire.rs. */
export const Mode = { Map: 0, Slice: 1, Reduce: 2, Pipe: 3 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

export interface Request {
  /** The call's id. */
  call: string;
  chunk: number;
  kernel: string;
  mode: Mode;
  /** CBOR of the items (see values.ts). */
  payload: Uint8Array;
  /** A `map_with` call's context: its CBOR on a worker's first chunk of the call, then only its id. */
  context: { id: string; bytes: Uint8Array | null } | null;
}

export type Response =
  | { call: string; chunk: number; ok: true; body: Uint8Array }
  | { call: string; chunk: number; ok: false; failure: Failure };

export function encodeRequest(r: Request): Uint8Array {
  const context = r.context ? [r.context.id, r.context.bytes] : null;
  return encodeFrame([WIRE_VERSION, r.call, r.chunk, r.kernel, r.mode, r.payload, context]);
}

export function decodeRequest(bytes: Uint8Array): Request {
  type Frame = [number, string, number, string, Mode, Uint8Array, [string, Uint8Array | null] | null];
  const [v, call, chunk, kernel, mode, payload, ctx] = decodeFrame(bytes) as Frame;
  checkVersion(v);
  return { call, chunk, kernel, mode, payload, context: ctx ? { id: ctx[0], bytes: ctx[1] } : null };
}

export function encodeResponse(r: Response): Uint8Array {
  return r.ok
    ? encodeFrame([WIRE_VERSION, r.call, r.chunk, 0, r.body])
    : encodeFrame([WIRE_VERSION, r.call, r.chunk, 1, r.failure as unknown as FrameValue]);
}

export function decodeResponse(bytes: Uint8Array): Response {
  const frame = decodeFrame(bytes) as [number, string, number, number, Uint8Array | Failure];
  if (!Array.isArray(frame) || frame.length !== 5) throw new TypeError("malformed wasm-pmap response frame");
  const [v, call, chunk, status, body] = frame;
  checkVersion(v);
  if (status === 0) return { call, chunk, ok: true, body: body as Uint8Array };
  if (status === 1) return { call, chunk, ok: false, failure: body as Failure };
  throw new TypeError(`bad response status ${status}`);
}

function checkVersion(v: number): void {
  if (v !== WIRE_VERSION) throw new TypeError(`wire version ${v}, this package speaks ${WIRE_VERSION}`);
}

/** A parallel iterator's (pipe's) outcome, as its executor gets it: the chunks' bodies, or
 * the failure its Rust turns into a typed error. */
export type PipeAnswer = { bodies: Uint8Array[] } | { failure: Failure };

/**
 * The answer frame a blocked executor reads (from its answer slot or the coordinator): a
 * response frame whose `call` is the blocking call's ticket and whose body is the CBOR of
 * the bodies. The one place it is built; the executor checks the ticket when it reads it
 * (ts/worker/executor-host.ts).
 */
export function answerFrame(ticket: string, answer: PipeAnswer): Uint8Array {
  return "bodies" in answer
    ? encodeResponse({ call: ticket, chunk: 0, ok: true, body: encodeFrame(answer.bodies) })
    : encodeResponse({ call: ticket, chunk: 0, ok: false, failure: answer.failure });
}

/** An answer frame's body: the chunks' bodies, in order (`answerFrame`'s encoding). */
export function decodeAnswerBodies(body: Uint8Array): Uint8Array[] {
  const bodies = decodeFrame(body);
  if (!Array.isArray(bodies) || !bodies.every((b) => b instanceof Uint8Array))
    throw new TypeError("malformed wasm-pmap answer: its body is not an array of byte strings");
  return bodies as Uint8Array[];
}
