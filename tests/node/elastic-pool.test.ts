// The elastic pool as a user sees it (ts/pool/elastic.ts through the public Pool): the size
// options and their checks, `shrink`, the counters and change events, and sync mode's
// executor told of the pool's size. Driven through the worker seam by fake workers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SpawnWorker } from "../../ts/pool/backend.js";
import { poolLimits } from "../../ts/pool/elastic.js";
import type { PoolOptions, PoolStats } from "../../ts/pool/options.js";
import { Pool } from "../../ts/pool/pool.js";
import { PoolTerminatedError } from "../../ts/protocol/errors.js";
import type { ToWorker } from "../../ts/protocol/messages.js";
import { Fleet } from "./fake-worker.js";

const code = { module: {} as WebAssembly.Module, glue: "fake" };
const pools: Pool<object>[] = [];
function pool(opts: PoolOptions, sync = false) {
  const fleet = new Fleet({ run: (j) => ({ outputs: (j.items as number[]).map((x) => x * 2), ms: 10 }) });
  /** Messages posted to the sync executor. */
  const toExecutor: ToWorker[] = [];
  const spawn: SpawnWorker = (name, events) => {
    const w = fleet.spawn(name, events);
    const post = w.post.bind(w);
    w.post = (msg, transfer) => {
      if (name === "wasm-pmap-executor") toExecutor.push(msg);
      post(msg, transfer);
    };
    return w;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the pool's own Pool type is generic over the module's kernels
  const p = new Pool<any>(code, opts, spawn, sync ? { link: undefined } : undefined);
  pools.push(p);
  return { pool: p, fleet, toExecutor };
}
vi.setConfig({ testTimeout: 3_000 });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const p of pools.splice(0)) p.terminate();
  vi.useRealTimers();
});

describe("size options", () => {
  it("without minWorkers, maxWorkers, idleTimeoutMs the pool is fixed at `concurrency` (default: the cores)", () => {
    expect(poolLimits({ concurrency: 3 }, 8)).toEqual({ initial: 3, min: 3, max: 3, idleTimeoutMs: Infinity });
    expect(poolLimits({}, 8)).toEqual({ initial: 8, min: 8, max: 8, idleTimeoutMs: Infinity });
  });

  it("any of them makes it elastic: from max(minWorkers, 1) or `concurrency`, up to maxWorkers (default: concurrency, else the cores)", () => {
    expect(poolLimits({ idleTimeoutMs: 5000 }, 8)).toEqual({ initial: 1, min: 0, max: 8, idleTimeoutMs: 5000 });
    expect(poolLimits({ maxWorkers: 4 }, 8)).toEqual({ initial: 1, min: 0, max: 4, idleTimeoutMs: Infinity });
    expect(poolLimits({ concurrency: 2, idleTimeoutMs: 10 }, 8)).toMatchObject({ initial: 2, min: 0, max: 2 });
    expect(poolLimits({ minWorkers: 2, maxWorkers: 6, concurrency: 4 }, 8)).toMatchObject({
      initial: 4,
      min: 2,
      max: 6,
    });
    // A `minWorkers` above this machine's core count is not an error: the default ceiling follows it.
    expect(poolLimits({ minWorkers: 16 }, 8)).toMatchObject({ initial: 16, min: 16, max: 16 });
  });

  it("nonsense is a RangeError naming the option, thrown by the Pool before any worker starts", () => {
    const cases: [PoolOptions, string][] = [
      [{ concurrency: 0 }, "concurrency must be a positive integer, got 0"],
      [{ minWorkers: -1 }, "minWorkers must be a non-negative integer, got -1"],
      [{ minWorkers: 1.5 }, "minWorkers must be a non-negative integer, got 1.5"],
      [{ maxWorkers: 0 }, "maxWorkers must be a positive integer, got 0"],
      [{ maxWorkers: Number.NaN }, "maxWorkers must be a positive integer, got NaN"],
      [{ idleTimeoutMs: 0 }, "idleTimeoutMs must be > 0, got 0"],
      [{ idleTimeoutMs: Number.NaN }, "idleTimeoutMs must be > 0, got NaN"],
      [{ minWorkers: 5, maxWorkers: 2 }, "minWorkers (5) must be ≤ maxWorkers (2)"],
      [
        { minWorkers: 2, maxWorkers: 4, concurrency: 1 },
        "concurrency (1) must be between minWorkers (2) and maxWorkers (4)",
      ],
      [{ maxWorkers: 4, concurrency: 5 }, "concurrency (5) must be between minWorkers (0) and maxWorkers (4)"],
    ];
    for (const [opts, message] of cases) {
      const fleet = new Fleet();
      expect(() => new Pool(code, opts, fleet.spawn)).toThrow(new RangeError(message));
      expect(fleet.workers).toHaveLength(0);
    }
  });
});

