// The per-chunk clock (docs/architecture.md, "Failure semantics"): a chunk's `timeoutMs`
// counts from when it starts running, not from when it was posted; a hung chunk's worker is
// terminated and replaced, and the chunks queued behind it go back to the queue.
import { describe, expect, it, vi } from "vitest";
import type { Settled } from "../../ts/pool/collect.js";
import { type PmapError, TimeoutError } from "../../ts/protocol/errors.js";
import { doubled, firstRun, harness, range } from "./dispatch-harness.js";
import { type Fleet, flush, type Script, track, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("per-chunk timeout", () => {
  const hangChunk0 = (fleet: () => Fleet): Script => ({
    run: (j) => (j.req.chunk === 0 && firstRun(fleet(), j) ? "hang" : { outputs: doubled(j.items as number[]) }),
  });

  it("a hung chunk rejects with TimeoutError (kernel, chunk, timeoutMs); its worker is terminated and replaced", async () => {
    let fleet!: Fleet;
    const t = harness(hangChunk0(() => fleet));
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
    const t = harness(hangChunk0(() => fleet));
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
    const t = harness({ run: (j) => ({ outputs: doubled(j.items as number[]), ms: 80 }) }, { depth: 2 });
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
    const t = harness({ run: (j) => (j.req.chunk === 0 ? { outputs: [2], ms: 80 } : "hang") }, { depth: 2 });
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

  it("chunks waiting behind a replaced worker go back to the queue in their order", async () => {
    const t = harness(
      { run: (j) => (j.worker.seq === 0 && j.req.chunk === 0 ? "hang" : { outputs: [0] }) },
      { depth: 3 },
    );
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2, 3], { chunkSize: 1, timeoutMs: 50 });
    await vi.advanceTimersByTimeAsync(50);
    await vi.runAllTimersAsync();
    await call.promise;
    expect(t.fleet.workers[1]!.posted.map((j) => j.req.chunk)).toEqual([1, 2]);
  });

  it("a chunk answered in time leaves no timer behind", async () => {
    const t = harness();
    await t.dispatch.grow(1);
    const call = t.map([1, 2], { chunkSize: 1, timeoutMs: 1_000 });
    await flush();
    expect(await call.promise).toEqual([2, 4]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
