// Full-range 64- and 128-bit integers end to end in the browser, on the shape of the
// workload that found the gap (tests/test-kernels/src/big_ints.rs: an MSM over a 446-bit
// curve, points of seven-limb field elements): every path, every result equal to the
// sequential computation. Rust readers (parallel iterators, `execute_async`) get every bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import init, * as rust from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };
let pool: Pool<Kernels>;
beforeAll(async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module: testKernels, sync });
  await init({ module_or_path: testKernels.wasm }); // this page's own instance, for main-thread Rust
});
afterAll(() => pool?.terminate());

describe("Rust readers get every bit", () => {
  it("sync mode: every blocking terminal inside a job equals the sequential result", async () => {
    expect(await pool.execute("wideTerminalsSync", [7, 200])).toEqual([]);
  });

  it("async mode: the awaited terminals and execute_async (a job's point back to Rust) equal it too", async () => {
    using _host = pool.exposeToRust();
    expect(await rust.wideTerminalsAsync(7, 200)).toEqual([]);
  });
});
