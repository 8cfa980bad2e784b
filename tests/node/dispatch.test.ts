// The dispatcher's scheduling and failure logic (docs/architecture.md, "Failure semantics"):
// a real Dispatcher and real Calls (startCall), driven through the worker seam by scripted
// fake workers (fake-worker.ts). The browser tests remain the end-to-end proof.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Call } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink, type Settled, SettledSink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { MAX_RESPAWN_BACKOFF_MS, MAX_START_FAILURES, RESPAWN_BACKOFF_MS } from "../../ts/pool/start-policy.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import {
  AbortError,
  KernelError,
  PmapError,
  PoolStartError,
  PoolTerminatedError,
  TimeoutError,
  WorkerCrashedError,
} from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import { encodeValue } from "../../ts/protocol/values.js";
import { DOUBLE, deferred, Fleet, type Job, rejection, SCALE, type Script, track } from "./fake-worker.js";

function setup(script: Script = {}, { depth = 2, readyTimeoutMs }: { depth?: number; readyTimeoutMs?: number } = {}) {
  const fleet = new Fleet(script);
  const dispatch = new Dispatcher({
    spawn: fleet.spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "t",
    depth,
    readyTimeoutMs,
  });
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue: Infinity, nextId: () => `pool:${++seq}` };
  const map = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE): Call =>
    startCall(target, kernel, Codec.map, items, opts, new ArraySink(items.length));
  const mapSettled = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE): Call =>
    startCall(target, kernel, Codec.map, items, opts, new SettledSink(items.length));
  return { fleet, dispatch, map, mapSettled };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const doubled = (xs: number[]) => xs.map((x) => x * 2);
/** Lets every queued microtask and due timer run (fake timers). */
const flush = () => vi.advanceTimersByTimeAsync(0);
/** Is this the first time a worker started this chunk? (for scripts like "crash the first time") */
const firstRun = (fleet: Fleet, job: Job) => fleet.runsOf(job.req.call, job.req.chunk).length === 1;

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("1. order, breadth-first spread, depth, concurrency", () => {
  it("returns every item in input order across many chunks and several workers", async () => {
    // Chunks take different times, so they complete out of order.
    const { fleet, dispatch, map } = setup({
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
    const { fleet, dispatch, map } = setup({}, { depth: 2 });
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
    const { fleet, dispatch, map } = setup({
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

describe("2. per-chunk timeout", () => {
  const hangChunk0 = (fleet: () => Fleet): Script => ({
    run: (j) => (j.req.chunk === 0 && firstRun(fleet(), j) ? "hang" : { outputs: doubled(j.items as number[]) }),
  });

  it("a hung chunk rejects with TimeoutError (kernel, chunk, timeoutMs); its worker is terminated and replaced", async () => {
    let fleet!: Fleet;
    const t = setup(hangChunk0(() => fleet));
    fleet = t.fleet;
    await t.dispatch.grow(2);
    const call = t.map(range(8), { chunkSize: 2, timeoutMs: 100 });
    const outcome = track(call.promise);
    await vi.advanceTimersByTimeAsync(99);
    expect(outcome.state).toBe("pending");
    expect(fleet.workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const err = outcome.error as TimeoutError;
    expect(outcome.state).toBe("rejected");
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ kernel: "double", chunk: 0, timeoutMs: 100 });
    expect(fleet.workers[0]!.terminated).toBe(true);
    expect(fleet.workers[1]!.terminated).toBe(false);
    expect(fleet.workers).toHaveLength(3);
    expect(fleet.workers[2]!.name).toBe("t-0"); // takes the hung worker's slot
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, failed: 1, workers: 2, idle: 2 });
  });

  it("mapSettled: the timed-out chunk's items fail (timedOut), the chunks queued behind it re-run elsewhere, the rest is intact", async () => {
    let fleet!: Fleet;
    const t = setup(hangChunk0(() => fleet));
    fleet = t.fleet;
    await t.dispatch.grow(2);
    const items = range(8);
    const call = t.mapSettled(items, { chunkSize: 2, timeoutMs: 100 });
    // w0: chunks 0 (hangs) and 2 (waits behind it); w1: chunks 1 and 3.
    expect(fleet.posted.map((j) => [j.worker.seq, j.req.chunk])).toEqual([
      [0, 0],
      [1, 1],
      [0, 2],
      [1, 3],
    ]);
    await vi.advanceTimersByTimeAsync(100);
    const out = (await call.promise) as Settled<number>[];
    expect(out.slice(0, 2)).toEqual([
      { ok: false, timedOut: true, error: expect.any(TimeoutError) },
      { ok: false, timedOut: true, error: expect.any(TimeoutError) },
    ]);
    expect((out[0] as { error: PmapError }).error).toMatchObject({ kernel: "double", chunk: 0, timeoutMs: 100 });
    expect(out.slice(2)).toEqual(doubled(items.slice(2)).map((value) => ({ ok: true, value })));
    const chunk2 = fleet.runsOf(call.id, 2);
    expect(chunk2).toHaveLength(1); // never started on the hung worker, ran once elsewhere
    expect(chunk2[0]!.worker).not.toBe(fleet.workers[0]);
    expect(fleet.workers[0]!.posted.map((j) => [j.req.chunk, j.started])).toEqual([
      [0, true],
      [2, false],
    ]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, completed: 1, failed: 0 });
  });

  it("the clock starts when a chunk starts running: a chunk queued behind a slow one does not time out while waiting", async () => {
    const t = setup({ run: (j) => ({ outputs: doubled(j.items as number[]), ms: 80 }) }, { depth: 2 });
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3], { chunkSize: 1, timeoutMs: 100 });
    expect(t.fleet.posted).toHaveLength(2); // chunk 1 posted at t=0, starts at t=80, ends at t=160
    await vi.advanceTimersByTimeAsync(300);
    expect(await call.promise).toEqual([2, 4, 6]);
    expect(t.fleet.workers).toHaveLength(1);
    expect(t.fleet.terminated).toHaveLength(0);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, completed: 1 });
  });

  it("a chunk behind a slow one times out `timeoutMs` after it started, not after it was posted", async () => {
    const t = setup({ run: (j) => (j.req.chunk === 0 ? { outputs: [2], ms: 80 } : "hang") }, { depth: 2 });
    await t.dispatch.grow(1);
    const outcome = track(t.map([1, 2], { chunkSize: 1, timeoutMs: 100 }).promise);
    await vi.advanceTimersByTimeAsync(179); // chunk 1 started at t=80
    expect(outcome.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome.state).toBe("rejected");
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).toMatchObject({ chunk: 1, timeoutMs: 100 });
    expect(t.fleet.workers[0]!.terminated).toBe(true);
  });
});

