// Every call option refused before anything is queued: each refusal a RangeError or TypeError
// naming the option and what was passed (piscina's test/option-validation.ts is the model).
import { describe, expect, it, vi } from "vitest";
import { resolveChunkSize } from "../../ts/pool/schedule.js";
import { AbortError, PmapError, QueueFullError } from "../../ts/protocol/errors.js";
import { range, started } from "./dispatch-harness.js";
import { SCALE, thrown, useFakeTimers } from "./fake-worker.js";

useFakeTimers();

describe("a call's options", () => {
  it("concurrency must be a positive integer", async () => {
    const { fleet, dispatch, start } = await started(2);
    for (const c of [0, -1, 1.5]) {
      expect(() => start([1], { concurrency: c })).toThrow(
        new RangeError(`concurrency must be a positive integer, got ${c}`),
      );
    }
    expect(dispatch.queued).toBe(0);
    expect(fleet.posted).toHaveLength(0);
  });

  it("timeoutMs must be > 0 (Infinity is allowed: no clock)", async () => {
    const { fleet, start } = await started(1);
    for (const t of [0, -5, Number.NaN]) {
      expect(() => start([1], { timeoutMs: t })).toThrow(new RangeError(`timeoutMs must be > 0, got ${t}`));
    }
    const call = start([1], { timeoutMs: Number.POSITIVE_INFINITY });
    await vi.advanceTimersByTimeAsync(1e9);
    expect(call.settled).toBe(false); // the chunk hangs, but nothing times it out
    expect(fleet.posted).toHaveLength(1);
  });

  it("a nonsense chunkSize is a RangeError naming it", () => {
    for (const n of [0, -3, 2.5]) {
      expect(() => resolveChunkSize(n, 10, 2)).toThrow(
        new RangeError(`chunkSize must be a positive integer or "auto", got ${n}`),
      );
    }
  });

  it("a context kernel needs opts.context; any other kernel refuses one", async () => {
    const { start } = await started(1);
    const missing = thrown(() => start([1], {}, SCALE));
    expect(missing).toBeInstanceOf(TypeError);
    expect(missing.message).toBe('kernel "scale" is a context kernel: pass opts.context (a number)');
    const extra = thrown(() => start([1], { context: 2 }));
    expect(extra).toBeInstanceOf(TypeError);
    expect(extra.message).toBe('kernel "double" takes no context; opts.context is only for #[kernel(context)] kernels');
    expect(start([1], { context: 2 }, SCALE).context).toBeInstanceOf(Uint8Array);
    expect(start([1]).context).toBeUndefined(); // nothing to send with its chunks
    expect(() => start([1], { context: () => 0 }, SCALE)).toThrow(
      new PmapError('kernel "scale": the context could not be encoded: Unknown type: function'),
    );
  });

  it("an already-aborted signal is an AbortError carrying the signal's reason; nothing is queued", async () => {
    const { fleet, dispatch, start } = await started(1);
    const ctrl = new AbortController();
    ctrl.abort("user left");
    const err = thrown(() => start([1, 2], { signal: ctrl.signal })) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.message).toBe('kernel "double": aborted before it started');
    expect(err.reason).toBe("user left");
    expect(dispatch.queued).toBe(0);
    expect(fleet.posted).toHaveLength(0);
  });

  it("a call that would overfill maxQueue is a QueueFullError; one that exactly fills it is queued", async () => {
    const { dispatch, start } = await started(1, { maxQueue: 3 });
    start([0], { chunkSize: 1 }); // on the worker, not queued
    start(range(3), { chunkSize: 1 }); // 3 queued: full
    expect(dispatch.queued).toBe(3);
    expect(() => start([1], { chunkSize: 1 })).toThrow(new QueueFullError(3));
    expect(dispatch.queued).toBe(3);
  });
});
