// A pool that breathes (ts/pool/elastic.ts): a real Dispatcher with size limits, driven
// through the worker seam by scripted fake workers (fake-worker.ts) under fake timers. It
// grows on demand up to `max`, releases workers idle past `idleTimeoutMs` down to `min`,
// and `shrink` lets busy workers finish first — never losing or re-running a chunk.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Call } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { Limits } from "../../ts/pool/elastic.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import { DOUBLE, deferred, Fleet, type Script, track } from "./fake-worker.js";

function setup(limits: Partial<Limits>, script: Script = {}) {
  const fleet = new Fleet(script);
  const dispatch = new Dispatcher({
    spawn: fleet.spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "t",
    depth: 2,
    limits: { initial: 1, min: 0, max: 4, idleTimeoutMs: Infinity, ...limits },
  });
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue: Infinity, nextId: () => `pool:${++seq}` };
  const map = (items: number[], opts: CallOptions = {}): Call =>
    startCall(target, DOUBLE, Codec.map, items, opts, new ArraySink(items.length));
  /** Every chunk of `call` ran exactly once. */
  const ranOnce = (call: Call, chunks: number) =>
    expect(range(chunks).map((c) => fleet.runsOf(call.id, c).length)).toEqual(range(chunks).map(() => 1));
  return { fleet, dispatch, map, ranOnce };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const doubled = (xs: number[]) => xs.map((x) => x * 2);
/** Each chunk takes 10 ms of timer time. */
const slow: Script = { run: (j) => ({ outputs: doubled(j.items as number[]), ms: 10 }) };
const flush = () => vi.advanceTimersByTimeAsync(0);
/** Chunks wait for `gate` before they answer. */
const gated = (gate: Promise<void>): Script => ({
  run: async (j) => {
    await gate;
    return { outputs: doubled(j.items as number[]) };
  },
});

vi.setConfig({ testTimeout: 3_000 });
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("grows on demand", () => {
  it("starts workers while chunks wait and none is free, up to maxWorkers and no further", async () => {
    const t = setup({ max: 3 }, slow);
    await t.dispatch.grow(1);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, starting: 0 });
    const call = t.map(range(20), { chunkSize: 1 });
    // One worker busy at depth 2, 18 chunks waiting: two more start at once, not 18.
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, starting: 2 });
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual(doubled(range(20)));
    expect(t.fleet.workers).toHaveLength(3);
    expect(new Set(t.fleet.started.map((j) => j.worker.seq))).toEqual(new Set([0, 1, 2]));
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, idle: 3, starting: 0, released: 0 });
    t.ranOnce(call, 20);
  });

  it("does not grow while a free worker can take the chunks, nor for a call capped by its concurrency", async () => {
    const t = setup({ max: 4 }, slow);
    await t.dispatch.grow(1);
    const one = t.map([1, 2], { chunkSize: 1 }); // two chunks: depth 2 takes both
    await vi.runAllTimersAsync();
    expect(await one.promise).toEqual([2, 4]);
    const capped = t.map(range(10), { chunkSize: 1, concurrency: 1 });
    expect(t.dispatch.stats()).toMatchObject({ queued: 8, workers: 1 }); // its one worker is busy
    await vi.runAllTimersAsync();
    expect(await capped.promise).toEqual(doubled(range(10)));
    expect(t.fleet.workers).toHaveLength(1);
  });

  it("a worker still starting counts as taken: a burst of calls starts one worker per waiting chunk, not more", async () => {
    const t = setup({ max: 8 }, slow);
    await t.dispatch.grow(1);
    const a = t.map(range(3), { chunkSize: 1 }); // 2 on worker 0, 1 waits: one worker starts
    expect(t.dispatch.stats()).toMatchObject({ workers: 2, starting: 1 });
    const b = t.map([7], { chunkSize: 1 }); // 2 wait now, 1 worker already starting for them
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, starting: 2 });
    await vi.runAllTimersAsync();
    expect([await a.promise, await b.promise]).toEqual([[0, 2, 4], [14]]);
    expect(t.fleet.workers).toHaveLength(3);
  });

  it("grow(n) raises the ceiling: the pool then grows on demand to n", async () => {
    const t = setup({ max: 1 }, slow);
    await t.dispatch.grow(1);
    await t.dispatch.grow(3);
    expect(t.dispatch.size).toBe(3);
    expect(t.fleet.workers).toHaveLength(3);
  });
});

