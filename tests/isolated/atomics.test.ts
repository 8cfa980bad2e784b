// Sync mode on a cross-origin-isolated page (this project's server sends COOP/COEP, see
// vite.config.ts "isolated"): the SyncExecutor blocks in Atomics.wait on an answer slot the
// page writes (ts/protocol/answer-slot.ts) — no service worker is registered or asked —
// and the coordinator path ("xhr") still works beside it on the same page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, KernelError, type Pool, PoolStartError } from "../../dist/index.js";
import { testKernels as module } from "../browser/fixtures/test-kernels.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";

const range = (start: number, n: number) => Uint32Array.from({ length: n }, (_, i) => start + i + 1);
const registrations = async () => (await navigator.serviceWorker.getRegistrations()).length;

let pool: Pool<Kernels>;
let swBefore = 0;
beforeAll(async () => {
  swBefore = await registrations();
  pool = await createPool<Kernels>({ concurrency: 2, module, sync: {} }); // "auto"
});
afterAll(() => pool?.terminate());

describe("sync mode on a cross-origin-isolated page", () => {
  it("the page is isolated, and sync mode started without registering any service worker", async () => {
    expect(crossOriginIsolated).toBe(true);
    expect(await registrations()).toBe(swBefore);
    expect(navigator.serviceWorker.controller).toBeNull();
  });

  it("collect_vec_sync() over 10 000 items on 2 workers, through the answer slot: right and in order", async () => {
    expect(await pool.execute("plusOneRange", [10_000, 10_000])).toEqual(range(10_000, 10_000));
    const [oddSum, total, dot, count] = await pool.execute("adaptorsSync", 1000);
    expect([oddSum, total, dot, count]).toEqual([250_000n, 499_500n, 285n, 1000n]);
  });

  it("1 000 blocking round trips in one job, each checked by Rust", async () => {
    const ms = await pool.execute("syncRoundTripMs", [1000, 1]);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1000); // a mean; the bench reports the figure
  });

  it("an answer larger than the slot's first size grows it (8 MB of results)", async () => {
    const out = await pool.execute("plusOneRange", [20, 2_000_000]);
    expect(out.length).toBe(2_000_000);
    expect(out[0]).toBe(21);
    expect(out[1_999_999]).toBe(2_000_020);
  });

  it("a kernel panic comes back through the slot as the typed error; the next job runs", async () => {
    const err = await pool.execute("plusOneRange", [0, 100]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as Error).message).toMatch(/panicOn13[\s\S]*boom at 13/);
    expect(await pool.execute("plusOneRange", [20, 5])).toEqual(range(20, 5));
  });

  it("a job can be aborted while blocked in Atomics.wait; the replaced executor runs the next job", async () => {
    const ctl = new AbortController();
    const job = pool.execute("spinSync", [4, 2_000], { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 200);
    await expect(job).rejects.toMatchObject({ name: "AbortError" });
    expect(await pool.execute("plusOneRange", [1, 3])).toEqual(range(1, 3));
  });

  it('wait: "xhr" still uses the coordinator service worker on the same page', async () => {
    const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url), wait: "xhr" as const };
    const xhrPool = await createPool<Kernels>({ concurrency: 2, module, sync });
    try {
      expect(await registrations()).toBe(swBefore + 1);
      expect(await xhrPool.execute("plusOneRange", [100, 1000])).toEqual(range(100, 1000));
    } finally {
      xhrPool.terminate();
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    }
  });

  it("a bad wait option is refused by name", async () => {
    await expect(createPool<Kernels>({ concurrency: 1, module, sync: { wait: "spin" as "xhr" } })).rejects.toThrow(
      PoolStartError,
    );
  });
});
