// The dispatcher (ts/pool/dispatch.ts) beyond dispatch.test.ts: its counters and change
// notifications, worker names, the start-failure back-off schedule, responses that are not
// response frames, chunks that cannot be encoded, and the executor's requests. Found
// unpinned by the mutation run (npm run mutants).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink, SettledSink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { MAX_START_FAILURES, RESPAWN_BACKOFF_MS } from "../../ts/pool/start-policy.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import type { WorkerRef } from "../../ts/pool/worker-slot.js";
import { DecodeError, KernelError, PmapError, PoolStartError, PoolTerminatedError } from "../../ts/protocol/errors.js";
import type { ExecutorRequest } from "../../ts/protocol/messages.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { DOUBLE, Fleet, SCALE, type Script, track } from "./fake-worker.js";

function setup(script: Script = {}, depth = 2) {
  const fleet = new Fleet(script);
  /** The transfer list of every run message, in posting order. */
  const transfers: Array<Transferable[] | undefined> = [];
  const spawn: typeof fleet.spawn = (name, events) => {
    const w = fleet.spawn(name, events);
    const post = w.post;
    w.post = (m, t) => {
      if (m.type === "run") transfers.push(t);
      post(m, t);
    };
    return w;
  };
  const changes = { n: 0 };
  const requests: Array<[ExecutorRequest, WorkerRef]> = [];
  const dispatch = new Dispatcher({
    spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "t",
    depth,
    changed: () => changes.n++,
    request: (msg, from) => requests.push([msg, from]),
  });
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue: Infinity, nextId: () => `pool:${++seq}` };
  const map = (items: unknown[], opts: CallOptions = {}) =>
    startCall(target, DOUBLE, Codec.map, items, opts, new ArraySink(items.length));
  const mapSettled = (items: unknown[], opts: CallOptions = {}) =>
    startCall(target, DOUBLE, Codec.map, items, opts, new SettledSink(items.length));
  const raw = (payloads: Uint8Array[]) =>
    startCall(target, DOUBLE, Codec.job, payloads, {}, new ArraySink(payloads.length));
  const scaled = (items: unknown[], opts: CallOptions = {}) =>
    startCall(target, SCALE, Codec.map, items, { context: 3, ...opts }, new SettledSink(items.length));
  return { fleet, dispatch, map, mapSettled, raw, scaled, changes, requests, transfers };
}
const flush = () => vi.advanceTimersByTimeAsync(0);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Dispatcher counters", () => {
  it("names workers <name>-<slot>, and a replacement takes its slot's name", async () => {
    const t = setup({ run: (j) => (j.worker.seq === 1 ? { crash: "gone" } : { outputs: [0] }) });
    await t.dispatch.grow(2);
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["t-0", "t-1"]);
    t.map([1, 2], { chunkSize: 1 });
    await flush();
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["t-0", "t-1", "t-1"]);
    t.dispatch.close(new PoolTerminatedError());
  });

  it("grow(n) adds workers up to n (never removes), resolving with their kernels", async () => {
    const t = setup();
    expect(t.dispatch.size).toBe(0);
    expect(await t.dispatch.grow(2)).toEqual(t.fleet.kernels);
    expect(await t.dispatch.grow(1)).toEqual([]); // nothing to add: nothing new to report
    expect(t.dispatch.size).toBe(2);
    expect(t.fleet.workers).toHaveLength(2);
  });

  it("stats: idle counts ready workers with nothing in flight; memory sums each worker's last report", async () => {
    const t = setup({ run: (j) => (j.req.call === "pool:1" && j.req.chunk === 0 ? "hang" : { outputs: [0] }) }, 1);
    const grown = t.dispatch.grow(3);
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, idle: 0, wasmMemoryBytes: 0 }); // starting
    await grown;
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, idle: 3 });
    t.map([1, 2, 3], { chunkSize: 1 });
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ idle: 2, inflight: 1, wasmMemoryBytes: 2 * 65536 });
    t.map([4]);
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ idle: 2, wasmMemoryBytes: 2 * 65536 }); // a worker's last report
    t.dispatch.close(new PoolTerminatedError());
    expect(t.dispatch.stats()).toMatchObject({ workers: 0, idle: 0, inflight: 0, wasmMemoryBytes: 0 });
  });

  it("a replaced worker's memory no longer counts", async () => {
    const t = setup({ run: (j) => (j.req.call === "pool:2" ? "hang" : { outputs: [0] }) }, 1);
    await t.dispatch.grow(1);
    t.map([1]);
    await flush();
    expect(t.dispatch.stats().wasmMemoryBytes).toBe(65536);
    const hung = t.map([2], { timeoutMs: 10 });
    hung.promise.catch(() => {});
    await vi.advanceTimersByTimeAsync(10);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, wasmMemoryBytes: 0 });
  });

  it("calls changed() when workers start, chunks are posted and answered, and calls end", async () => {
    const t = setup();
    const grown = t.dispatch.grow(1);
    expect(t.changes.n).toBeGreaterThan(0); // the new worker counts at once
    await grown;
    let before = t.changes.n;
    const call = t.map([1]);
    expect(t.changes.n).toBeGreaterThan(before); // posted
    before = t.changes.n;
    await flush();
    expect(await call.promise).toEqual([2]);
    expect(t.changes.n).toBeGreaterThan(before); // answered, ended
    before = t.changes.n;
    t.dispatch.close(new PoolTerminatedError());
    expect(t.changes.n).toBe(before + 1);
  });

  it("a call submitted to a pool that gave up starting workers is failed and counted at once", async () => {
    const t = setup({ init: () => ({ initError: "gone" }) });
    t.dispatch.grow(1).catch(() => {});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.dispatch.stats().startError).toMatch(/gone/);
    const call = track(t.map([1]).promise);
    await flush();
    expect(call.error).toBeInstanceOf(PoolStartError);
    expect(t.dispatch.stats()).toMatchObject({ failed: 1, queued: 0 });
  });
});

