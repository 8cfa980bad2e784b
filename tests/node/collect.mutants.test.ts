// Sinks (ts/pool/collect.ts) at their edges: found unpinned by the mutation run
// (npm run mutants).
import { describe, expect, it } from "vitest";
import { ArraySink, ConcatSink, PartialsSink, SettledSink, StreamSink } from "../../ts/pool/collect.js";
import { KernelError, PmapError } from "../../ts/protocol/errors.js";

describe("sinks", () => {
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

  it("PartialsSink drops undefined partials too, and sorts by start", () => {
    const s = new PartialsSink();
    s.put({ start: 8, end: 9 }, "c");
    s.put({ start: 5, end: 5 }, undefined);
    s.put({ start: 2, end: 4 }, "b");
    s.put({ start: 0, end: 2 }, 0); // a falsy partial is a partial
    expect(s.result()).toEqual([0, "b", "c"]);
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
