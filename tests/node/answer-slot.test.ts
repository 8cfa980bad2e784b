// The answer slot (ts/protocol/answer-slot.ts) on its own: what the writer puts there is what a
// blocked executor reads, whatever its size; one too large is refused, not truncated; and an
// answer is written only for the call the executor still waits for — the late answer of a
// call that gave up (callTimeoutMs) never replaces the next call's (review finding N3: it did,
// and the next call returned the first one's results).
import { describe, expect, it } from "vitest";
import {
  heartbeat,
  MAX_ANSWER_BYTES,
  newAnswerSlot,
  openWait,
  waitAnswer,
  writeAnswer,
} from "../../ts/protocol/answer-slot.js";

const frameOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe("answer slot", () => {
  it("round-trips answers of growing and shrinking sizes, each under its own pipe id", () => {
    const slot = newAnswerSlot();
    expect(slot.data.byteLength).toBe(0);
    for (const [id, n] of [
      [1, 3],
      [2, 100_000],
      [3, 10],
    ] as const) {
      const frame = frameOf(n, id);
      openWait(slot, id);
      expect(writeAnswer(slot, id, frame)).toBe("written");
      const got = waitAnswer(slot, id); // already there: returns without blocking
      expect(got).toEqual(frame);
      expect(got!.buffer).not.toBe(slot.data); // a copy: the slot is reused
    }
    expect(slot.data.byteLength).toBe(100_000); // grown once, never shrunk
  });

  it("an answer larger than the slot can grow to is refused, nothing is written, and the claim stays for a failure frame", () => {
    const slot = newAnswerSlot();
    openWait(slot, 1);
    const huge = { byteLength: MAX_ANSWER_BYTES + 1 } as Uint8Array;
    expect(writeAnswer(slot, 1, huge)).toBe("too-big");
    expect(new Int32Array(slot.ctrl)[0]).toBe(0);
    expect(writeAnswer(slot, 1, Uint8Array.of(7))).toBe("written");
    expect(waitAnswer(slot, 1, 0)).toEqual(Uint8Array.of(7));
  });

  it("a wait with a time limit returns undefined when no answer for its id came in time", () => {
    const slot = newAnswerSlot();
    openWait(slot, 2);
    expect(writeAnswer(slot, 1, Uint8Array.of(1))).toBe("abandoned"); // another pipe's answer is not written
    const started = performance.now();
    expect(waitAnswer(slot, 2, 30)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("the late answer of a call that gave up is never written: the next call reads its own", () => {
    const slot = newAnswerSlot();
    openWait(slot, 1);
    expect(waitAnswer(slot, 1, 0)).toBeUndefined(); // call 1 timed out
    expect(writeAnswer(slot, 1, frameOf(50, 1))).toBe("abandoned"); // its answer, late, before call 2 opened
    openWait(slot, 2);
    expect(writeAnswer(slot, 2, frameOf(20, 2))).toBe("written");
    expect(writeAnswer(slot, 1, frameOf(50, 1))).toBe("abandoned"); // …and after call 2's answer
    expect(waitAnswer(slot, 2, 0)).toEqual(frameOf(20, 2));
  });

  it("one answer per call: a second write for the same id is refused once the first is in", () => {
    const slot = newAnswerSlot();
    openWait(slot, 5);
    expect(writeAnswer(slot, 5, Uint8Array.of(1))).toBe("written");
    expect(writeAnswer(slot, 5, Uint8Array.of(2))).toBe("abandoned");
    expect(waitAnswer(slot, 5, 0)).toEqual(Uint8Array.of(1));
  });

  it("a call whose time ran out while a writer held its claim takes that answer (it is its own)", () => {
    const slot = newAnswerSlot();
    const ctrl = new Int32Array(slot.ctrl);
    openWait(slot, 3);
    // A writer mid-write: the claim taken (WAITING = -id), the bytes not yet published.
    expect(Atomics.compareExchange(ctrl, 2, 3, -3)).toBe(3);
    (slot.data as unknown as { grow(n: number): void }).grow(2);
    new Uint8Array(slot.data, 0, 2).set([4, 2]);
    Atomics.store(ctrl, 1, 2);
    Atomics.store(ctrl, 0, 3); // published; the executor's deadline had passed already
    expect(waitAnswer(slot, 3, 0)).toEqual(Uint8Array.of(4, 2));
  });
});

describe("the relay's heartbeat (an app-owned executor on the Atomics path)", () => {
  // Why: a worker blocked in Atomics.wait hears no events, so before the heartbeat a relay
  // that died left its blocked call waiting for good (review finding N1).
  it("a wait whose writer's heartbeat stopped ends, and the late answer is refused", () => {
    const slot = newAnswerSlot();
    const beat = new SharedArrayBuffer(4);
    openWait(slot, 1);
    const started = performance.now();
    expect(waitAnswer(slot, 1, Infinity, heartbeat(beat, 50))).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(3_000); // one 1 s slice, not forever
    expect(writeAnswer(slot, 1, Uint8Array.of(1))).toBe("abandoned");
  });

  it("a heartbeat that moves keeps the writer alive", () => {
    const beat = new SharedArrayBuffer(4);
    const alive = heartbeat(beat, 30);
    const until = performance.now() + 100;
    while (performance.now() < until) {
      Atomics.add(new Int32Array(beat), 0, 1);
      expect(alive()).toBe(true);
    }
    const still = performance.now() + 40;
    while (performance.now() < still) {} // 40 ms without a beat
    expect(alive()).toBe(false);
  });
});