describe("3. crash retry", () => {
  it("a chunk whose worker crashes is retried once, on a fresh worker", async () => {
    let fleet!: Fleet;
    const t = setup({
      run: (j) =>
        j.req.chunk === 0 && firstRun(fleet, j)
          ? { crash: "out of memory" }
          : { outputs: doubled(j.items as number[]) },
    });
    fleet = t.fleet;
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([2, 4, 6, 8]);
    expect(fleet.runsOf(call.id, 0).map((j) => j.worker.seq)).toEqual([0, 1]);
    expect(fleet.workers[0]!.terminated).toBe(true);
    expect(fleet.workers).toHaveLength(2);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, completed: 1, failed: 0, workers: 1 });
  });

  it("a second crash of the same chunk fails the call with WorkerCrashedError", async () => {
    const t = setup({
      run: (j) => (j.req.chunk === 0 ? { crash: "out of memory" } : { outputs: doubled(j.items as number[]) }),
    });
    await t.dispatch.grow(2);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    const err = await rejection(call.promise);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.message).toContain("chunk 0 crashed its worker twice");
    expect(err.message).toContain("out of memory");
    expect(t.fleet.runsOf(call.id, 0)).toHaveLength(2); // no third try
    expect(t.fleet.workers).toHaveLength(4);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 2, failed: 1, workers: 2 });
  });

  it("chunks only waiting behind a crashed chunk are re-queued without counting as crashes", async () => {
    // Chunk 0 crashes worker 0 on its first run, chunk 1 waiting behind it. Chunk 1 then
    // crashes on its own first run: that must be its first crash (it gets a retry).
    let fleet!: Fleet;
    const t = setup(
      {
        run: (j) => (firstRun(fleet, j) ? { crash: `boom ${j.req.chunk}` } : { outputs: doubled(j.items as number[]) }),
      },
      { depth: 2 },
    );
    fleet = t.fleet;
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    expect(fleet.workers[0]!.posted.map((j) => j.req.chunk)).toEqual([0, 1]);
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([2, 4, 6, 8]);
    expect(fleet.workers[0]!.posted.map((j) => [j.req.chunk, j.started])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(fleet.runsOf(call.id, 1).map((j) => j.worker.seq)).toEqual([1, 2]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 2, completed: 1, failed: 0 });
  });
});

