// How the dispatcher hands chunks to workers (docs/architecture.md, "One item's journey",
// steps 2-3): in input order whatever the completion order, breadth first, at most `depth` in
// flight per worker, a call's `concurrency`; how a call's options shape its chunks; what goes
// to a worker (the frame, transferred) and what comes back (the executor's requests).
// A real Dispatcher over scripted fake workers (dispatch-harness.ts).
import { describe, expect, it, vi } from "vitest";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import type { ExecutorRequest } from "../../ts/protocol/messages.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { doubled, harness, range, started } from "./dispatch-harness.js";
import { DOUBLE, Fleet, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("order, breadth-first spread, depth, concurrency", () => {
  it("returns every item in input order across many chunks and several workers", async () => {
    // Chunks take different times, so they complete out of order.
    const { fleet, dispatch, map } = harness({
      run: (j) => ({ outputs: doubled(j.items as number[]), ms: (j.req.chunk * 37) % 11 }),
    });
    await dispatch.grow(3);
    const finished: number[] = [];
    const items = range(100);
    const call = map(items, { chunkSize: 7, onProgress: (p) => finished.push(p.chunk) });
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual(doubled(items));
    expect(finished).toHaveLength(15);
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b)); // really out of order
    expect(new Set(fleet.started.map((j) => j.worker.seq))).toEqual(new Set([0, 1, 2]));
    expect(dispatch.stats()).toMatchObject({ completed: 1, failed: 0, respawned: 0, queued: 0, inflight: 0, idle: 3 });
  });

  it("spreads chunks breadth first (one per worker before any gets two), at most `depth` in flight per worker", async () => {
    const { fleet, dispatch, map } = harness({}, { depth: 2 });
    await dispatch.grow(3);
    const most = new Map<number, number>();
    fleet.onPost = (j) => most.set(j.worker.seq, Math.max(most.get(j.worker.seq) ?? 0, j.worker.outstanding.length));
    const items = range(24);
    const call = map(items, { chunkSize: 2 }); // 12 chunks
    // Posted synchronously, before any answer: round one, then round two, then the queue.
    expect(fleet.posted.map((j) => [j.worker.seq, j.req.chunk])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(dispatch.stats()).toMatchObject({ inflight: 6, queued: 6 });
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual(doubled(items));
    expect(fleet.posted).toHaveLength(12);
    expect([...most.values()]).toEqual([2, 2, 2]); // reached depth, never more
  });

  it("a call's `concurrency` caps the workers it occupies at once; other calls use the rest", async () => {
    const { fleet, dispatch, map } = harness({
      run: (j) => ({ outputs: doubled(j.items as number[]), ms: 1 + (j.req.chunk % 3) }),
    });
    await dispatch.grow(4);
    const capped = map(range(40), { chunkSize: 2, concurrency: 2 });
    let most = 0;
    fleet.onPost = () => {
      const busy = new Set(
        fleet.posted.filter((j) => j.req.call === capped.id && !j.answered).map((j) => j.worker.seq),
      );
      most = Math.max(most, busy.size);
    };
    expect(new Set(fleet.posted.map((j) => j.worker.seq))).toEqual(new Set([0, 1]));
    const free = map(range(16), { chunkSize: 2 });
    expect(new Set(fleet.posted.filter((j) => j.req.call === free.id).map((j) => j.worker.seq))).toEqual(
      new Set([2, 3]),
    );
    await vi.runAllTimersAsync();
    expect(await capped.promise).toEqual(doubled(range(40)));
    expect(await free.promise).toEqual(doubled(range(16)));
    expect(most).toBe(2);
  });
});

