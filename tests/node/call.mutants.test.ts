// One call's chunks and outcomes (ts/pool/call.ts), driven directly: payloads per mode,
// output checks, progress reports, `mapSettled` narrowing at the edges of a chunk, and
// errors from onProgress or from encoding. Found unpinned by the mutation run
// (npm run mutants).
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../ts/pool/buffers.js";
import { Call, type CallSpec, type Progress, type Task } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink, ConcatSink, PartialsSink, type Settled, SettledSink, StreamSink } from "../../ts/pool/collect.js";
import { DecodeError, KernelError, PmapError, TimeoutError } from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";

const K: KernelInfo = { name: "double", kind: "map", input: "number", output: "number" };

function makeCall(items: ArrayLike<unknown>, over: Partial<CallSpec> = {}) {
  const requeued: Array<Array<[number, number, number]>> = [];
  const progress: Progress[] = [];
  const call = new Call({
    id: "pool:1",
    kernel: K,
    codec: Codec.map,
    items,
    chunkSize: 4,
    concurrency: 2,
    sink: new ArraySink(items.length),
    requeue: (tasks) => requeued.push(tasks.map((t) => [t.chunk, t.start, t.end])),
    onProgress: (p) => progress.push(p),
    ...over,
  });
  return { call, requeued, progress };
}
const task = (call: Call, chunk: number, start: number, end: number): Task => ({
  id: 0,
  call,
  chunk,
  start,
  end,
  crashes: 0,
  resends: 0,
});

describe("Call payloads", () => {
  it("map over an array: the chunk's items; over a typed array: plain numbers, one item each", () => {
    const { call } = makeCall([1, 2, 3, 4, 5]);
    expect(decodeValue(call.payload(task(call, 1, 4, 5)))).toEqual([5]);
    const typed = makeCall(Float64Array.of(1.5, 2.5, 3.5)).call;
    expect(decodeValue(typed.payload(task(typed, 0, 1, 3)))).toEqual([2.5, 3.5]);
  });

  it("slice mode: the payload names the typed array; the chunk's bytes are a fresh copy of its span", () => {
    const items = Float32Array.of(1, 2, 3, 4);
    const { call } = makeCall(items, { codec: Codec.slice, sink: new ConcatSink(4, () => null) });
    const t = task(call, 0, 1, 3);
    expect(new TextDecoder().decode(call.payload(t))).toBe("Float32Array");
    const buffers = new BufferPool();
    const data = call.data(t, buffers)!;
    expect(Array.from(new Float32Array(data))).toEqual([2, 3]);
    expect(data).not.toBe(items.buffer);
    // Transferring it (detaching it) leaves the call's items intact, for a retry.
    structuredClone(data, { transfer: [data] });
    expect(Array.from(new Float32Array(call.data(t, buffers)!))).toEqual([2, 3]);
    // A buffer given back is the next chunk's (its old bytes overwritten by the span's).
    const kept = new ArrayBuffer(8);
    new Float32Array(kept).fill(9);
    buffers.give(kept);
    const again = call.data(t, buffers)!;
    expect(again).toBe(kept);
    expect(Array.from(new Float32Array(again))).toEqual([2, 3]);
    buffers.clear();
    // Map mode has no side data, not even over a typed array; nor has a call of ready-made payloads.
    const map = makeCall(Float64Array.of(1, 2)).call;
    expect(map.data(task(map, 0, 0, 1), new BufferPool())).toBeUndefined();
    const raw = makeCall([Uint8Array.of(1)], { codec: Codec.job }).call;
    expect(raw.data(task(raw, 0, 0, 1), new BufferPool())).toBeUndefined();
  });

  it("slice mode: output bytes become the kernel's declared typed array; anything else is an error", () => {
    const { call } = makeCall(Float32Array.of(1), {
      codec: Codec.slice,
      sink: new ConcatSink(1, () => null),
      kernel: { name: "k", kind: "slice", input: "Float32Array", output: "BigInt64Array" },
    });
    const out = call.output(new Uint8Array(), BigInt64Array.of(-3n).buffer);
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out as BigInt64Array)).toEqual([-3n]);
    const { call: bad } = makeCall(Float32Array.of(1), {
      codec: Codec.slice,
      sink: new ConcatSink(1, () => null),
      kernel: { name: "k", kind: "slice", input: "Float32Array", output: "number" },
    });
    expect(() => bad.output(new Uint8Array(), new ArrayBuffer(8))).toThrow('kernel "k": number is not a typed array');
  });

  it("ready-made payloads (a job, a pipe): each item is a payload and its own chunk, whatever chunkSize says", () => {
    const payloads = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    const { call } = makeCall(payloads, { codec: Codec.pipe, chunkSize: 10 });
    expect(call.codec.onePerChunk).toBe(true);
    const tasks = call.tasks();
    expect(tasks.map((t) => [t.chunk, t.start, t.end])).toEqual([
      [0, 0, 1],
      [1, 1, 2],
      [2, 2, 3],
    ]);
    expect(call.payload(tasks[2]!)).toBe(payloads[2]);
    expect(makeCall([1]).call.codec.onePerChunk).toBe(false);
  });

  it("tasks start with no id, crash or resend yet, and cover the items in chunkSize runs", () => {
    const { call } = makeCall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(call.tasks()).toEqual([
      { id: 0, call, chunk: 0, start: 0, end: 4, crashes: 0, resends: 0 },
      { id: 0, call, chunk: 1, start: 4, end: 8, crashes: 0, resends: 0 },
      { id: 0, call, chunk: 2, start: 8, end: 10, crashes: 0, resends: 0 },
    ]);
  });
});