describe("an elastic pool", () => {
  it("starts one worker, grows on demand to maxWorkers, and its stats and change events show workers starting and released", async () => {
    const { pool: p, fleet } = pool({ minWorkers: 0, maxWorkers: 3, idleTimeoutMs: 1000 });
    await p.ready;
    expect(p.size).toBe(3); // calls are cut for the workers it may grow to
    expect(p.stats()).toMatchObject({ workers: 1, starting: 0, released: 0 });
    const seen: PoolStats[] = [];
    p.addEventListener("change", (e) => seen.push((e as CustomEvent<PoolStats>).detail));
    const out = p.map("double", range(24));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.some((s) => s.workers === 3)).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(await out).toEqual(range(24).map((x) => x * 2));
    expect(fleet.workers).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(p.stats()).toMatchObject({ workers: 0, idle: 0, released: 3, wasmMemoryBytes: 0 });
    expect(seen.at(-1)).toMatchObject({ workers: 0, released: 3 });
    // Empty, it still takes calls: a worker starts for them; grow() starts them at once.
    const one = p.call("double", 21);
    await vi.advanceTimersByTimeAsync(20);
    expect(await one).toBe(42);
    void p.grow(3);
    expect(p.stats()).toMatchObject({ workers: 3, starting: 2 });
  });

  it("shrink(n) resolves once the pool is down to n; n must be a positive integer; a terminated pool refuses", async () => {
    const { pool: p, fleet } = pool({ concurrency: 3 });
    await p.ready;
    const out = p.map("double", range(6), { chunkSize: 1 });
    await vi.advanceTimersByTimeAsync(0);
    const shrunk = p.shrink(1);
    expect(p.size).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await shrunk;
    expect(await out).toEqual(range(6).map((x) => x * 2));
    expect(p.stats()).toMatchObject({ workers: 1, released: 2 });
    expect(fleet.terminated).toHaveLength(2);
    await expect(p.shrink(0)).rejects.toThrow(new RangeError("shrink(n): n must be a positive integer, got 0"));
    p.terminate();
    await expect(p.shrink(1)).rejects.toBeInstanceOf(PoolTerminatedError);
  });
});

describe("sync mode's executor is not elastic; it is told the pool's size when that changes", () => {
  it("told maxWorkers at start, the new size on grow and shrink, nothing when workers come and go within it", async () => {
    const { pool: p, fleet, toExecutor } = pool({ minWorkers: 1, maxWorkers: 3, idleTimeoutMs: 1000 }, true);
    await p.ready;
    const init = toExecutor.find((m) => m.type === "init");
    expect(init && "executor" in init && init.executor?.workers).toBe(3);
    const resized = () => toExecutor.filter((m) => m.type === "workers");
    await Promise.all([p.map("double", range(24)), vi.advanceTimersByTimeAsync(2000)]);
    expect(p.stats()).toMatchObject({ workers: 1, released: 2 }); // grew to 3, back to 1
    expect(resized()).toEqual([]);
    await p.shrink(2);
    await p.grow(5);
    expect(resized()).toEqual([
      { type: "workers", n: 2 },
      { type: "workers", n: 5 },
    ]);
    // One executor, never released nor replaced however long it idles.
    expect(fleet.workers.filter((w) => w.name === "wasm-pmap-executor")).toHaveLength(1);
    expect(fleet.workers.find((w) => w.name === "wasm-pmap-executor")?.terminated).toBe(false);
  });
});
