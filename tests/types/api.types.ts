// Type test, checked by `tsc --noEmit` in `npm test`: every `@ts-expect-error` line must
// be a type error (tsc fails on an unused one), every other line must compile. The kernel
// names and item types come from the `Kernels` interface that #[wasm_pmap::kernel]
// generated into pkg/wasm_pmap_kernels.d.ts, through the built dist/ declarations.
import { createPool, outputs, pmap, preduce, type RowSpec } from "../../dist/index.js";

export async function typeTest(): Promise<void> {
  // Right kernels, right items: outputs are typed.
  const doubled: number[] = await pmap("double", [1, 2, 3]);
  const spec: RowSpec = { y: 0, width: 8, height: 8, maxIter: 16 };
  const rows: Uint8Array[] = await pmap("mandelbrotRow", [spec]);
  const hashes: string[] = await pmap("sha256Hex", ["abc"]);
  const roots: Float64Array = await pmap("sqrtF64", new Float64Array(4));
  const sum: number = await preduce("addF64", 0, [1, 2]);

  // @ts-expect-error a misspelt kernel is not a kernel
  await pmap("doubel", [1]);
  // @ts-expect-error double takes numbers, not strings
  await pmap("double", ["1"]);
  // @ts-expect-error a RowSpec needs all its fields
  await pmap("mandelbrotRow", [{ y: 0, width: 8 }]);
  // @ts-expect-error outputs are typed too: rows are bytes, not strings
  const wrong: string[] = await pmap("mandelbrotRow", [spec]);
  // @ts-expect-error a slice kernel takes a typed array, not number[]
  await pmap("sqrtF64", [1, 2]);
  // @ts-expect-error only reduce kernels reduce
  await preduce("double", 0, [1]);
  // Slice and reduce outputs are typed, not `any` (an `any` would make these lines compile):
  // @ts-expect-error a slice kernel gives its typed array
  const notRoots: string = await pmap("sqrtF64", new Float64Array(4));
  // @ts-expect-error a reduce gives its item type
  const notSum: string = await preduce("addF64", 0, [1, 2]);

  const pool = await createPool({ concurrency: 2 });
  const viaPool: number = await pool.call("double", 4);
  // @ts-expect-error pool.map of a slice kernel is typed too
  const notRoots2: number[] = await pool.map("sqrtF64", new Float64Array(2));
  // `transfer` is a slice kernel's option, not an item kernel's.
  const moved: Float64Array = await pool.map("sqrtF64", new Float64Array(2), { transfer: true });
  // @ts-expect-error no transfer for an item kernel
  await pool.map("double", [1], { transfer: true });
  // @ts-expect-error pool.reduce too
  const notSum2: string = await pool.reduce("addF64", 0, [1]);
  // @ts-expect-error the pool is typed by the same Kernels interface
  await pool.map("sha256Hex", [42]);
  void [doubled, rows, hashes, roots, sum, wrong, viaPool, notRoots, notSum, notRoots2, notSum2, moved];
}

import type { Kernels as TestKernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";

export async function contextTypeTest(): Promise<void> {
  const pool = await createPool<TestKernels>();
  const rows = [new Float64Array(3)];
  const sums: number[] = await pool.map("weightedSum", rows, { context: { w: [1, 2, 3] } });
  // @ts-expect-error a context kernel needs its context
  await pool.map("weightedSum", rows);
  // @ts-expect-error the context has the declared type
  await pool.map("weightedSum", rows, { context: { w: "no" } });
  // @ts-expect-error other kernels take no context
  await pool.map("spin", [1], { context: { w: [1] } });
  void sums;
}

export async function jobTypeTest(): Promise<void> {
  const pool = await createPool<TestKernels>({ sync: { serviceWorker: "/wasm-pmap-sw.js" } });
  const out: Uint32Array = await pool.execute("plusOneRange", [10, 5], { timeoutMs: 1000 });
  const sums: BigUint64Array = await pool.execute("adaptorsSync", 10);
  // @ts-expect-error a job's input is typed: [start, n]
  await pool.execute("plusOneRange", 5);
  // @ts-expect-error only #[kernel(job)] functions are jobs
  await pool.execute("panicOn13", 1);
  // @ts-expect-error a job is not an item kernel
  await pool.map("plusOneRange", [[1, 2]]);
  // @ts-expect-error outputs are typed too
  const wrong: string = await pool.execute("spinSync", [1, 1]);
  using _host = pool.exposeToRust();
  void [out, sums, wrong];
}

export async function sourceTypeTest(): Promise<void> {
  const pool = await createPool({ concurrency: 2 });
  async function* nums() {
    yield 1;
  }
  const doubled: number[] = await pool.map("double", nums(), { maxInFlight: 4 });
  const fromStream: number[] = await pool.map("double", new ReadableStream<number>());
  async function* arrays() {
    yield new Float64Array(4);
  }
  const roots: Float64Array = await pool.map("sqrtF64", arrays(), { transfer: true });
  for await (const { index, value } of pool.stream("sqrtF64", arrays()))
    void [index satisfies number, value satisfies Float64Array];
  const chained: number[] = await pool.map("double", outputs(pool.stream("double", nums(), { ordered: true })));
  async function* strings() {
    yield "1";
  }
  // @ts-expect-error a source's items are typed like an array's
  await pool.map("double", strings());
  // @ts-expect-error a slice kernel's source yields its typed array
  await pool.map("sqrtF64", nums());
  void [doubled, fromStream, roots, chained];
}
