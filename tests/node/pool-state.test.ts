// What the dispatcher says of itself: its workers' names, grow(), stats() (idle workers, wasm
// memory) and the changed() notifications the pool turns into "change" events.
import { describe, expect, it, vi } from "vitest";
import { PoolTerminatedError } from "../../ts/protocol/errors.js";
import { harness } from "./dispatch-harness.js";
import { flush, useFakeTimers } from "./fake-worker.js";

useFakeTimers();

describe("workers and counters", () => {
  it("names workers <name>-<slot>, and a replacement takes its slot's name", async () => {
    const t = harness({ run: (j) => (j.worker.seq === 1 ? { crash: "gone" } : { outputs: [0] }) });
    await t.dispatch.grow(2);
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["t-0", "t-1"]);
    t.map([1, 2], { chunkSize: 1 });
    await flush();
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["t-0", "t-1", "t-1"]);
    t.dispatch.close(new PoolTerminatedError());
  });

  it("grow(n) adds workers up to n (never removes), resolving with their kernels", async () => {
    const t = harness();
    expect(t.dispatch.size).toBe(0);
    expect(await t.dispatch.grow(2)).toEqual(t.fleet.kernels);
    expect(await t.dispatch.grow(1)).toEqual([]); // nothing to add: nothing new to report
    expect(t.dispatch.size).toBe(2);
    expect(t.fleet.workers).toHaveLength(2);
  });

  it("stats: idle counts ready workers with nothing in flight; memory sums each worker's last report", async () => {
    const t = harness(
      { run: (j) => (j.req.call === "pool:1" && j.req.chunk === 0 ? "hang" : { outputs: [0] }) },
      { depth: 1 },
    );
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
    const t = harness({ run: (j) => (j.req.call === "pool:2" ? "hang" : { outputs: [0] }) }, { depth: 1 });
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
    const t = harness();
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
});
