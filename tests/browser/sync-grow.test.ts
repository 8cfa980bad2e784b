// The worker count Rust chunks parallel iterators by (`current_num_workers()`) follows
// `pool.grow`, in the SyncExecutor and on the page — real workers, the real coordinator.
import { afterAll, expect, it } from "vitest";
import { createPool, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import init, * as rust from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };
let pool: Pool<Kernels> | undefined;
afterAll(() => pool?.terminate());

it("after pool.grow, Rust in the executor and on the page sees the new worker count, and jobs stay right", async () => {
  pool = await createPool<Kernels>({ concurrency: 1, module: testKernels, sync });
  await init({ module_or_path: testKernels.wasm });
  expect(rust.workersSeenHere()).toBe(1); // no host on this thread yet
  using _host = pool.exposeToRust();
  expect(await pool.execute("workersSeen", 0)).toBe(1);
  expect(rust.workersSeenHere()).toBe(1);

  await pool.grow(3);
  expect(pool.size).toBe(3);
  expect(await pool.execute("workersSeen", 0)).toBe(3);
  expect(rust.workersSeenHere()).toBe(3);
  // A job's parallel iterator now spreads over the three (a range without 13: see panicOn13).
  const out = await pool.execute("plusOneRange", [100, 3000]);
  expect(out).toEqual(Uint32Array.from({ length: 3000 }, (_, i) => i + 101));
});
