// mapSettled narrowing (docs/architecture.md, "Failure semantics"): a chunk failure naming an
// item fails that item alone and re-queues the rest of the chunk; a panic (item unknown)
// re-queues the chunk item by item; a timeout fails the chunk's items, marked timedOut.
import { describe, expect, it } from "vitest";
import { Call } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { type Settled, SettledSink } from "../../ts/pool/collect.js";
import { DecodeError, KernelError, PmapError, TimeoutError } from "../../ts/protocol/errors.js";
import { K, makeCall, task } from "./call-harness.js";

describe("mapSettled narrowing", () => {
  const settled = (n: number) => {
    const t = makeCall(
      Array.from({ length: n }, (_, i) => i),
      { sink: new SettledSink(n) },
    );
    return t;
  };
  const kernelErr = (item?: number, panicked = false) => new KernelError("double", "bad", 0, item, panicked);

  it("an item failing at the chunk's start re-queues only the rest; at its end only the start", () => {
    const first = settled(8);
    first.call.chunkFailed(task(first.call, 1, 4, 8), kernelErr(4));
    expect(first.requeued).toEqual([[[1, 5, 8]]]);
    const last = settled(8);
    last.call.chunkFailed(task(last.call, 1, 4, 8), kernelErr(7));
    expect(last.requeued).toEqual([[[1, 4, 7]]]);
    const mid = settled(8);
    mid.call.chunkFailed(task(mid.call, 1, 4, 8), new DecodeError("double", "number", "bad", 5));
    expect(mid.requeued).toEqual([
      [
        [1, 4, 5],
        [1, 6, 8],
      ],
    ]);
    expect(mid.progress).toEqual([
      // the failed item counts as done; no worker ran it to completion
      { done: 1, total: 8, chunk: 1, worker: -1, startedAt: Number.NaN, finishedAt: Number.NaN },
    ]);
  });

  it("a panic (item unknown) re-queues the chunk item by item; a plain error fails the whole chunk", async () => {
    const p = settled(3);
    p.call.chunkFailed(task(p.call, 0, 0, 3), kernelErr(undefined, true));
    expect(p.requeued).toEqual([
      [
        [0, 0, 1],
        [0, 1, 2],
        [0, 2, 3],
      ],
    ]);
    expect(p.progress).toEqual([]);
    const plain = settled(3);
    const err = kernelErr(undefined, false);
    plain.call.chunkFailed(task(plain.call, 0, 0, 3), err);
    expect(plain.requeued).toEqual([]);
    expect(await plain.call.promise).toEqual([0, 1, 2].map(() => ({ ok: false, error: err, timedOut: false })));
  });

  it("a one-item chunk fails just that item, even when the error names it; a timeout is marked timedOut", async () => {
    const { call, requeued } = settled(2);
    const named = kernelErr(0);
    call.chunkFailed(task(call, 0, 0, 1), named);
    const slow = new TimeoutError("double", 1, 10);
    call.chunkFailed(task(call, 1, 1, 2), slow);
    expect(requeued).toEqual([]);
    expect((await call.promise) as Settled<unknown>[]).toEqual([
      { ok: false, error: named, timedOut: false },
      { ok: false, error: slow, timedOut: true },
    ]);
  });

  it("an onProgress that throws while a failed item is narrowed down ends the call; nothing is re-queued", async () => {
    const requeued: unknown[] = [];
    const call = new Call({
      id: "pool:1",
      kernel: K,
      codec: Codec.map,
      items: [1, 2, 3],
      chunkSize: 3,
      concurrency: 1,
      sink: new SettledSink(3),
      requeue: (tasks) => requeued.push(tasks),
      onProgress: () => {
        throw new Error("listener broke");
      },
    });
    call.chunkFailed(task(call, 0, 0, 3), kernelErr(1));
    expect(call.settled).toBe(true);
    expect(requeued).toEqual([]);
    const out = (await call.promise) as Settled<unknown>[];
    expect(out[0]).toEqual({ ok: false, error: new PmapError("onProgress threw: listener broke"), timedOut: false });
    call.chunkFailed(task(call, 0, 0, 3), kernelErr(0));
    expect(requeued).toEqual([]); // settled: ignored
    expect(out[0]).toEqual({ ok: false, error: new PmapError("onProgress threw: listener broke"), timedOut: false });
  });

  it("a call that is not mapSettled fails as a whole with the chunk's error", async () => {
    const { call, requeued } = makeCall([1, 2, 3]);
    const err = kernelErr(1);
    call.chunkFailed(task(call, 0, 0, 3), err);
    await expect(call.promise).rejects.toBe(err);
    expect(requeued).toEqual([]);
  });
});
