// Ending calls early (docs/architecture.md, "Failure semantics"): an abort drops the call's
// queued chunks and replaces only the workers running its chunks; close() (the pool's
// terminate) fails every pending call, clears every timer and terminates every worker.
import { describe, expect, it, vi } from "vitest";
import type { Call } from "../../ts/pool/call.js";
import type { Settled } from "../../ts/pool/collect.js";
import { AbortError, PmapError, PoolStartError, PoolTerminatedError } from "../../ts/protocol/errors.js";
import { doubled, harness, range, started } from "./dispatch-harness.js";
import { DOUBLE, deferred, flush, track, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("abort", () => {
  it("cancel drops the call's queued chunks at once, replaces only the workers running its chunks, and a concurrent call completes", async () => {
    const gate = deferred<void>();
    let aborted!: Call;
    const t = harness({
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

  it("aborting a call replaces a worker running its chunk even when another call's chunk waits behind it", async () => {
    const t = harness({ run: (j) => (j.req.call === "pool:1" ? "hang" : { outputs: [7] }) }, { depth: 2 });
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

  it("an abort after the start cancels the call with an AbortError carrying the reason", async () => {
    const { start } = await started(1);
    const ctrl = new AbortController();
    const call = start([1, 2], { signal: ctrl.signal });
    const outcome = track(call.promise);
    ctrl.abort("stop");
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.state).toBe("rejected");
    expect(outcome.error).toBeInstanceOf(AbortError);
    expect((outcome.error as AbortError).message).toBe('kernel "double": aborted');
    expect((outcome.error as AbortError).reason).toBe("stop");
  });
});

describe("close()", () => {
  it("fails every pending call with the given error and terminates every worker", async () => {
    const t = harness(
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
    const t = harness({ init: (w) => (w.seq === 0 ? { ready: [DOUBLE] } : "silent") }, { readyTimeoutMs: 60_000 });
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
