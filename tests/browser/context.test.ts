// Broadcast context (`#[kernel(context)]`, rayon's map_with): sent once per worker per call.
import { afterEach, describe, expect, it } from "vitest";
import { createPool, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const module = testKernels;
let pool: Pool<Kernels> | undefined;
afterEach(() => pool?.terminate());

const rows = Array.from({ length: 1000 }, (_, i) => Float64Array.from([i, 1, 2]));
const weights = { w: [1, 10, 100] };
const expected = rows.map((r) => r[0]! + 10 * r[1]! + 100 * r[2]!);

describe("broadcast context", () => {
  it("reaches every chunk but is sent to (and decoded by) a worker once per call", async () => {
    pool = await createPool<Kernels>({ concurrency: 1, module });
    expect(await pool.map("weightedSum", rows, { context: weights, chunkSize: 10 })).toEqual(expected);
    expect(await pool.call("contextDecodes", 0)).toBe(1); // 100 chunks, 1 decode
    expect(await pool.map("weightedSum", rows, { context: { w: [0, 0, 1] }, chunkSize: 10 })).toEqual(
      rows.map(() => 2),
    );
    expect(await pool.call("contextDecodes", 0)).toBe(2); // a new call sends its own context
  });

  it("works across workers, and concurrent calls keep their own contexts", async () => {
    pool = await createPool<Kernels>({ concurrency: 2, module });
    const [a, b] = await Promise.all([
      pool.map("weightedSum", rows, { context: weights, chunkSize: 7 }),
      pool.map("weightedSum", rows, { context: { w: [2, 0, 0] }, chunkSize: 7 }),
    ]);
    expect(a).toEqual(expected);
    expect(b).toEqual(rows.map((r) => 2 * r[0]!));
  });

  it("a context kernel without a context, or a context for another kernel, is a clear error", async () => {
    pool = await createPool<Kernels>({ concurrency: 1, module });
    const untyped = pool.map.bind(pool) as (k: string, i: unknown[], o?: object) => Promise<unknown>;
    await expect(untyped("weightedSum", rows)).rejects.toThrow(/context kernel: pass opts.context \(a Weights\)/);
    await expect(untyped("spin", [1], { context: 1 })).rejects.toThrow(/takes no context/);
    await expect(untyped("weightedSum", rows, { context: { w: "heavy" } })).rejects.toThrow(/context does not decode/);
  });
});
