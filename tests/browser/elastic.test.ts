// A pool that breathes, in real browsers (ts/pool/elastic.ts): a worker released after
// idling gives its wasm memory back — wasm memory never shrinks while a worker lives — and
// calls arriving around a release, or during a shrink, complete with every result.
import { afterEach, describe, expect, it } from "vitest";
import { createPool, type Pool, type PoolOptions } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels as module } from "./fixtures/test-kernels.js";

const MiB = 1024 * 1024;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `ok()` holds (polling), failing after `ms`. */
async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = performance.now() + ms; !ok(); await sleep(10))
    if (performance.now() > end) throw new Error(`still not so after ${ms} ms`);
}

let pools: Pool<Kernels>[] = [];
async function pool(opts: PoolOptions): Promise<Pool<Kernels>> {
  const p = await createPool<Kernels>({ module, ...opts });
  pools.push(p);
  return p;
}
afterEach(() => {
  for (const p of pools) p.terminate();
  pools = [];
});

describe("elastic pool", () => {
  it("a worker released after idleTimeoutMs gives its wasm memory back; the next call starts a fresh one", async () => {
    const p = await pool({ minWorkers: 0, maxWorkers: 1, idleTimeoutMs: 500 });
    expect(await p.call("holdKib", 64 * 1024)).toBe(64 * 1024); // the worker now holds 64 MiB
    const held = p.stats().wasmMemoryBytes; // that worker's own memory, as it reported it
    expect(held).toBeGreaterThanOrEqual(64 * MiB);
    await until(() => p.stats().released === 1);
    expect(p.stats()).toMatchObject({ workers: 0, released: 1, wasmMemoryBytes: 0 });
    // A fresh worker: its memory starts over from the module's own, not from the peak.
    expect(await p.call("holdKib", 1)).toBe(1);
    const fresh = p.stats().wasmMemoryBytes;
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).toBeLessThan(held - 60 * MiB);
    console.log(
      `[elastic] one worker's wasm memory: ${(held / MiB).toFixed(1)} MiB holding 64 MiB; ` +
        `after its idle release: 0; a fresh worker: ${(fresh / MiB).toFixed(1)} MiB`,
    );
  });

  it("down to minWorkers: the pool's memory drops by each released worker's, the kept one's stays", async () => {
    // Why 1.5 s: no worker may idle out before the slowest chunk ends (a loaded machine).
    const p = await pool({ minWorkers: 1, maxWorkers: 3, concurrency: 3, idleTimeoutMs: 1500 });
    // One chunk per worker (breadth first), each holding 32 MiB.
    expect(await p.map("holdKib", [32 * 1024, 32 * 1024, 32 * 1024], { chunkSize: 1 })).toHaveLength(3);
    const { wasmMemoryBytes: before, released } = p.stats();
    expect(released).toBe(0);
    expect(before).toBeGreaterThanOrEqual(3 * 32 * MiB);
    await until(() => p.stats().released === 2);
    await sleep(1600); // the last one's clock runs out too: it stays (minWorkers)
    const after = p.stats();
    expect(after).toMatchObject({ workers: 1, released: 2 });
    // Every worker ran the same chunk, so each holds a third of the memory.
    expect(after.wasmMemoryBytes).toBe(before / 3);
  });

  it("calls arriving just before, at, or just after a worker's release all complete, every result once", async () => {
    const idle = 100;
    const p = await pool({ minWorkers: 0, maxWorkers: 2, concurrency: 1, idleTimeoutMs: idle });
    const items = range(64);
    // Each call arrives `idle + offset` ms after the last one ended (when the clock started).
    for (const offset of [-10, -4, -2, -1, 0, 1, 2, 4, 10, 0, 0]) {
      await sleep(idle + offset);
      expect(await p.map("echoU32", items, { chunkSize: 4 })).toEqual(items);
    }
    const s = p.stats();
    expect(s.failed).toBe(0);
    expect(s.released).toBeGreaterThan(0); // some calls did arrive after a release
  });

  it("shrink while both workers are busy: no chunk lost, the leaving one goes once its chunks are answered", async () => {
    const p = await pool({ concurrency: 2 });
    const ms = range(12).map(() => 20);
    const out = p.map("spin", ms, { chunkSize: 1 });
    await until(() => p.stats().inflight === 4); // two chunks on each worker
    const shrunk = p.shrink(1);
    expect(p.stats()).toMatchObject({ workers: 2, idle: 0 }); // nobody is terminated under a chunk
    await shrunk;
    expect(p.stats()).toMatchObject({ workers: 1, released: 1 });
    expect(await out).toEqual(ms);
    expect(p.stats()).toMatchObject({ workers: 1, released: 1, failed: 0, respawned: 0 });
  });
});
