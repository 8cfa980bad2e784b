// Sync mode end to end in the browser: the package's own service worker (dist/sw.js) as the
// coordinator, a real SyncExecutor worker blocking on synchronous XHRs, real compute
// workers, Rust jobs calling collect_vec_sync(), and main-thread wasm awaiting collect_vec().
// In Chromium and Firefox (whose Clients API never answers for a worker blocked in a sync
// XHR: the coordinator steps around it, ts/coordinator/coordinator.ts lookupClient).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  createPool,
  KernelError,
  type Pool,
  PoolStartError,
  SyncModeError,
  TimeoutError,
} from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import init, * as rust from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { needsServiceWorkerStop, stopServiceWorkers } from "./fixtures/stop-service-workers.js";
import { testKernels } from "./fixtures/test-kernels.js";

const module = testKernels;
// The shipped coordinator, registered beside the worker script so its scope contains it.
const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };

const range = (start: number, n: number) => Uint32Array.from({ length: n }, (_, i) => start + i + 1);

let pool: Pool<Kernels>;
beforeAll(async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module, sync });
  await init({ module_or_path: module.wasm }); // this page's own instance, for main-thread Rust
});
afterAll(() => pool?.terminate());

describe("sync mode", () => {
  it("a job blocks on collect_vec_sync() over 10 000 items on 2 compute workers: right and in order", async () => {
    const out = await pool.execute("plusOneRange", [10_000, 10_000]);
    expect(out).toBeInstanceOf(Uint32Array);
    expect(out).toEqual(range(10_000, 10_000));
    expect(pool.stats().workers).toBe(2);
  });

  it("every adaptor inside a job: filter, map, sum, reduce, enumerate", async () => {
    const [oddSum, total, dot, count] = await pool.execute("adaptorsSync", 1000);
    expect([oddSum, total, dot, count]).toEqual([250_000n, 499_500n, 285n, 1000n]);
  });

  it("main-thread wasm: collect_vec().await and execute_async through pool.exposeToRust()", async () => {
    using _host = pool.exposeToRust();
    expect(await rust.plusOneAsync(20_000, 5_000)).toEqual(range(20_000, 5_000));
    expect(await rust.plusOneJobAsync(30_000, 10_000)).toEqual(range(30_000, 10_000));
    // A failing chunk reaches main-thread Rust as the pool's typed error, thrown to JS.
    await expect(rust.plusOneAsync(0, 100)).rejects.toMatchObject({
      name: "KernelError",
      message: expect.stringMatching(/panicOn13[\s\S]*boom at 13/),
    });
  });

  it("collect_vec_sync() outside the executor is a clear error, not a trap: the instance keeps working", () => {
    using _host = pool.exposeToRust();
    expect(rust.collectSyncOnMainThread(false)).toMatch(
      /SyncModeError: collect_vec_sync\(\) blocks, so it only runs inside the SyncExecutor/,
    );
    let thrown: unknown;
    try {
      rust.collectSyncOnMainThread(true);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ name: "SyncModeError" });
    expect(rust.collectSyncOnMainThread(false)).toMatch(/SyncModeError/); // still usable
  });

  it("a kernel panic inside a sync job is a typed error at the caller; the pool goes on", async () => {
    const err = await pool.execute("plusOneRange", [0, 100]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).kernel).toBe("plusOneRange");
    expect((err as Error).message).toMatch(/KernelError[\s\S]*panicOn13[\s\S]*boom at 13/);
    // The job itself did not trap: its inner kernel did, in a compute worker (issue 9 #13).
    expect((err as KernelError).panicked).toBe(false);
    // Each kernel is named once, not "in kernel "x": kernel "x": …".
    expect((err as Error).message).not.toMatch(/kernel "panicOn13"[\s\S]*kernel "panicOn13"/);
    // The try_ form: the job gets a Result and returns the PmapError as its own Err.
    const err2 = await pool.execute("tryPlusOneRange", [5, 20]).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(KernelError);
    expect((err2 as Error).message).toMatch(/KernelError in kernel "panicOn13"/);
    expect(await pool.execute("plusOneRange", [100, 50])).toEqual(range(100, 50));
  });

  it("two pools running sync jobs at once never mix results", async () => {
    const other = await createPool<Kernels>({ concurrency: 2, module, sync });
    try {
      const runs = [];
      for (let r = 0; r < 4; r++) {
        runs.push(
          pool
            .execute("plusOneRange", [100 + 1_000 * r, 3_000])
            .then((out) => expect(out).toEqual(range(100 + 1_000 * r, 3_000))),
        );
        runs.push(
          other
            .execute("plusOneRange", [50_000 + 1_000 * r, 2_000])
            .then((out) => expect(out).toEqual(range(50_000 + 1_000 * r, 2_000))),
        );
      }
      await Promise.all(runs);
    } finally {
      other.terminate();
    }
  });

  it("the coordinator's service worker stopped mid-job: the job still completes, right and in bounded time", async (ctx) => {
    needsServiceWorkerStop(ctx);
    const started = performance.now();
    let settled = false;
    const job = pool.execute("spinSync", [16, 100]).finally(() => (settled = true)); // 16 × 100 ms on 2 workers ≈ 0.8 s
    await new Promise((r) => setTimeout(r, 250));
    expect(settled).toBe(false); // the stop below does land mid-job
    await stopServiceWorkers();
    expect(await job).toBe(1600);
    expect(performance.now() - started).toBeLessThan(15_000);
    // However the browser handled the in-flight wait (replayed it on the restarted service
    // worker, or failed it: then the job was re-created, counted in syncReruns), the pool
    // is still usable.
    expect(pool.stats().syncReruns).toBeLessThanOrEqual(2);
    expect(await pool.execute("plusOneRange", [7_000, 10])).toEqual(range(7_000, 10));
  });

  it("a job can be aborted or timed out; the executor is replaced and the next job runs", async () => {
    const ctl = new AbortController();
    const aborted = pool.execute("spinSync", [40, 100], { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 150);
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await expect(pool.execute("spinSync", [40, 100], { timeoutMs: 300 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await pool.execute("spinSync", [2, 10])).toBe(20);
    expect(pool.stats().queued).toBe(0); // the cancelled jobs' chunks were dropped
  });
});

describe("without sync mode", () => {
  it('wait: "atomics" on a page that is not cross-origin isolated is refused, naming the headers', async () => {
    expect(crossOriginIsolated).toBe(false);
    const err = await createPool<Kernels>({ concurrency: 1, module, sync: { wait: "atomics" } }).catch((e) => e);
    expect(err).toBeInstanceOf(PoolStartError);
    expect((err as Error).message).toMatch(/cross-origin-isolated[\s\S]*Cross-Origin-Embedder-Policy: require-corp/);
  });

  it("pool.execute without sync mode, and a job through pool.map, are refused clearly", async () => {
    const plain = await createPool<Kernels>({ concurrency: 1, module });
    try {
      await expect(plain.execute("plusOneRange", [0, 1])).rejects.toBeInstanceOf(SyncModeError);
      // @ts-expect-error a job is not an item kernel
      await expect(plain.map("plusOneRange", [[0, 1]])).rejects.toThrow(/#\[kernel\(job\)\]: run it with pool.execute/);
    } finally {
      plain.terminate();
    }
  });
});