describe("starting a call", () => {
  it("an empty call is settled at once and queues nothing, even on a full queue", async () => {
    const { dispatch, start } = await started(1, { maxQueue: 0 });
    const call = start([]);
    expect(call.settled).toBe(true);
    expect(await call.promise).toEqual([]);
    expect(dispatch.queued).toBe(0);
  });

  it("concurrency defaults to every worker, and auto chunks count only the workers a call may use", async () => {
    const { start } = await started(4);
    const all = start(range(100));
    expect(all.concurrency).toBe(4);
    expect(all.tasks()).toHaveLength(15); // ceil(100 / 16) = 7 items a chunk
    const one = start(range(100), { concurrency: 1 });
    expect(one.tasks()).toHaveLength(4); // ceil(100 / 4) = 25
    const many = start(range(100), { concurrency: 9 });
    expect(many.tasks()).toHaveLength(15); // capped at the 4 workers there are
  });

  it("passes timeoutMs, onProgress and the codec on to the call", async () => {
    const { start } = await started(1);
    const onProgress = () => {};
    const call = start([Uint8Array.of(0x80), Uint8Array.of(0x80)], { timeoutMs: 50, onProgress }, DOUBLE, Codec.job);
    expect(call.timeoutMs).toBe(50);
    expect(call.codec).toBe(Codec.job);
    expect(call.tasks()).toHaveLength(2); // ready-made payloads: one per chunk
  });
});

describe("what goes to workers, and when", () => {
  it("a chunk's frame is transferred to its worker, not copied", async () => {
    const t = harness();
    await t.dispatch.grow(1);
    t.map([1]);
    expect(t.transfers).toHaveLength(1);
    expect(t.transfers[0]).toHaveLength(1);
    expect(t.transfers[0]![0]).toBeInstanceOf(ArrayBuffer);
    expect(t.fleet.posted[0]!.items).toEqual([1]);
  });

  it("once a map call failed, its queued chunks are never sent", async () => {
    const t = harness(
      {
        run: (j) =>
          j.req.chunk === 0 ? { failure: { kind: "kernel", kernel: "double", message: "no" } } : { outputs: [0] },
      },
      { depth: 1 },
    );
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3], { chunkSize: 1 });
    call.promise.catch(() => {});
    await vi.runAllTimersAsync();
    expect(t.fleet.posted.map((j) => j.req.chunk)).toEqual([0]);
  });

  it("a call of ready-made payloads gets each chunk's body as bytes, undecoded", async () => {
    const t = harness();
    await t.dispatch.grow(1);
    const call = t.raw([encodeValue([1, 2]), encodeValue([5])]);
    await vi.runAllTimersAsync();
    const bodies = (await call.promise) as Uint8Array[];
    expect(bodies.map((b) => decodeValue(b))).toEqual([[2, 4], [10]]);
  });
});

describe("the executor's requests", () => {
  it("pipe and pipe-taken messages go to the request handler with the slot that sent them", async () => {
    const t = harness();
    await t.dispatch.grow(1);
    const pipe: ExecutorRequest = { type: "pipe", id: 1, label: "l", payloads: [] };
    t.fleet.workers[0]!.events.message(pipe);
    t.fleet.workers[0]!.events.message({ type: "pipe-taken", ticket: "x:1" });
    expect(t.requests.map(([m]) => m)).toEqual([pipe, { type: "pipe-taken", ticket: "x:1" }]);
    expect(t.requests[0]![1].dead).toBe(false);
    expect(t.requests[0]![1].current).toBeUndefined();
  });

  it("without a request handler they are ignored", async () => {
    const fleet = new Fleet();
    const dispatch = new Dispatcher({
      spawn: fleet.spawn,
      init: { module: {} as WebAssembly.Module, glue: "fake" },
      name: "t",
      depth: 0, // taken as 1
    });
    await dispatch.grow(1);
    expect(() => fleet.workers[0]!.events.message({ type: "pipe-taken", ticket: "x:1" })).not.toThrow();
    const target: CallTarget = { dispatch, maxQueue: Infinity, nextId: () => "p:1" };
    const call = startCall(target, DOUBLE, Codec.map, range(4), { chunkSize: 1 }, new ArraySink(4));
    expect(fleet.posted).toHaveLength(1); // depth 0 means one in flight
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([0, 2, 4, 6]);
  });
});