describe("Dispatcher start failures back off", () => {
  it(`replacements wait ${RESPAWN_BACKOFF_MS} ms, then twice as long; the ${MAX_START_FAILURES}rd failure in a row gives up`, async () => {
    expect([MAX_START_FAILURES, RESPAWN_BACKOFF_MS]).toEqual([3, 100]);
    const t = setup({ init: (w) => (w.seq === 0 ? { ready: [DOUBLE] } : { initError: "module gone" }) });
    await t.dispatch.grow(1);
    const call = track(t.map([1], { timeoutMs: 5 }).promise); // times out, so its worker is replaced
    t.fleet.script.run = () => "hang";
    await vi.advanceTimersByTimeAsync(5);
    expect(t.fleet.workers).toHaveLength(2); // the replacement: at once
    await vi.advanceTimersByTimeAsync(99);
    expect(t.fleet.workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.fleet.workers).toHaveLength(3); // after 100 ms
    await vi.advanceTimersByTimeAsync(199);
    expect(t.fleet.workers).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.fleet.workers).toHaveLength(4); // after 200 more
    await vi.advanceTimersByTimeAsync(0);
    expect(t.dispatch.stats()).toMatchObject({ startFailures: 3, workers: 0 });
    expect(t.dispatch.stats().startError).toBe(
      "the pool stopped starting workers after 3 failed starts in a row; the last: worker 0 could not load the kernel module: module gone",
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fleet.workers).toHaveLength(4); // given up: no more
    expect(call.state).toBe("rejected");
  });
});

describe("Dispatcher and bad answers", () => {
  it("bytes that are not a response frame fail the chunk: a PmapError naming the kernel", async () => {
    const t = setup({
      run: (j) =>
        j.req.chunk === 0
          ? { frame: Uint8Array.of(0xff, 0x00) }
          : { frame: encodeValue([1, j.req.call, j.req.chunk, 7, new Uint8Array(0)]) },
    });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2], { chunkSize: 1 });
    await vi.runAllTimersAsync();
    const [a, b] = (await call.promise) as Array<{ ok: false; error: Error }>;
    expect(a!.error.constructor).toBe(PmapError);
    expect(a!.error.message).toMatch(/^kernel "double": bad response: /);
    expect(b!.error.message).toBe('kernel "double": bad response: bad response status 7');
  });

  it("a chunk that cannot be encoded fails its item without taking a worker; the other chunks run", async () => {
    const t = setup({}, 2);
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, () => 0, 3], { chunkSize: 1 });
    await vi.runAllTimersAsync();
    const out = (await call.promise) as Array<{ ok: boolean; value?: number; error?: Error }>;
    expect(out[0]).toEqual({ ok: true, value: 2 });
    expect(out[1]!.error).toBeInstanceOf(DecodeError);
    expect((out[1]!.error as DecodeError).item).toBe(1);
    expect(out[2]).toEqual({ ok: true, value: 6 });
    expect(t.fleet.posted.map((j) => j.req.chunk)).toEqual([0, 2]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, inflight: 0 });
  });

  it("a trap fails its chunk with a KernelError carrying the worker's message; a recovered worker runs the next", async () => {
    const t = setup({
      run: (j) => (j.req.chunk === 0 ? { trap: "unreachable", recovered: true } : { outputs: [7] }),
    });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2], { chunkSize: 1 });
    await vi.runAllTimersAsync();
    const [a, b] = (await call.promise) as Array<{ ok: boolean; error?: KernelError; value?: number }>;
    expect(a!.error).toBeInstanceOf(KernelError);
    expect(a!.error!.message).toBe('kernel "double": unreachable');
    expect(a!.error!.panicked).toBe(true);
    expect(a!.error!.chunk).toBe(0);
    expect(b).toEqual({ ok: true, value: 7 });
    expect(t.fleet.workers).toHaveLength(1);
  });
});

