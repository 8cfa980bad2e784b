/**
 * Protocol (layout and the operations on it). The answer slot: how a blocked
 * SyncExecutor gets its answer on a cross-origin-isolated page, where SharedArrayBuffer
 * exists — without the coordinator service worker. The executor owns the slot and sends
 * it along with each blocking `pipe` request; whoever runs the pipe (the page, or the relay
 * of an app-owned executor) writes the answer into it and wakes the executor, which sleeps in
 * `Atomics.wait`.
 *
 * ```text
 * ctrl: Int32Array over a SharedArrayBuffer(12)
 *   [0] SEQ      the pipe id the slot holds an answer for (0: none yet); written last
 *   [1] LEN      the answer's length in bytes
 *   [2] WAITING  the pipe id the executor waits for (set before it posts the request);
 *                -id while a writer holds the slot for that id; 0 once the executor gave up
 * data: a growable SharedArrayBuffer (grown by the writer to fit, up to its maxByteLength)
 *   [0, LEN)  the answer: a response frame (frames.ts), `call` = the ticket id, chunk 0
 * ```
 *
 * Why WAITING: a blocking call may give up (`callTimeoutMs`) while its chunks still run; the
 * next call then waits on the same slot. Without a claim, the first call's late answer could
 * overwrite the second's — even while the executor copies it out — and the second call
 * returned the first one's results. Now a writer must first swap WAITING from its id to -id
 * (the claim); the executor gives up by swapping it from its id to 0. Exactly one of the two
 * swaps wins: a late writer finds 0 (or the next id) and writes nothing, and an executor whose
 * time ran out while a writer held the claim takes that answer — it is its own. The reader
 * also checks the frame's ticket (executor-host.ts), so nothing but its own answer is read.
 */

/** The slot, as posted (SharedArrayBuffers are shared, not copied, by postMessage). */
export interface AnswerSlot {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

const SEQ = 0;
const LEN = 1;
const WAITING = 2;
/** Largest answer a slot takes. Growable buffers reserve address space, not memory. */
export const MAX_ANSWER_BYTES = 1 << 30;
/** How long one `Atomics.wait` sleeps before it checks again (the deadline, if any, is
 * checked between slices). */
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
  return { ctrl: new SharedArrayBuffer(12), data: new Growable(0, { maxByteLength: MAX_ANSWER_BYTES }) };
}

/** The executor, before it posts pipe `id`'s request: only an answer for `id` may be written now. */
export function openWait(slot: AnswerSlot, id: number): void {
  Atomics.store(new Int32Array(slot.ctrl), WAITING, id);
}

/** What {@link writeAnswer} did. */
export type WriteOutcome =
  /** Written; the executor is woken. */
  | "written"
  /** Nothing written: the executor no longer waits for this id (it gave up, or moved on). */
  | "abandoned"
  /** Nothing written: the frame is larger than the slot can grow to. The slot is still
   * reserved for this id: write a small failure frame instead. */
  | "too-big";

/**
 * Writes pipe `id`'s answer into the slot and wakes the executor — only if the executor still
 * waits for `id` (see the claim above).
 */
export function writeAnswer(slot: AnswerSlot, id: number, frame: Uint8Array): WriteOutcome {
  const ctrl = new Int32Array(slot.ctrl);
  if (Atomics.compareExchange(ctrl, WAITING, id, -id) !== id) return "abandoned";
  const data = slot.data as SharedArrayBuffer & { maxByteLength: number; grow(n: number): void };
  if (frame.byteLength > data.maxByteLength) {
    Atomics.store(ctrl, WAITING, id); // give the claim back, for the failure frame
    return "too-big";
  }
  if (data.byteLength < frame.byteLength) data.grow(frame.byteLength);
  new Uint8Array(data, 0, frame.byteLength).set(frame);
  Atomics.store(ctrl, LEN, frame.byteLength);
  // SEQ last: once the executor sees its id, the bytes and length are there (Atomics are
  // sequentially consistent, and the plain writes above happen before this store).
  Atomics.store(ctrl, SEQ, id);
  Atomics.notify(ctrl, SEQ);
  return "written";
}

/**
 * Blocks this worker until the slot holds pipe `id`'s answer (its wait opened with
 * {@link openWait}); returns a copy of it, or `undefined` if `timeoutMs` passed first, or if
 * `alive` (asked about once a second) said the writer is gone — and then no answer for `id` is
 * ever written (a writer that already holds the claim finishes, and its answer is returned
 * instead).
 */
export function waitAnswer(
  slot: AnswerSlot,
  id: number,
  timeoutMs = Infinity,
  alive?: () => boolean,
): Uint8Array | undefined {
  const ctrl = new Int32Array(slot.ctrl);
  const deadline = performance.now() + timeoutMs;
  const slice = alive ? 1_000 : WAIT_SLICE_MS;
  for (let giveUp = false; ; ) {
    const seen = Atomics.load(ctrl, SEQ);
    if (seen === id) break;
    const left = deadline - performance.now();
    if ((left <= 0 || (alive && !alive())) && !giveUp) {
      if (Atomics.compareExchange(ctrl, WAITING, id, 0) === id) return undefined;
      giveUp = true; // a writer holds the claim: its answer (ours) lands in a moment
    }
    Atomics.wait(ctrl, SEQ, seen, giveUp ? slice : Math.min(slice, Math.max(0, left)));
  }
  const len = Atomics.load(ctrl, LEN);
  // A copy: the slot is reused by the next pipe, and the decoder may keep views of it.
  return new Uint8Array(slot.data, 0, len).slice();
}

/** How long a relay's heartbeat may stay still before its executor counts it as gone. Why
 * this long: the relay beats every second from its event loop, which only hands out chunks;
 * a pause of many seconds there means it is dead, not busy. */
export const RELAY_SILENT_MS = 15_000;

/**
 * The executor's view of its relay's heartbeat (`beat`: an Int32 the relay bumps every second,
 * ts/worker/relay.ts), for one blocking call: `alive()` is false once it has not moved for
 * {@link RELAY_SILENT_MS}. Why a heartbeat: a worker blocked in `Atomics.wait` hears no
 * events, so a dead relay is noticed only by what it stopped doing.
 */
export function heartbeat(beat: SharedArrayBuffer, silentMs = RELAY_SILENT_MS): () => boolean {
  const cell = new Int32Array(beat);
  let last = Atomics.load(cell, 0);
  let movedAt = performance.now();
  return () => {
    const now = performance.now();
    const v = Atomics.load(cell, 0);
    if (v !== last) {
      last = v;
      movedAt = now;
    }
    return now - movedAt < silentMs;
  };
}