describe("4. abort", () => {
  it("cancel drops the call's queued chunks at once, replaces only the workers running its chunks, and a concurrent call completes", async () => {
    const gate = deferred<void>();
    let aborted!: Call;
    const t = setup({
      run: (j) =>
        j.req.call === aborted.id ? "hang" : gate.promise.then(() => ({ outputs: doubled(j.items as number[]) })),
    });
    await t.dispatch.grow(3);
    aborted = t.map(range(6), { chunkSize: 1, concurrency: 2 }); // w0: 0, 2; w1: 1, 3; queued: 4, 5
    const other = t.map(range(8), { chunkSize: 1 }); // w2: 0, 1; queued: 2..7
    expect(t.dispatch.stats()).toMatchObject({ queued: 8, inflight: 6 });
    const postedBefore = t.fleet.posted.filter((j) => j.req.call === aborted.id).length;

    const err = new AbortError("stop", "user");
    t.dispatch.cancel(aborted, err);
    expect(t.dispatch.stats()).toMatchObject({ queued: 6, respawned: 2 }); // only `other`'s left
    expect(t.fleet.workers.map((w) => w.terminated)).toEqual([true, true, false, false, false]);
    expect(t.fleet.workers.slice(3).map((w) => w.name)).toEqual(["t-0", "t-1"]);
    await expect(aborted.promise).rejects.toBe(err);

    gate.resolve();
    await vi.runAllTimersAsync();
    expect(await other.promise).toEqual(doubled(range(8)));
    expect(t.fleet.posted.filter((j) => j.req.call === aborted.id)).toHaveLength(postedBefore);
    expect(new Set(t.fleet.posted.filter((j) => j.req.call === other.id).map((j) => j.worker.seq))).toEqual(
      new Set([2, 3, 4]),
    );
    expect(t.dispatch.stats()).toMatchObject({
      completed: 1,
      failed: 1,
      respawned: 2,
      workers: 3,
      queued: 0,
      inflight: 0,
    });
  });
});

describe("5. kernel panic (trap)", () => {
  it("a trap with recovered:false fails the chunk with a panicked KernelError and replaces the worker", async () => {
    const t = setup({
      run: (j) =>
        j.items.includes(3)
          ? { trap: "panicked: index out of bounds", recovered: false }
          : { outputs: doubled(j.items as number[]) },
    });
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    const err = await rejection(call.promise);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ kernel: "double", chunk: 1, panicked: true });
    expect(err.message).toContain("index out of bounds");
    expect(t.fleet.workers.map((w) => w.terminated)).toEqual([true, false]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, failed: 1, workers: 1 });
    const next = t.map([5]);
    await vi.runAllTimersAsync();
    expect(await next.promise).toEqual([10]);
    expect(t.fleet.runsOf(next.id, 0)[0]!.worker.seq).toBe(1);
  });

  it("a trap with recovered:true keeps the worker", async () => {
    const t = setup({
      run: (j) =>
        j.items.includes(3)
          ? { trap: "panicked: index out of bounds", recovered: true }
          : { outputs: doubled(j.items as number[]) },
    });
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    expect(await rejection(call.promise)).toMatchObject({ name: "KernelError", chunk: 1, panicked: true });
    expect(t.fleet.workers).toHaveLength(1);
    expect(t.fleet.terminated).toHaveLength(0);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, failed: 1, workers: 1 });
    const next = t.map([5]);
    await vi.runAllTimersAsync();
    expect(await next.promise).toEqual([10]);
    expect(t.fleet.runsOf(next.id, 0)[0]!.worker.seq).toBe(0);
  });
});

