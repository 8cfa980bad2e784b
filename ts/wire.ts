/**
 * The wire protocol, TypeScript side: CBOR frames (the twin of `rust/pmap/src/wire.rs`,
 * both checked against `tests/vectors/wire.json`) and the few postMessage envelopes
 * between the pool and a worker.
 *
 * ```text
 * request  = [1, job, chunk, kernel, mode, payload: bytes,      payload = CBOR of the items
 *             context: null | [id, bytes | null]]               a map_with call's broadcast value
 * response = [1, job, chunk, 0, body: bytes]                    body    = CBOR of the outputs
 *          | [1, job, chunk, 1, failure: map]
 * ```
 * Typed arrays are CBOR byte strings (RFC 8746 tags), never per-element arrays, and every
 * frame's ArrayBuffer is transferred, never cloned.
 */
// Why the no-eval build: the default cbor-x entry probes `new Function("")` at load time
// (and compiles record readers with it), which a `script-src` without 'unsafe-eval'
// reports as a violation.
import { Decoder, Encoder } from "cbor-x/index-no-eval";
import type { KernelInfo } from "./kernels.js";

export const WIRE_VERSION = 1;

/** How a chunk's payload is laid out; see `Mode` in wire.rs. */
export const Mode = { Map: 0, Slice: 1, Reduce: 2, Pipe: 3 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Failure kinds reported by the Rust side (`FailureKind` in error.rs), plus those the pool
 * reports for a sync job's pipe (timeout, abort, crash, anything else). */
export type FailureKind =
  | "frame" | "unknownKernel" | "decode" | "kernel" | "encode" | "contextMissing"
  | "timeout" | "aborted" | "crashed" | "pool";

export interface Failure {
  kind: FailureKind;
  kernel: string;
  message: string;
  expected?: string;
  index?: number;
  known?: string[];
}

export interface Request {
  job: string;
  chunk: number;
  kernel: string;
  mode: Mode;
  /** CBOR of the items (see `encodeValue`). */
  payload: Uint8Array;
  /** A `map_with` call's context: its CBOR on a worker's first chunk of the call, then only its id. */
  context: { id: string; bytes: Uint8Array | null } | null;
}

export type Response =
  | { job: string; chunk: number; ok: true; body: Uint8Array }
  | { job: string; chunk: number; ok: false; failure: Failure };

// Why these options: records (a cbor-x extension) would be unreadable to ciborium;
// Uint8Array stays an untagged byte string to match serde_bytes / Vec<u8>;
// variableMapSize writes a map's length in its shortest form (as ciborium does), so the
// same value gives the same bytes on both sides, and small structs are 2 bytes shorter.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, pack: false, variableMapSize: true });
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

export function encodeRequest(r: Request): Uint8Array {
  const context = r.context ? [r.context.id, r.context.bytes] : null;
  return encodeValue([WIRE_VERSION, r.job, r.chunk, r.kernel, r.mode, r.payload, context]);
}

export function decodeRequest(bytes: Uint8Array): Request {
  type Frame = [number, string, number, string, Mode, Uint8Array, [string, Uint8Array | null] | null];
  const [v, job, chunk, kernel, mode, payload, ctx] = decodeValue<Frame>(bytes);
  checkVersion(v);
  return { job, chunk, kernel, mode, payload, context: ctx ? { id: ctx[0], bytes: ctx[1] } : null };
}

export function encodeResponse(r: Response): Uint8Array {
  return r.ok
    ? encodeValue([WIRE_VERSION, r.job, r.chunk, 0, r.body])
    : encodeValue([WIRE_VERSION, r.job, r.chunk, 1, r.failure]);
}

export function decodeResponse(bytes: Uint8Array): Response {
  const frame = decodeValue<[number, string, number, number, Uint8Array | Failure]>(bytes);
  if (!Array.isArray(frame) || frame.length !== 5) throw new TypeError("malformed wasm-pmap response frame");
  const [v, job, chunk, status, body] = frame;
  checkVersion(v);
  if (status === 0) return { job, chunk, ok: true, body: body as Uint8Array };
  if (status === 1) return { job, chunk, ok: false, failure: body as Failure };
  throw new TypeError(`bad response status ${status}`);
}

function checkVersion(v: number): void {
  if (v !== WIRE_VERSION) throw new TypeError(`wire version ${v}, this package speaks ${WIRE_VERSION}`);
}

// ---- postMessage envelopes between pool.ts and worker.ts ----

/** What makes a worker the pool's SyncExecutor (see sync-host.ts). */
export interface ExecutorSetup {
  /** Absolute URL of the coordinator's prefix, ending in `/`. */
  coordinator: string;
  /** Compute workers in the pool (Rust chunks for about four per worker). */
  workers: number;
}

/** Pool → worker. */
export type ToWorker =
  /** Instantiate the shared, already compiled module with its wasm-bindgen glue; with
   * `executor`, also become the SyncExecutor. */
  | { type: "init"; module: WebAssembly.Module; glue: string; executor?: ExecutorSetup }
  /** Run one request frame; `id` is the pool's task id. */
  | { type: "run"; id: number; frame: ArrayBuffer }
  /** The outcome of an async `pipe` request the executor made. */
  | { type: "pipe-result"; id: number; bodies?: Uint8Array[]; error?: Failure };

/** Worker → pool. */
export type FromWorker =
  | { type: "ready"; kernels: KernelInfo[] }
  | { type: "init-error"; message: string }
  /** `startedAt`/`finishedAt` are epoch milliseconds (comparable across workers). */
  | { type: "done"; id: number; frame: ArrayBuffer; startedAt: number; finishedAt: number; memoryBytes: number }
  /** The kernel panicked (a wasm trap). `recovered`: the instance was re-created in place. */
  | { type: "trap"; id: number; message: string; recovered: boolean }
  /**
   * The SyncExecutor asks the pool to run a parallel iterator's chunks (pipe payloads).
   * `job` set: the executor is blocked waiting on the coordinator, so the outcome goes
   * there as that job's chunk 0; else it comes back as a `pipe-result` with this `id`.
   * `rerun`: how many times the coordinator lost this pipe's job before (it restarted).
   */
  | { type: "pipe"; id: number; job?: string; label: string; payloads: Uint8Array[]; rerun?: number }
  /** The executor got job `job`'s answer from the coordinator: stop re-delivering it. */
  | { type: "pipe-taken"; job: string };

// ---- the coordinator protocol (sync mode): HTTP between workers and the service worker ----
//
//   PUT    <prefix>jobs/<job>?chunks=N       create a job expecting N chunk results      → 201
//   POST   <prefix>jobs/<job>/chunks/<i>     body: chunk i's response frame (binary CBOR) → 204
//   GET    <prefix>jobs/<job>/wait?ms=T[&chunks=N]
//                                            long-poll, T ≤ 10 000; `chunks` on the first wait
//                                            creates the job (no PUT needed), re-issued waits omit it:
//            200 + CBOR [[i, frame], …]  all N chunks are in (sorted by i), or
//            200 + CBOR [[i, frame]]     the first error frame, at once;
//            204                         not yet: ask again;
//            404                         unknown job (e.g. the service worker was restarted)
//   A chunk result for a job not created yet is kept (≤ 60 s) for its first wait to adopt.
//   DELETE <prefix>jobs/<job>                cancel and forget                              → 204
//   GET    <prefix>ping                      200 "wasm-pmap coordinator": the executor's check
//                                            that the service worker controls it
// and one postMessage to the service worker, for senders it does not control (the page):
//   { wasmPmap: "deliver", job, chunk, frame: Uint8Array } + a MessagePort → { status }
//                                            the same as the POST, its status sent back.
// A job whose final answer was handed to a waiter is forgotten.
//
// Everything outside <prefix> is not the coordinator's and passes through untouched.

/** Default path prefix of the coordinator, relative to its service worker's scope. */
export const COORDINATOR_PREFIX = "__wasm_pmap__/";
/** Longest a single wait request is held, in ms: the caller re-issues it until done. */
export const MAX_WAIT_MS = 10_000;
/** `<pool uuid>:<call number>` — unguessable, and namespaced per pool (so per tab). */
export const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9]{1,15}$/;

/** The service-worker message that delivers a chunk's response frame. */
export interface DeliverMessage {
  wasmPmap: "deliver";
  job: string;
  chunk: number;
  frame: Uint8Array;
}

/** A job's collected chunk results, as the wait request returns them. */
export type ChunkResults = Array<[index: number, frame: Uint8Array]>;

export function encodeChunkResults(results: ChunkResults): Uint8Array {
  return encodeValue(results);
}

export function decodeChunkResults(bytes: Uint8Array): ChunkResults {
  return decodeValue<ChunkResults>(bytes);
}