describe("releases idle workers", () => {
  it("a worker idle past idleTimeoutMs is released (terminated, its memory out of the stats), down to minWorkers", async () => {
    const t = setup({ min: 1, max: 3, idleTimeoutMs: 1000 }, slow);
    await t.dispatch.grow(1);
    const call = t.map(range(12), { chunkSize: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await call.promise).toEqual(doubled(range(12)));
    const busy = t.dispatch.stats();
    expect(busy).toMatchObject({ workers: 3, idle: 3, released: 0, wasmMemoryBytes: 3 * 65536 });
    await vi.advanceTimersByTimeAsync(800); // the last chunk ended < 100 ms ago: not yet
    expect(t.dispatch.stats().workers).toBe(3);
    await vi.advanceTimersByTimeAsync(300);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, idle: 1, released: 2, wasmMemoryBytes: 65536 });
    expect(t.fleet.terminated).toHaveLength(2);
    // The last one stays (minWorkers), however long it idles; no clock keeps ticking for it.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 2 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("work restarts a worker's idle clock", async () => {
    const t = setup({ min: 0, max: 1, idleTimeoutMs: 1000 });
    await t.dispatch.grow(1);
    await vi.advanceTimersByTimeAsync(900);
    await t.map([1]).promise;
    await vi.advanceTimersByTimeAsync(900); // 1800 ms since it started, 900 since it worked
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(t.dispatch.stats()).toMatchObject({ workers: 0, released: 1, wasmMemoryBytes: 0 });
  });

  it("an idleTimeoutMs past setTimeout's range (2^31 − 1 ms) does not release at once", async () => {
    const t = setup({ min: 0, max: 1, idleTimeoutMs: 2 ** 40 });
    await t.dispatch.grow(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 0 });
  });

  it("a released slot is filled first by the next worker: slot indices stay below maxWorkers", async () => {
    const t = setup({ min: 0, max: 2, idleTimeoutMs: 1000 }, slow);
    for (let round = 0; round < 3; round++) {
      const call = t.map(range(8), { chunkSize: 1 });
      await vi.advanceTimersByTimeAsync(2000); // runs, then idles out
      expect(await call.promise).toEqual(doubled(range(8)));
      expect(t.dispatch.stats()).toMatchObject({ workers: 0, released: 2 * (round + 1) });
    }
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["t-0", "t-1", "t-0", "t-1", "t-0", "t-1"]);
  });
});

describe("a call arriving as a worker is released", () => {
  it("released in the same tick, just before the call: the call grows the pool again and completes", async () => {
    const t = setup({ min: 0, max: 2, idleTimeoutMs: 1000 });
    await t.dispatch.grow(1); // its idle clock starts now (ready, nothing to do)
    let call!: Call;
    setTimeout(() => {
      call = t.map(range(4), { chunkSize: 1 });
    }, 1000); // due at the same moment, after the idle clock
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.fleet.workers[0]!.terminated).toBe(true);
    expect(t.fleet.workers[0]!.posted).toHaveLength(0); // released before anything was posted to it
    await vi.advanceTimersByTimeAsync(10);
    expect(await call.promise).toEqual(doubled(range(4)));
    t.ranOnce(call, 4);
    expect(t.dispatch.stats()).toMatchObject({ released: 1, workers: 2, failed: 0 });
  });

  it("the call first, in the same tick: the worker takes it, and is not released under it", async () => {
    const t = setup({ min: 0, max: 1, idleTimeoutMs: 1000 });
    let call!: Call;
    setTimeout(() => {
      call = t.map(range(4), { chunkSize: 1 });
    }, 1000); // due before the idle clock, which starts when the worker is ready
    await t.dispatch.grow(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await call.promise).toEqual(doubled(range(4)));
    t.ranOnce(call, 4);
    expect(t.dispatch.stats()).toMatchObject({ released: 0, workers: 1 });
    expect(t.fleet.workers).toHaveLength(1);
  });
});