describe("6. start failures", () => {
  it("init-error: grow() rejects with PoolStartError naming the cause", async () => {
    const t = setup({
      init: (w) => (w.seq === 1 ? { initError: "LinkError: import env.foo missing" } : { ready: [DOUBLE] }),
    });
    const err = await rejection(t.dispatch.grow(2));
    expect(err).toBeInstanceOf(PoolStartError);
    expect(err.message).toContain("worker 1 could not load the kernel module");
    expect(err.message).toContain("LinkError: import env.foo missing");
  });

  it("a worker that never answers init: grow() rejects with PoolStartError after readyTimeoutMs", async () => {
    const t = setup({ init: () => "silent" }, { readyTimeoutMs: 500 });
    const grown = track(t.dispatch.grow(1));
    await vi.advanceTimersByTimeAsync(499);
    expect(grown.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(grown.state).toBe("rejected");
    expect(grown.error).toBeInstanceOf(PoolStartError);
    expect((grown.error as Error).message).toContain("did not start within 500 ms");
  });

  // Issue 9 #2: a worker that missed readyTimeoutMs used to stay in the pool, counted by
  // stats().workers, and a call submitted afterwards waited for it forever.
  it("a worker that misses readyTimeoutMs is terminated, and a later call does not wait for it forever", async () => {
    const t = setup({ init: () => "silent" }, { readyTimeoutMs: 100 });
    const grown = track(t.dispatch.grow(1));
    await vi.advanceTimersByTimeAsync(100);
    expect(grown.state).toBe("rejected");
    expect(t.fleet.workers[0]!.terminated).toBe(true);
    expect(t.dispatch.stats().workers).toBe(0);
    const later = track(t.map([1]).promise);
    await vi.advanceTimersByTimeAsync(60_000); // respawns back off, then the pool gives up
    expect(later.state).toBe("rejected");
    expect(later.error).toBeInstanceOf(PoolStartError);
    t.dispatch.close(new PoolTerminatedError());
  });

  it("a worker script that fails to load (error event): grow() rejects with PoolStartError naming the reason", async () => {
    const t = setup({ init: () => ({ scriptError: "404 worker.js", ms: 1 }) });
    const grown = track(t.dispatch.grow(1));
    await vi.advanceTimersByTimeAsync(1);
    expect(grown.state).toBe("rejected");
    expect(grown.error).toBeInstanceOf(PoolStartError);
    expect((grown.error as Error).message).toContain("worker 0 failed to start: 404 worker.js");
    t.dispatch.close(new PoolTerminatedError());
  });

  // Issue 9 #1, the respawn storm: a replacement whose script fails to load counted as a
  // start failure AND a crash and was replaced at once, forever (11 workers in 10 ms here;
  // 900 in 2 s in Chromium).
  it("a replacement whose script fails to load is respawned a bounded number of times, backing off, then every pending and later call rejects with PoolStartError", async () => {
    const t = setup({
      init: (w) => (w.seq === 0 ? { ready: [DOUBLE] } : { scriptError: "404 entry.js", ms: 1 }),
      run: (j) => (firstRun(t.fleet, j) ? { crash: "killed" } : { outputs: doubled(j.items as number[]) }),
    });
    await t.dispatch.grow(1);
    const pending = track(t.map([1, 2]).promise);
    await vi.advanceTimersByTimeAsync(20);
    // Backing off: not one new worker per error event.
    expect(t.fleet.workers.length).toBeLessThanOrEqual(3);
    expect(pending.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(10_000);
    const spawned = t.fleet.workers.length;
    expect(spawned).toBeLessThanOrEqual(1 + 3); // the first worker, then at most 3 tries
    expect(pending.state).toBe("rejected");
    expect(pending.error).toBeInstanceOf(PoolStartError);
    expect((pending.error as Error).message).toContain("404 entry.js");
    const stats = t.dispatch.stats();
    expect(stats.startError).toContain("404 entry.js");
    expect(stats.startFailures).toBe(spawned - 1);
    expect(stats.workers).toBe(0);
    // Later calls reject at once, and nothing is spawned for them.
    const later = track(t.map([3]).promise);
    await flush();
    expect(later.state).toBe("rejected");
    expect(later.error).toBeInstanceOf(PoolStartError);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.fleet.workers.length).toBe(spawned);
    t.dispatch.close(new PoolTerminatedError());
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a start that succeeds after a failure resets the count: an occasional failure never gives up", async () => {
    // Every other replacement fails to start; the pool keeps going.
    const t = setup({
      init: (w) => (w.seq % 2 === 1 ? { initError: "flaky network" } : { ready: [DOUBLE] }),
      run: (j) => (firstRun(t.fleet, j) ? { crash: "killed" } : { outputs: doubled(j.items as number[]) }),
    });
    await t.dispatch.grow(1);
    for (let i = 0; i < 4; i++) {
      const call = track(t.map([i]).promise);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(call.state).toBe("resolved");
      expect(call.value).toEqual([2 * i]);
    }
    expect(t.dispatch.stats().startError).toBeUndefined();
    t.dispatch.close(new PoolTerminatedError());
  });

  it("a replacement (after a crash) that keeps reporting init-error fails the pending calls with PoolStartError", async () => {
    const t = setup({
      init: (w) => (w.seq === 0 ? { ready: [DOUBLE] } : { initError: "module gone" }),
      run: (j) => (j.req.chunk === 0 ? { crash: "out of memory" } : { outputs: doubled(j.items as number[]) }),
    });
    await t.dispatch.grow(1);
    const a = t.map([1, 2], { chunkSize: 1 });
    const b = t.mapSettled([3, 4], { chunkSize: 1 });
    await flush();
    expect(t.fleet.workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000); // the replacements back off, then the pool gives up
    const err = await rejection(a.promise);
    expect(err).toBeInstanceOf(PoolStartError);
    expect(err.message).toContain("module gone");
    const settled = (await b.promise) as Settled<number>[];
    expect(settled).toEqual([
      { ok: false, timedOut: false, error: err },
      { ok: false, timedOut: false, error: err },
    ]);
    expect(t.fleet.workers).toHaveLength(4);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 3, startFailures: 3, failed: 1, completed: 1 });
  });
});

