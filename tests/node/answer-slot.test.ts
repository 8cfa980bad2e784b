// The answer slot (ts/protocol/answer-slot.ts) on its own: what the page writes is what a
// blocked executor reads, whatever its size; one too large is refused, not truncated.
import { describe, expect, it } from "vitest";
import { MAX_ANSWER_BYTES, newAnswerSlot, waitAnswer, writeAnswer } from "../../ts/protocol/answer-slot.js";

describe("answer slot", () => {
  it("round-trips answers of growing and shrinking sizes, each under its own pipe id", () => {
    const slot = newAnswerSlot();
    expect(slot.data.byteLength).toBe(0);
    for (const [id, n] of [
      [1, 3],
      [2, 100_000],
      [3, 10],
    ] as const) {
      const frame = Uint8Array.from({ length: n }, (_, i) => (i * 7 + id) & 0xff);
      expect(writeAnswer(slot, id, frame)).toBe(true);
      const got = waitAnswer(slot, id); // already there: returns without blocking
      expect(got).toEqual(frame);
      expect(got.buffer).not.toBe(slot.data); // a copy: the slot is reused
    }
    expect(slot.data.byteLength).toBe(100_000); // grown once, never shrunk
  });

  it("an answer larger than the slot can grow to is refused and nothing is written", () => {
    const slot = newAnswerSlot();
    const huge = { byteLength: MAX_ANSWER_BYTES + 1 } as Uint8Array;
    expect(writeAnswer(slot, 1, huge)).toBe(false);
    expect(new Int32Array(slot.ctrl)[0]).toBe(0);
  });

  it("a wait with a time limit returns undefined when no answer for its id came in time", () => {
    const slot = newAnswerSlot();
    writeAnswer(slot, 1, Uint8Array.of(1)); // another pipe's answer does not end the wait
    const started = performance.now();
    expect(waitAnswer(slot, 2, 30)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