describe("Call encode errors", () => {
  it("names the first item that cannot be encoded, as a DecodeError of that item", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { call } = makeCall([1, () => 2, cyclic, 4]);
    const t = task(call, 0, 0, 4);
    const err = call.encodeError(t, new Error("whatever")) as DecodeError;
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.item).toBe(1);
    expect(err.kernel).toBe("double");
    expect(err.expected).toBe("number");
    expect(err.message).toBe('kernel "double": item 1 could not be encoded: Unknown type: function');
    const deep = call.encodeError(task(call, 0, 2, 4), new Error("x")) as DecodeError;
    expect(deep.item).toBe(2);
    expect(deep.message).toMatch(/^kernel "double": item 2 could not be encoded \(too deeply nested, or cyclic\?\): /);
  });

  it("when every item encodes alone (or there are no items to blame), the chunk's error says why", () => {
    const { call } = makeCall([1, 2]);
    const err = call.encodeError(task(call, 3, 0, 2), new Error("out of memory"));
    expect(err).not.toBeInstanceOf(DecodeError);
    expect(err.message).toBe('kernel "double": chunk 3 could not be encoded: out of memory');
    expect(call.encodeError(task(call, 3, 0, 2), "plain").message).toBe(
      'kernel "double": chunk 3 could not be encoded: plain',
    );
    const { call: tail } = makeCall([1, () => 0]);
    expect(tail.encodeError(task(tail, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError); // item 1 is not in it
    const typed = makeCall(Float64Array.of(1)).call;
    expect(typed.encodeError(task(typed, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError);
    const raw = makeCall([() => 1], { codec: Codec.job }).call;
    expect(raw.encodeError(task(raw, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError);
  });
});

describe("Call outcomes", () => {
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

describe("Call after it ended", () => {
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

  it("payload bytes are the CBOR of the items (what a worker decodes)", () => {
    const { call } = makeCall([{ a: 1 }, "x"]);
    expect(Array.from(call.payload(task(call, 0, 0, 2)))).toEqual(Array.from(encodeValue([{ a: 1 }, "x"])));
  });
});