describe("6b. start failures are counted per slot", () => {
  /** Slot 1's worker crashes on its first chunk; its replacements fail to start while `broken`. */
  function oneSlotBroken() {
    const state = { broken: true };
    const t = setup({
      init: (w) => (w.name === "t-1" && w.seq > 1 && state.broken ? { initError: "module gone" } : { ready: [DOUBLE] }),
      run: (j) =>
        firstRun(t.fleet, j) && j.worker.seq === 1 ? { crash: "killed" } : { outputs: doubled(j.items as number[]) },
    });
    return { t, state };
  }

  it("a slot that keeps failing to start never ends a pool whose other worker runs: calls go on", async () => {
    const { t } = oneSlotBroken();
    await t.dispatch.grow(2);
    expect(await t.map([1, 2], { chunkSize: 1 }).promise).toEqual([2, 4]); // worker 1 crashed on its chunk
    await vi.advanceTimersByTimeAsync(10_000); // slot 1: well past 3 failed starts in a row
    expect(t.dispatch.stats().startFailures).toBeGreaterThanOrEqual(MAX_START_FAILURES);
    const later = track(t.map([3, 4, 5]).promise);
    await vi.advanceTimersByTimeAsync(100);
    expect(later.state).toBe("resolved");
    expect(later.value).toEqual([6, 8, 10]);
    const stats = t.dispatch.stats();
    expect(stats.startError).toContain("module gone"); // what happened is still told
    expect(stats).toMatchObject({ failed: 0 });
    t.dispatch.close(new PoolTerminatedError());
  });

  it("the failing slot backs off on its own, doubling up to MAX_RESPAWN_BACKOFF_MS; once it starts, its back-off starts over", async () => {
    const { t, state } = oneSlotBroken();
    await t.dispatch.grow(2);
    await t.map([1, 2], { chunkSize: 1 }).promise;
    const slot1 = () => t.fleet.workers.filter((w) => w.name === "t-1").length;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    // Retrying slowly, not spawning without end: after the doubling, one try per cap.
    const before = slot1();
    await vi.advanceTimersByTimeAsync(10 * MAX_RESPAWN_BACKOFF_MS);
    expect(slot1() - before).toBeLessThanOrEqual(10);
    expect(slot1() - before).toBeGreaterThanOrEqual(9); // but it does keep trying
    // The script is back: the slot's next try starts, and the pool is whole again.
    state.broken = false;
    await vi.advanceTimersByTimeAsync(MAX_RESPAWN_BACKOFF_MS);
    expect(t.dispatch.stats()).toMatchObject({ workers: 2, startError: undefined });
    // Broken again: its back-off starts over at RESPAWN_BACKOFF_MS, not at the cap.
    state.broken = true;
    t.fleet.live.find((w) => w.name === "t-1")!.events.error("killed again");
    await flush();
    const n = slot1();
    await vi.advanceTimersByTimeAsync(RESPAWN_BACKOFF_MS);
    expect(slot1()).toBe(n + 1);
    t.dispatch.close(new PoolTerminatedError());
  });

  it("the pool gives up only when every slot failed its tries; then nothing more is spawned", async () => {
    const t = setup({ init: () => ({ initError: "module gone" }) });
    t.dispatch.grow(2).catch(() => {});
    const pending = track(t.map([1]).promise);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.fleet.workers).toHaveLength(2 * MAX_START_FAILURES);
    expect(pending.state).toBe("rejected");
    expect(pending.error).toBeInstanceOf(PoolStartError);
    expect(t.dispatch.stats().startError).toMatch(/stopped starting workers.*module gone/);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(t.fleet.workers).toHaveLength(2 * MAX_START_FAILURES);
    t.dispatch.close(new PoolTerminatedError());
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a pool that gave up runs again once a worker starts after all (a slot grow() added): its parked slots try again", async () => {
    const state = { broken: true };
    const t = setup({ init: () => (state.broken ? { initError: "module gone" } : { ready: [DOUBLE] }) });
    t.dispatch.grow(1).catch(() => {});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.dispatch.stats().startError).toMatch(/stopped starting workers/);
    state.broken = false;
    await t.dispatch.grow(2);
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ workers: 2, startError: undefined });
    expect(await t.map([1, 2]).promise).toEqual([2, 4]);
    t.dispatch.close(new PoolTerminatedError());
  });
});

