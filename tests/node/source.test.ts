// Streaming inputs (ts/pool/source.ts) driven directly: real `Call`s that the test completes
// or fails by hand stand in for the pool, so what is read when, what is held, and what is
// cancelled are exact. The same paths against real workers: tests/browser/streaming.test.ts.
import { describe, expect, it } from "vitest";
import { Call } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink } from "../../ts/pool/collect.js";
import { type BatchOutput, runSource, type Source } from "../../ts/pool/source.js";
import { AbortError, KernelError, PmapError, SourceError } from "../../ts/protocol/errors.js";

const K = { name: "double", kind: "map" as const, input: "number", output: "number" };
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A source of 0, 1, …, n-1 that counts what was read and whether it was stopped. */
function counted(n: number, failAt?: number) {
  const state = { read: 0, stopped: false };
  const source = {
    [Symbol.asyncIterator]() {
      return {
        async next() {
          if (state.read === failAt) throw new Error("disk on fire");
          if (state.read >= n) return { done: true as const, value: undefined };
          return { done: false as const, value: state.read++ };
        },
        async return() {
          state.stopped = true;
          return { done: true as const, value: undefined };
        },
      };
    },
  };
  return { source, state };
}

/** runSource over `source` with calls the test settles: `calls` in start order, `cancelled` by it. */
function harness(
  source: Source<unknown>,
  opts: { batchSize?: number; maxInFlight: number; ordered?: boolean; signal?: AbortSignal },
) {
  const calls: Call[] = [];
  const cancelled: Call[] = [];
  const it = runSource(source, {
    kernel: "double",
    batchSize: opts.batchSize,
    maxInFlight: opts.maxInFlight,
    ordered: opts.ordered,
    signal: opts.signal,
    start: (items, first) => {
      const list = items as unknown[];
      const call = new Call({
        id: `c${calls.length}`,
        kernel: K,
        codec: Codec.map,
        items: list,
        chunkSize: list.length,
        concurrency: 1,
        sink: new ArraySink(list.length),
        requeue: () => {},
        first,
      });
      call.tasks();
      calls.push(call);
      return call;
    },
    chunks: (call) => call.chunkCount,
    cancel: (call, err) => {
      cancelled.push(call);
      call.fail(err);
    },
  });
  /** Completes call `i` with its items doubled. */
  const complete = (i: number) => {
    const call = calls[i]!;
    const [task] = call.tasks();
    const items = Array.from({ length: call.total }, (_, j) => (call.first.item + j) * 2);
    call.accept(task!, items, 0, 0, 0);
  };
  return { it, calls, cancelled, complete };
}

describe("streaming inputs (runSource)", () => {
  it("reads only while fewer than maxInFlight batches are held; a done batch not yet taken still counts", async () => {
    const { source, state } = counted(100);
    const h = harness(source, { batchSize: 3, maxInFlight: 2 });
    const first = h.it.next();
    await tick();
    expect(state.read).toBe(6); // two batches of 3, and not one item more
    expect(h.calls.map((c) => c.first)).toEqual([
      { item: 0, chunk: 0 },
      { item: 3, chunk: 1 },
    ]);
    h.complete(1);
    h.complete(0);
    expect(((await first).value as BatchOutput).out).toEqual([6, 8, 10]); // completion order: batch 1 first
    await tick();
    // Batch 0 is done but not taken: still held, so one new batch only.
    expect(state.read).toBe(9);
    expect(((await h.it.next()).value as BatchOutput).batch).toBe(0);
    await tick(); // taken: it reads ahead while the consumer works
    expect(state.read).toBe(12);
    await h.it.return(undefined);
    expect(state.stopped).toBe(true);
    expect(h.cancelled).toEqual(h.calls.slice(2)); // the two never completed
  });

  it("every item once, in its batch at its index, to the end of the source", async () => {
    const { source } = counted(10);
    const h = harness(source, { batchSize: 4, maxInFlight: 3 });
    const seen: BatchOutput[] = [];
    const consume = (async () => {
      for await (const b of h.it) seen.push(b);
    })();
    for (let i = 0; i < 3; i++) {
      await tick();
      h.complete(i);
    }
    await consume;
    expect(seen.map((b) => [b.batch, b.first])).toEqual([
      [0, 0],
      [1, 4],
      [2, 8],
    ]);
    expect(seen.flatMap((b) => b.out as number[])).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
  });

  it("ordered: yields in source order, a batch done early waiting its turn", async () => {
    const { source } = counted(6);
    const h = harness(source, { batchSize: 2, maxInFlight: 3, ordered: true });
    const out: number[] = [];
    const consume = (async () => {
      for await (const b of h.it) out.push(b.batch);
    })();
    await tick();
    h.complete(2);
    h.complete(1);
    await tick();
    expect(out).toEqual([]);
    h.complete(0);
    await consume;
    expect(out).toEqual([0, 1, 2]);
  });

  it("the source throwing is a SourceError naming the item it failed at; calls cancelled, source not read again", async () => {
    const { source, state } = counted(100, 5);
    const h = harness(source, { batchSize: 2, maxInFlight: 4 });
    const err = await h.it.next().catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ kernel: "double", item: 5 });
    expect(err.message).toBe('kernel "double": the input source failed at item 5: disk on fire');
    expect((err.cause as Error).message).toBe("disk on fire");
    expect(h.cancelled).toEqual(h.calls); // both full batches read before it
    expect(state.read).toBe(5);
  });

  it("a batch's failure ends the run with that error; the other calls are cancelled and the source stopped", async () => {
    const { source, state } = counted(100);
    const h = harness(source, { batchSize: 2, maxInFlight: 2 });
    const next = h.it.next();
    await tick();
    h.calls[1]!.fail(new KernelError("double", "boom", 1, 3));
    await expect(next).rejects.toMatchObject({ name: "KernelError", item: 3 });
    expect(h.cancelled).toEqual([h.calls[0]]);
    expect(state.stopped).toBe(true);
  });

  it("the signal aborts it: AbortError with the reason, calls cancelled; an aborted signal refuses to start", async () => {
    const { source, state } = counted(100);
    const ctl = new AbortController();
    const h = harness(source, { batchSize: 5, maxInFlight: 2, signal: ctl.signal });
    const next = h.it.next();
    await tick();
    ctl.abort("user");
    await expect(next).rejects.toMatchObject({ name: "AbortError", reason: "user" });
    expect(h.cancelled).toHaveLength(2);
    expect(state.stopped).toBe(true);
    const late = harness(counted(1).source, { batchSize: 1, maxInFlight: 1, signal: ctl.signal });
    await expect(late.it.next()).rejects.toBeInstanceOf(AbortError);
  });

  it("a ReadableStream is read through its reader (one batch per value with no batchSize) and cancelled on an early exit", async () => {
    let cancelledWith: unknown;
    let pulled = 0;
    const stream = new ReadableStream<number[]>(
      {
        pull(c) {
          c.enqueue([pulled++, 0]);
        },
        cancel(reason) {
          cancelledWith = reason;
        },
      },
      { highWaterMark: 0 },
    );
    const h = harness(stream, { maxInFlight: 2 });
    const first = h.it.next();
    await tick();
    expect(h.calls.map((c) => c.total)).toEqual([2, 2]);
    h.complete(0);
    expect(((await first).value as BatchOutput).out).toEqual([0, 2]);
    await h.it.return(undefined);
    await tick();
    expect(cancelledWith).toBeInstanceOf(PmapError);
    expect(h.cancelled).toEqual(h.calls.slice(1));
  });
});
