// What a chunk's answer does to its call (ts/pool/call.ts): outputs checked against the
// chunk, progress reported after each chunk, an onProgress that throws, a failure frame made
// its typed error, fail() on a mapSettled call, and nothing after the call ended.
import { describe, expect, it } from "vitest";
import { Codec } from "../../ts/pool/codecs.js";
import { PartialsSink, SettledSink, StreamSink } from "../../ts/pool/collect.js";
import { KernelError, PmapError } from "../../ts/protocol/errors.js";
import { makeCall, task } from "./call-harness.js";

describe("chunk results", () => {
  it("a map chunk with the wrong number of outputs, or not an array, fails the call naming both", async () => {
    const { call } = makeCall([1, 2, 3]);
    call.accept(task(call, 0, 0, 3), [1, 2], 0, 0, 0);
    await expect(call.promise).rejects.toThrow(
      new PmapError('kernel "double": chunk 0 returned 2 outputs, expected 3'),
    );
    const other = makeCall([1]).call;
    other.accept(task(other, 0, 0, 1), "x", 0, 0, 0);
    await expect(other.promise).rejects.toThrow('kernel "double": chunk 0 returned string, expected 1');
  });

  it("reduce chunks and ready-made payloads are not counted as outputs per item", async () => {
    const reduce = makeCall([1, 2, 3], { codec: Codec.reduce, sink: new PartialsSink() }).call;
    reduce.accept(task(reduce, 0, 0, 3), 6, 0, 0, 0);
    expect(await reduce.promise).toEqual([6]);
    const raw = makeCall([Uint8Array.of(1)], { codec: Codec.job }).call;
    raw.accept(task(raw, 0, 0, 1), [Uint8Array.of(9)], 0, 0, 0);
    expect(await raw.promise).toEqual([Uint8Array.of(9)]);
  });

  it("reports progress after each chunk: items done and in all, chunk, worker and its times", async () => {
    const { call, progress } = makeCall([1, 2, 3, 4, 5, 6]);
    call.accept(task(call, 1, 4, 6), [10, 12], 2, 100, 150);
    call.accept(task(call, 0, 0, 4), [2, 4, 6, 8], 0, 90, 160);
    expect(progress).toEqual([
      { done: 2, total: 6, chunk: 1, worker: 2, startedAt: 100, finishedAt: 150 },
      { done: 6, total: 6, chunk: 0, worker: 0, startedAt: 90, finishedAt: 160 },
    ]);
    expect(await call.promise).toEqual([2, 4, 6, 8, 10, 12]);
    call.accept(task(call, 0, 0, 4), [0, 0, 0, 0], 0, 0, 0); // a late duplicate changes nothing
    expect(progress).toHaveLength(2);
  });

  it("an onProgress that throws fails the call: its PmapError as is, anything else wrapped", async () => {
    const own = new PmapError("stop here");
    const a = makeCall([1, 2], {
      onProgress: () => {
        throw own;
      },
    }).call;
    a.accept(task(a, 0, 0, 1), [2], 0, 0, 0);
    await expect(a.promise).rejects.toBe(own);
    const b = makeCall([1, 2], {
      onProgress: () => {
        throw new Error("oops");
      },
    }).call;
    b.accept(task(b, 0, 0, 2), [2, 4], 0, 0, 0);
    await expect(b.promise).rejects.toThrow(new PmapError("onProgress threw: oops"));
    const c = makeCall([1], {
      onProgress: () => {
        throw undefined;
      },
    }).call;
    c.accept(task(c, 0, 0, 1), [2], 0, 0, 0);
    await expect(c.promise).rejects.toThrow(new PmapError("onProgress threw: undefined"));
  });

  it("a failure frame becomes its typed error with the item made call-wide", async () => {
    const { call } = makeCall([1, 2, 3, 4, 5, 6]);
    call.failure(task(call, 1, 4, 6), { kind: "kernel", kernel: "double", message: "odd", index: 1 });
    const err = await call.promise.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).item).toBe(5);
    expect((err as KernelError).chunk).toBe(1);
  });

  it("fail() on a mapSettled call resolves it with every item not yet in marked failed", async () => {
    const { call } = makeCall([1, 2, 3], { sink: new SettledSink(3) });
    call.accept(task(call, 0, 0, 1), [2], 0, 0, 0);
    const stop = new PmapError("terminated");
    call.fail(stop);
    call.fail(new PmapError("second")); // only the first counts
    expect(await call.promise).toEqual([
      { ok: true, value: 2 },
      { ok: false, error: stop, timedOut: false },
      { ok: false, error: stop, timedOut: false },
    ]);
  });
});

describe("after the call ended", () => {
  it("fail() after the call completed changes nothing: a finished stream still ends cleanly", async () => {
    const sink = new StreamSink();
    const { call } = makeCall([1], { sink });
    call.accept(task(call, 0, 0, 1), [2], 0, 0, 0);
    expect(call.settled).toBe(true);
    call.fail(new PmapError("too late"));
    const got: unknown[] = [];
    for await (const x of sink.iterate()) got.push(x);
    expect(got).toEqual([{ index: 0, value: 2 }]);
  });
});
