// A worker that dies or a kernel that panics (docs/architecture.md, "Failure semantics"):
// a crashed worker is replaced and its chunk retried once; a panic fails its chunk with a
// panicked KernelError, and the worker is kept only when it recovered; a failure frame is
// the kernel's answer, never retried.
import { describe, expect, it, vi } from "vitest";
import { KernelError, WorkerCrashedError } from "../../ts/protocol/errors.js";
import { doubled, firstRun, type Harness, harness } from "./dispatch-harness.js";
import { type Fleet, rejection, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("crash retry", () => {
  it("a chunk whose worker crashes is retried once, on a fresh worker", async () => {
    let fleet!: Fleet;
    const t = harness({
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
    const t = harness({
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
    const t = harness(
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

describe("kernel panic (trap)", () => {
  /** One worker; a call over [1, 2, 3, 4] in chunks of 2 whose kernel panics on item 3 (chunk 1). */
  async function panicOn3(recovered: boolean) {
    const t = harness({
      run: (j) =>
        j.items.includes(3)
          ? { trap: "panicked: index out of bounds", recovered }
          : { outputs: doubled(j.items as number[]) },
    });
    await t.dispatch.grow(1);
    const call = t.map([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    return { t, err: await rejection(call.promise) };
  }

  /** A next call succeeds, on worker `seq`. */
  async function nextRunsOn(t: Harness, seq: number) {
    const next = t.map([5]);
    await vi.runAllTimersAsync();
    expect(await next.promise).toEqual([10]);
    expect(t.fleet.runsOf(next.id, 0)[0]!.worker.seq).toBe(seq);
  }

  it("a trap with recovered:false fails the chunk with a panicked KernelError and replaces the worker", async () => {
    const { t, err } = await panicOn3(false);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ kernel: "double", chunk: 1, panicked: true });
    expect(err.message).toContain("index out of bounds");
    expect(t.fleet.workers.map((w) => w.terminated)).toEqual([true, false]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 1, failed: 1, workers: 1 });
    await nextRunsOn(t, 1);
  });

  it("a trap with recovered:true keeps the worker", async () => {
    const { t, err } = await panicOn3(true);
    expect(err).toMatchObject({ name: "KernelError", chunk: 1, panicked: true });
    expect(t.fleet.workers).toHaveLength(1);
    expect(t.fleet.terminated).toHaveLength(0);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, failed: 1, workers: 1 });
    await nextRunsOn(t, 0);
  });

  it("a trap fails its chunk with a KernelError carrying the worker's message; a recovered worker runs the next", async () => {
    const t = harness({
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

describe("kernel errors", () => {
  it("a failure frame is not retried: the chunk ran once (a context call's too, unless the context was missing)", async () => {
    const fail = { failure: { kind: "kernel" as const, kernel: "k", message: "no" } };
    const t = harness({ run: () => fail });
    await t.dispatch.grow(1);
    const plain = t.mapSettled([1]);
    const ctx = t.scaled([1]);
    await vi.runAllTimersAsync();
    await plain.promise;
    await ctx.promise;
    expect(t.fleet.posted.map((j) => j.req.call)).toEqual([plain.id, ctx.id]);
  });
});
