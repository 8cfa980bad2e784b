/**
 * Protocol (layout and the two operations on it). The answer slot: how a blocked
 * SyncExecutor gets its answer on a cross-origin-isolated page, where SharedArrayBuffer
 * exists — without the coordinator service worker. The executor owns the slot and sends
 * it along with each blocking `pipe` request; whoever runs the pipe (the page) writes the
 * answer into it and wakes the executor, which sleeps in `Atomics.wait`.
 *
 * ```text
 * ctrl: Int32Array over a SharedArrayBuffer(12)
 *   [0] SEQ   the pipe id the slot holds an answer for (0: none yet); written last
 *   [1] LEN   the answer's length in bytes
 * data: a growable SharedArrayBuffer (grown by the writer to fit, up to its maxByteLength)
 *   [0, LEN)  the answer: a response frame (frames.ts), `call` = the ticket id, chunk 0
 * ```
 * One writer at a time: an executor has at most one blocking pipe outstanding (it is
 * blocked on it), and a stale writer (a job that ended) never writes — the page answers
 * only the job still running. The executor still checks SEQ against the id it waits for.
 */

/** The slot, as posted (SharedArrayBuffers are shared, not copied, by postMessage). */
export interface AnswerSlot {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const SEQ = 0;
const LEN = 1;
/** Largest answer a slot takes. Growable buffers reserve address space, not memory. */
export const MAX_ANSWER_BYTES = 1 << 30;
/** How long one `Atomics.wait` sleeps before it checks again (it re-checks, never gives up:
 * the page ends a job by replacing the executor, which is the cancel path). */
const WAIT_SLICE_MS = 10_000;

/** SharedArrayBuffer and growable ones exist here, and this context may block (a worker). */
export function canUseAnswerSlot(): boolean {
  const sab = (globalThis as { SharedArrayBuffer?: typeof SharedArrayBuffer }).SharedArrayBuffer;
  return (
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof sab === "function" &&
    "growable" in sab.prototype
  );
}

/** A fresh slot (the executor makes one and reuses it for all its blocking pipes). */
export function newAnswerSlot(): AnswerSlot {
  const Growable = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  return { ctrl: new SharedArrayBuffer(8), data: new Growable(0, { maxByteLength: MAX_ANSWER_BYTES }) };
}

/**
 * Writes pipe `id`'s answer into the slot and wakes the executor. Returns false, writing
 * nothing, when the frame is larger than the slot can grow to (the caller then writes a
 * small failure frame instead).
 */
export function writeAnswer(slot: AnswerSlot, id: number, frame: Uint8Array): boolean {
  const data = slot.data as SharedArrayBuffer & { growable: boolean; maxByteLength: number; grow(n: number): void };
  if (frame.byteLength > data.maxByteLength) return false;
  if (data.byteLength < frame.byteLength) data.grow(frame.byteLength);
  new Uint8Array(data, 0, frame.byteLength).set(frame);
  const ctrl = new Int32Array(slot.ctrl);
  Atomics.store(ctrl, LEN, frame.byteLength);
  // SEQ last: once the executor sees its id, the bytes and length are there (Atomics are
  // sequentially consistent, and the plain writes above happen before this store).
  Atomics.store(ctrl, SEQ, id);
  Atomics.notify(ctrl, SEQ);
  return true;
}

/** Blocks this worker until the slot holds pipe `id`'s answer; returns a copy of it, or
 * `undefined` if `timeoutMs` passed first. */
export function waitAnswer(slot: AnswerSlot, id: number, timeoutMs = Infinity): Uint8Array | undefined {
  const ctrl = new Int32Array(slot.ctrl);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(ctrl, SEQ);
    if (seen === id) break;
    const left = deadline - performance.now();
    if (left <= 0) return undefined;
    Atomics.wait(ctrl, SEQ, seen, Math.min(WAIT_SLICE_MS, left));
  }
  const len = Atomics.load(ctrl, LEN);
  // A copy: the slot is reused by the next pipe, and the decoder may keep views of it.
  return new Uint8Array(slot.data, 0, len).slice();
}
