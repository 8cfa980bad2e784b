// Sinks (ts/pool/collect.ts): where outputs go, pure logic — in input order whatever the
// arrival order, typed arrays concatenated (in place when they can be), reduce partials,
// per-item outcomes, a stream — and what each does with errors and the end.
import { describe, expect, it } from "vitest";
import { ArraySink, ConcatSink, PartialsSink, SettledSink, StreamSink } from "../../ts/pool/collect.js";
import { KernelError, PmapError, TimeoutError } from "../../ts/protocol/errors.js";

describe("every sink", () => {
  it("only SettledSink settles; the others ignore per-item errors and close", () => {
    const sinks = [new ArraySink(1), new ConcatSink(1, () => null), new PartialsSink(), new StreamSink()];
    expect(sinks.map((s) => s.settles)).toEqual([false, false, false, false]);
    expect(new SettledSink(1).settles).toBe(true);
    const a = new ArraySink(2);
    a.put({ start: 0, end: 1 }, [1]);
    a.putError();
    a.close();
    expect(a.result()).toEqual([1, undefined]);
  });
});

describe("ArraySink", () => {
  it("ArraySink places chunks at their input indices whatever the arrival order", () => {
    const s = new ArraySink(5);
    s.put({ start: 3, end: 5 }, ["d", "e"]);
    s.put({ start: 0, end: 3 }, ["a", "b", "c"]);
    expect(s.result()).toEqual(["a", "b", "c", "d", "e"]);
  });
});

describe("ConcatSink", () => {
  it("ConcatSink concatenates typed chunks in input order", () => {
    const s = new ConcatSink(3, () => new Float64Array(0));
    s.put({ start: 2, end: 3 }, new Float64Array([3]));
    s.put({ start: 0, end: 2 }, new Float64Array([1, 2]));
    expect(s.result()).toEqual(new Float64Array([1, 2, 3]));
    expect(new ConcatSink(0, () => new Float64Array(0)).result()).toEqual(new Float64Array(0));
  });

  it("ConcatSink writes one-for-one outputs straight into one result of the output's type", () => {
    const s = new ConcatSink(4, () => new Float64Array(0));
    const a = Float32Array.of(3, 4);
    s.put({ start: 2, end: 4 }, a);
    s.put({ start: 0, end: 2 }, Float32Array.of(1, 2));
    const out = s.result() as Float32Array;
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(out.buffer).not.toBe(a.buffer); // the result is its own buffer, not a chunk's
  });

  it("ConcatSink falls back to joining parts when a chunk's output length differs from its input's", () => {
    // Two chunks written into place, then one that returns fewer elements than it took.
    const s = new ConcatSink(6, () => null);
    s.put({ start: 0, end: 2 }, Int32Array.of(1, 2));
    s.put({ start: 4, end: 6 }, Int32Array.of(5, 6));
    s.put({ start: 2, end: 4 }, Int32Array.of(9));
    expect(Array.from(s.result() as Int32Array)).toEqual([1, 2, 9, 5, 6]);
    // The first chunk already of another length: parts from the start.
    const t = new ConcatSink(2, () => null);
    t.put({ start: 1, end: 2 }, Uint8Array.of(3, 4, 5));
    t.put({ start: 0, end: 1 }, Uint8Array.of(1, 2));
    expect(Array.from(t.result() as Uint8Array)).toEqual([1, 2, 3, 4, 5]);
    // Same length but another element type than the first chunk's: parts too.
    const u = new ConcatSink(2, () => null);
    u.put({ start: 0, end: 1 }, Float64Array.of(1.5));
    u.put({ start: 1, end: 2 }, Int8Array.of(-2));
    expect(Array.from(u.result() as Float64Array)).toEqual([1.5, -2]);
  });

  it("ConcatSink sorts many chunks by their start, keeps the element type, and sizes the result exactly", () => {
    // Outputs of other lengths than their inputs': kept as parts and joined.
    const s = new ConcatSink(12, () => new Int16Array(0));
    s.put({ start: 10, end: 12 }, Int16Array.of(5, 6, 7));
    s.put({ start: 0, end: 1 }, Int16Array.of(1));
    s.put({ start: 4, end: 7 }, Int16Array.of(2, 3, 4));
    const out = s.result() as Int16Array;
    expect(out).toBeInstanceOf(Int16Array);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const none = new ConcatSink(0, () => "empty");
    expect(none.result()).toBe("empty");
  });

  it("ConcatSink in place: outputs as wide as the input overwrite the snapshot, and each chunk's buffer is recycled", () => {
    const snapshot = Float64Array.of(1, 4, 9, 16);
    const recycled: ArrayBuffer[] = [];
    const s = new ConcatSink(
      4,
      () => null,
      snapshot,
      (b) => recycled.push(b),
    );
    const late = Float64Array.of(3, 4);
    s.put({ start: 2, end: 4 }, late);
    // The other chunk's input is still there, for a retry, until its output arrives.
    expect(Array.from(snapshot)).toEqual([1, 4, 3, 4]);
    const early = Float64Array.of(1, 2);
    s.put({ start: 0, end: 2 }, early);
    const out = s.result() as Float64Array;
    expect(out.buffer).toBe(snapshot.buffer);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(recycled).toEqual([late.buffer, early.buffer]);
    // Same width, another type (the kernel's output type wins): a view of the snapshot.
    const ints = Float64Array.of(0, 0);
    const b = new ConcatSink(2, () => null, ints);
    b.put({ start: 0, end: 2 }, BigInt64Array.of(-1n, 2n));
    const big = b.result() as BigInt64Array;
    expect(big).toBeInstanceOf(BigInt64Array);
    expect(big.buffer).toBe(ints.buffer);
    expect(Array.from(big)).toEqual([-1n, 2n]);
    // Narrower output than input: a result of its own; the snapshot is left alone.
    const wide = Float64Array.of(1.5, 2.5);
    const n = new ConcatSink(2, () => null, wide);
    n.put({ start: 0, end: 2 }, Float32Array.of(7, 8));
    const narrow = n.result() as Float32Array;
    expect(narrow.buffer).not.toBe(wide.buffer);
    expect(Array.from(narrow)).toEqual([7, 8]);
    expect(Array.from(wide)).toEqual([1.5, 2.5]);
  });

  it("ConcatSink keeps (never recycles) the buffers of parts it joins later", () => {
    const recycled: ArrayBuffer[] = [];
    const s = new ConcatSink(
      3,
      () => null,
      undefined,
      (b) => recycled.push(b),
    );
    s.put({ start: 0, end: 1 }, Int32Array.of(1, 1)); // two outputs for one input: a part
    s.put({ start: 1, end: 3 }, Int32Array.of(2, 3));
    expect(recycled).toEqual([]);
    expect(Array.from(s.result() as Int32Array)).toEqual([1, 1, 2, 3]);
  });
});

