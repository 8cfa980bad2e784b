// A `#[kernel(context)]` call's context (docs/architecture.md, "Broadcast context"): its bytes
// go with a worker's first chunk of the call, then only its id; a worker that evicted it
// answers contextMissing and gets the bytes again, at most twice.
import { describe, expect, it, vi } from "vitest";
import { PmapError } from "../../ts/protocol/errors.js";
import { firstRun, harness } from "./dispatch-harness.js";
import { type Fleet, type Job, rejection, SCALE, type Script, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("broadcast context", () => {
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
    const t = harness({ run: scale((j) => j.req.chunk === 1 && firstRun(fleet, j)) }, { depth: 1 });
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
    const t = harness({ run: scale(() => true) }, { depth: 1 });
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
