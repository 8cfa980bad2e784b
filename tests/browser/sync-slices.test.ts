// A `#[kernel(slice)]` in a parallel iterator (`par_chunks(n).map(par_fn!(slice_kernel))`):
// each chunk one slice call on a compute worker, inside a sync-mode job — real workers,
// the real coordinator.
import { afterAll, expect, it } from "vitest";
import { createPool, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };
let pool: Pool<Kernels> | undefined;
afterAll(() => pool?.terminate());

it("a job maps a slice kernel over par_chunks: every chunk's output, in order, all 64 bits", async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module: testKernels, sync });
  const out = await pool.execute("negateChunksSync", [10_001, 97]);
  expect(out).toBeInstanceOf(BigInt64Array);
  expect(out.length).toBe(10_001);
  const want = BigInt64Array.from({ length: 10_001 }, (_, i) => -(BigInt(i) * 3n - 7n));
  expect(Array.from(out)).toEqual(Array.from(want));
});