describe("PartialsSink", () => {
  it("PartialsSink keeps non-empty partials in input order", () => {
    const s = new PartialsSink();
    s.put({ start: 10, end: 20 }, 2);
    s.put({ start: 0, end: 10 }, 1);
    s.put({ start: 20, end: 20 }, null);
    expect(s.result()).toEqual([1, 2]);
  });

  it("PartialsSink drops undefined partials too, and sorts by start", () => {
    const s = new PartialsSink();
    s.put({ start: 8, end: 9 }, "c");
    s.put({ start: 5, end: 5 }, undefined);
    s.put({ start: 2, end: 4 }, "b");
    s.put({ start: 0, end: 2 }, 0); // a falsy partial is a partial
    expect(s.result()).toEqual([0, "b", "c"]);
  });
});

describe("SettledSink", () => {
  it("SettledSink records per-item outcomes and fills the rest on close", () => {
    const s = new SettledSink(4);
    s.put({ start: 0, end: 1 }, [10]);
    s.putError({ start: 1, end: 2 }, new TimeoutError("k", 0, 5));
    s.close(new KernelError("k", "gone", 0));
    const out = s.result();
    expect(out[0]).toEqual({ ok: true, value: 10 });
    expect(out[1]).toMatchObject({ ok: false, timedOut: true });
    expect(out[3]).toMatchObject({ ok: false, timedOut: false });
    expect((out[3] as { error: Error }).error.message).toContain("gone");
  });

  it("SettledSink: close keeps the outcomes already in and fills only the rest", () => {
    const s = new SettledSink(3);
    const first = new KernelError("k", "one", 0);
    s.putError({ start: 2, end: 3 }, first);
    s.put({ start: 0, end: 1 }, [7]);
    const stop = new PmapError("stop");
    s.close(stop);
    expect(s.result()).toEqual([
      { ok: true, value: 7 },
      { ok: false, error: stop, timedOut: false },
      { ok: false, error: first, timedOut: false },
    ]);
  });
});

describe("StreamSink", () => {
  it("StreamSink yields items as they come and ends or throws", async () => {
    const s = new StreamSink();
    const got: number[] = [];
    const reading = (async () => {
      for await (const { index } of s.iterate()) got.push(index);
    })();
    s.put({ start: 5, end: 7 }, ["x", "y"]);
    await Promise.resolve();
    s.put({ start: 0, end: 1 }, ["z"]);
    s.result();
    await reading;
    expect(got).toEqual([5, 6, 0]);

    const failing = new StreamSink();
    failing.close(new KernelError("k", "bad", 0));
    await expect(failing.iterate().next()).rejects.toBeInstanceOf(KernelError);
  });

  it("StreamSink hands out what arrived before an error, then throws the first error", async () => {
    const s = new StreamSink();
    s.put({ start: 3, end: 5 }, ["a", "b"]);
    const first = new KernelError("k", "first", 0);
    s.close(first);
    s.close(new KernelError("k", "second", 0));
    const got: unknown[] = [];
    const it = s.iterate();
    got.push((await it.next()).value);
    got.push((await it.next()).value);
    expect(got).toEqual([
      { index: 3, value: "a" },
      { index: 4, value: "b" },
    ]);
    await expect(it.next()).rejects.toBe(first);
  });

  it("StreamSink wakes a waiting reader for each chunk and for the end", async () => {
    const s = new StreamSink();
    const seen: number[] = [];
    let ended = false;
    const reading = (async () => {
      for await (const { index } of s.iterate()) seen.push(index);
      ended = true;
    })();
    const tick = () => new Promise((r) => setTimeout(r, 0));
    await tick();
    s.put({ start: 0, end: 1 }, ["x"]);
    await tick();
    expect(seen).toEqual([0]);
    s.put({ start: 1, end: 2 }, ["y"]);
    await tick();
    expect(seen).toEqual([0, 1]);
    expect(ended).toBe(false);
    expect(s.result()).toBeUndefined();
    await reading;
    expect(ended).toBe(true);
  });

  it("StreamSink wakes a waiting reader for an error", async () => {
    const s = new StreamSink();
    const next = s.iterate().next();
    await new Promise((r) => setTimeout(r, 0));
    const err = new KernelError("k", "late", 0);
    s.close(err);
    await expect(next).rejects.toBe(err);
  });
});