describe("chunks that cannot be encoded", () => {
  // Found by mutation testing: a chunk that failed to encode left its worker without a
  // chunk for that pump pass, so the queue could stall with the worker idle.
  it("a worker whose chunk could not be encoded takes the next one at once: mapSettled never stalls", async () => {
    const t = setup({}, { depth: 2 });
    await t.dispatch.grow(1);
    const fn = () => 0;
    const call = track(t.mapSettled([fn, fn, fn, 4], { chunkSize: 1 }).promise);
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state).toBe("resolved");
    const out = call.value as Settled<number>[];
    expect(out.slice(0, 3).every((r) => !r.ok)).toBe(true);
    expect(out[3]).toEqual({ ok: true, value: 8 });
    expect(t.dispatch.stats()).toMatchObject({ queued: 0, inflight: 0 });
  });
});

describe("7. close()", () => {
  it("fails every pending call with the given error and terminates every worker", async () => {
    const t = setup(
      { run: (j) => (j.req.chunk < 2 ? "hang" : { outputs: doubled(j.items as number[]) }) },
      { depth: 1 },
    );
    await t.dispatch.grow(2);
    const running = t.map(range(6), { chunkSize: 1, timeoutMs: 1000 });
    const queued = t.mapSettled(range(3), { chunkSize: 1 });
    await flush();
    expect(t.dispatch.stats()).toMatchObject({ inflight: 2, queued: 7 });
    const err = new PoolTerminatedError();
    t.dispatch.close(err);
    expect(vi.getTimerCount()).toBe(0); // chunk timers cleared
    await expect(running.promise).rejects.toBe(err);
    expect(((await queued.promise) as Settled<number>[]).map((s) => !s.ok && s.error)).toEqual([err, err, err]);
    expect(t.fleet.workers.every((w) => w.terminated)).toBe(true);
    expect(t.dispatch.stats()).toMatchObject({ workers: 0, failed: 1, completed: 1, inflight: 0, queued: 0 });
    // The chunk timers are gone: nothing times out, nothing is respawned, nothing is posted.
    const posted = t.fleet.posted.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.fleet.workers).toHaveLength(2);
    expect(t.fleet.posted).toHaveLength(posted);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, workers: 0 });
  });

  it("a worker still starting when closed does not leave grow() hanging: it rejects", async () => {
    const t = setup({ init: (w) => (w.seq === 0 ? { ready: [DOUBLE] } : "silent") }, { readyTimeoutMs: 60_000 });
    const grown = track(t.dispatch.grow(2));
    await flush();
    expect(grown.state).toBe("pending");
    t.dispatch.close(new PoolTerminatedError());
    await flush(); // no timer advanced: only close() can have ended it
    expect(grown.state).toBe("rejected");
    expect(grown.error).toBeInstanceOf(PoolStartError);
    expect((grown.error as Error).message).toContain("worker 1 was stopped before it started");
    expect(t.fleet.workers.every((w) => w.terminated)).toBe(true);
    expect(t.dispatch.stats().workers).toBe(0);
  });
});