describe("Dispatcher and the executor's requests", () => {
  it("pipe and pipe-taken messages go to the request handler with the slot that sent them", async () => {
    const t = setup();
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

describe("Dispatcher: what goes to workers, and when", () => {
  it("a chunk's frame is transferred to its worker, not copied", async () => {
    const t = setup();
    await t.dispatch.grow(1);
    t.map([1]);
    expect(t.transfers).toHaveLength(1);
    expect(t.transfers[0]).toHaveLength(1);
    expect(t.transfers[0]![0]).toBeInstanceOf(ArrayBuffer);
    expect(t.fleet.posted[0]!.items).toEqual([1]);
  });

  it("once a map call failed, its queued chunks are never sent", async () => {
    const t = setup(
      {
        run: (j) =>
          j.req.chunk === 0 ? { failure: { kind: "kernel", kernel: "double", message: "no" } } : { outputs: [0] },
      },
      1,
    );
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3], { chunkSize: 1 });
    call.promise.catch(() => {});
    await vi.runAllTimersAsync();
    expect(t.fleet.posted.map((j) => j.req.chunk)).toEqual([0]);
  });

  it("a failure frame is not retried: the chunk ran once (a context call's too, unless the context was missing)", async () => {
    const fail = { failure: { kind: "kernel" as const, kernel: "k", message: "no" } };
    const t = setup({ run: () => fail });
    await t.dispatch.grow(1);
    const plain = t.mapSettled([1]);
    const ctx = t.scaled([1]);
    await vi.runAllTimersAsync();
    await plain.promise;
    await ctx.promise;
    expect(t.fleet.posted.map((j) => j.req.call)).toEqual([plain.id, ctx.id]);
  });

  it("a call of ready-made payloads gets each chunk's body as bytes, undecoded", async () => {
    const t = setup();
    await t.dispatch.grow(1);
    const call = t.raw([encodeValue([1, 2]), encodeValue([5])]);
    await vi.runAllTimersAsync();
    const bodies = (await call.promise) as Uint8Array[];
    expect(bodies.map((b) => decodeValue(b))).toEqual([[2, 4], [10]]);
  });

  it("a chunk answered in time leaves no timer behind", async () => {
    const t = setup();
    await t.dispatch.grow(1);
    const call = t.map([1, 2], { chunkSize: 1, timeoutMs: 1_000 });
    await flush();
    expect(await call.promise).toEqual([2, 4]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("aborting a call replaces a worker running its chunk even when another call's chunk waits behind it", async () => {
    const t = setup({ run: (j) => (j.req.call === "pool:1" ? "hang" : { outputs: [7] }) }, 2);
    await t.dispatch.grow(1);
    const aborted = t.map([1]);
    aborted.promise.catch(() => {});
    const behind = t.map([2]);
    expect(t.fleet.workers[0]!.posted).toHaveLength(2);
    t.dispatch.cancel(aborted, new PmapError("stop"));
    await vi.runAllTimersAsync();
    expect(t.fleet.workers[0]!.terminated).toBe(true);
    expect(await behind.promise).toEqual([7]);
    expect(t.fleet.workers[1]!.posted.map((j) => j.req.call)).toEqual([behind.id]);
  });

  it("chunks waiting behind a replaced worker go back to the queue in their order", async () => {
    const t = setup({ run: (j) => (j.worker.seq === 0 && j.req.chunk === 0 ? "hang" : { outputs: [0] }) }, 3);
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2, 3], { chunkSize: 1, timeoutMs: 50 });
    await vi.advanceTimersByTimeAsync(50);
    await vi.runAllTimersAsync();
    await call.promise;
    expect(t.fleet.workers[1]!.posted.map((j) => j.req.chunk)).toEqual([1, 2]);
  });
});