describe("shrink(n)", () => {
  it("busy workers finish their chunks in flight, take no more, then go: no chunk lost or re-run", async () => {
    const gate = deferred<void>();
    const t = setup({ min: 1, max: 3 }, gated(gate.promise));
    await t.dispatch.grow(3);
    const call = t.map(range(12), { chunkSize: 1 });
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ inflight: 6, queued: 6 });
    const shrunk = track(t.dispatch.shrink(1));
    await flush();
    // All three are busy: none is terminated under its chunks; two are leaving.
    expect(shrunk.state).toBe("pending");
    expect(t.fleet.terminated).toHaveLength(0);
    expect(t.dispatch.size).toBe(1);
    gate.resolve();
    await vi.runAllTimersAsync();
    expect(shrunk.state).toBe("resolved");
    expect(await call.promise).toEqual(doubled(range(12)));
    t.ranOnce(call, 12);
    expect(t.fleet.terminated).toHaveLength(2);
    // The leaving ones got nothing after the shrink: the 6 queued chunks ran on the one kept.
    const kept = t.fleet.live[0]!;
    expect(kept.posted).toHaveLength(2 + 6);
    for (const w of t.fleet.terminated) expect(w.posted).toHaveLength(2);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 2, respawned: 0, inflight: 0, queued: 0 });
  });

  it("idle workers go at once, then starting ones, busy ones last; grow() waiting on a released start resolves", async () => {
    const t = setup({ max: 4 }, { init: (w) => (w.seq === 3 ? "silent" : { ready: [DOUBLE] }), run: () => "hang" });
    await t.dispatch.grow(3);
    t.map([1], { chunkSize: 1 }); // worker 0 busy
    const growing = track(t.dispatch.grow(4)); // worker 3 never gets ready
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ workers: 4, idle: 2, starting: 1 });
    const gone = () => t.fleet.terminated.map((w) => w.seq);
    void t.dispatch.shrink(2);
    expect(gone()).toEqual([1, 2]); // the idle ones
    void t.dispatch.shrink(1);
    expect(gone()).toEqual([1, 2, 3]); // the starting one before the busy one
    await flush();
    expect(growing.state).toBe("resolved");
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 3, starting: 0 });
  });

  it("lowers the ceiling: the pool grows on demand to n at most, until grow() raises it", async () => {
    const t = setup({ min: 0, max: 4 }, slow);
    await t.dispatch.grow(1);
    await t.dispatch.shrink(2);
    const call = t.map(range(20), { chunkSize: 1 });
    expect(t.dispatch.stats().workers).toBe(2);
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual(doubled(range(20)));
    expect(t.fleet.workers).toHaveLength(2);
  });

  it("a leaving worker that crashes is not replaced; its chunk runs again elsewhere (the crash's retry)", async () => {
    const gate = deferred<void>();
    const t = setup(
      { min: 0, max: 2 },
      {
        run: async (j) => {
          await gate.promise;
          return j.worker.seq === 1 ? { crash: "boom" } : { outputs: doubled(j.items as number[]) };
        },
      },
    );
    await t.dispatch.grow(2);
    const call = t.map(range(2), { chunkSize: 1 });
    void t.dispatch.shrink(1); // worker 1 (the higher slot) leaves
    gate.resolve();
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([0, 2]);
    expect(t.fleet.workers).toHaveLength(2);
    expect(t.fleet.runsOf(call.id, 1).map((j) => j.worker.seq)).toEqual([1, 0]);
    expect(t.dispatch.stats()).toMatchObject({ workers: 1, released: 1, respawned: 0 });
  });

  it("grow() after shrink() takes the leaving workers back before starting new ones", async () => {
    const gate = deferred<void>();
    const t = setup({ max: 3 }, gated(gate.promise));
    await t.dispatch.grow(3);
    const call = t.map(range(3), { chunkSize: 1 });
    const shrunk = track(t.dispatch.shrink(1));
    await t.dispatch.grow(3);
    await flush();
    expect(shrunk.state).toBe("resolved"); // nobody is leaving any more
    gate.resolve();
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([0, 2, 4]);
    expect(t.fleet.workers).toHaveLength(3);
    expect(t.dispatch.stats()).toMatchObject({ workers: 3, released: 0 });
  });
});