describe("8. mismatched response frames", () => {
  it("a response naming another call fails that chunk with a PmapError", async () => {
    const t = setup({
      run: (j) => ({
        response: {
          call: "elsewhere:9",
          chunk: j.req.chunk,
          ok: true,
          body: encodeValue(doubled(j.items as number[])),
        },
      }),
    });
    await t.dispatch.grow(1);
    const call = t.map([1, 2]);
    await vi.runAllTimersAsync();
    const err = await rejection(call.promise);
    expect(err.constructor).toBe(PmapError);
    expect(err.message).toBe(`response for elsewhere:9#0 arrived for ${call.id}#0`);
  });

  it("a response naming another chunk fails that chunk, and its outputs land nowhere", async () => {
    // Chunk 1's answer claims to be chunk 0's, with other outputs.
    const t = setup({
      run: (j) =>
        j.req.chunk === 1
          ? { response: { call: j.req.call, chunk: 0, ok: true, body: encodeValue([999, 999]) } }
          : { outputs: doubled(j.items as number[]) },
    });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    const out = (await call.promise) as Settled<number>[];
    expect(out.slice(0, 2)).toEqual([
      { ok: true, value: 2 },
      { ok: true, value: 4 },
    ]);
    for (const s of out.slice(2)) {
      expect(s.ok).toBe(false);
      const { error } = s as { error: Error };
      expect(error.constructor).toBe(PmapError);
      expect(error.message).toBe(`response for ${call.id}#0 arrived for ${call.id}#1`);
    }
  });
});

describe("9. broadcast context", () => {
  /** Scales by the cached context, as Rust does; answers contextMissing when it has none. */
  const scale =
    (evict: (j: Job) => boolean): Script["run"] =>
    (j) => {
      const id = j.req.context!.id;
      if (evict(j)) j.worker.contextCache.delete(id);
      if (!j.worker.contextCache.has(id))
        return { failure: { kind: "contextMissing", kernel: "scale", message: `context ${id} not cached` } };
      const k = j.worker.contextCache.get(id) as number;
      return { outputs: (j.items as number[]).map((x) => x * k) };
    };

  it("sends the context's bytes with a worker's first chunk, then only its id; contextMissing re-sends the bytes", async () => {
    let fleet!: Fleet;
    // The worker evicts the context just before chunk 1's first run.
    const t = setup({ run: scale((j) => j.req.chunk === 1 && firstRun(fleet, j)) }, { depth: 1 });
    fleet = t.fleet;
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3], { chunkSize: 1, context: 3 }, SCALE);
    await vi.runAllTimersAsync();
    expect(await call.promise).toEqual([3, 6, 9]);
    expect(fleet.posted.map((j) => [j.req.chunk, j.contextBytes])).toEqual([
      [0, true],
      [1, false], // → contextMissing
      [1, true], // re-sent with the bytes
      [2, false],
    ]);
    expect(fleet.posted[2]!.context).toBe(3);
    expect(fleet.posted.every((j) => j.req.context!.id === call.id)).toBe(true);
  });

  it("re-sends at most twice, then fails the chunk", async () => {
    const t = setup({ run: scale(() => true) }, { depth: 1 });
    await t.dispatch.grow(1);
    const call = t.map([1], { context: 3 }, SCALE);
    await vi.runAllTimersAsync();
    const err = await rejection(call.promise);
    expect(err.constructor).toBe(PmapError);
    expect(err.message).toContain("contextMissing");
    expect(t.fleet.posted.map((j) => [j.req.chunk, j.contextBytes])).toEqual([
      [0, true],
      [0, true],
      [0, true],
    ]);
  });
});
