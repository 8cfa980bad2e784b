// The slice path in the browser (rust/pmap/src/slice.rs): slice-kernel chunks as raw bytes
// beside their frames, typed outputs written straight into the result; real Workers, the
// real wasm.
import { afterAll, describe, expect, it } from "vitest";
import { createPool, DecodeError, KernelError, type Pool, WorkerCrashedError } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

let builtin: Pool;
let test: Pool<Kernels>;
afterAll(() => {
  builtin?.terminate();
  test?.terminate();
});

describe("slice kernels over large typed arrays", () => {
  it("sqrtF64 over 3 M elements (several 4 MiB chunks) equals Math.sqrt bit for bit", async () => {
    builtin = await createPool({ concurrency: 2 });
    const xs = Float64Array.from({ length: 3_000_000 }, (_, i) => i * 1.5 + 0.25);
    const chunks = new Set<number>();
    const roots = await builtin.map("sqrtF64", xs, { onProgress: (p) => chunks.add(p.chunk) });
    expect(roots).toBeInstanceOf(Float64Array);
    expect(roots.length).toBe(xs.length);
    expect(chunks.size).toBe(8); // 24 MB over 2 workers: 4 chunks each (3 MiB, under the 4 MiB cap)
    let wrong = -1;
    for (let i = 0; i < xs.length; i++)
      if (roots[i] !== Math.sqrt(xs[i]!)) {
        wrong = i;
        break;
      }
    expect(wrong).toBe(-1);
    // The input is untouched (the pool worked on its own copy).
    expect(xs[2_999_999]).toBe(2_999_999 * 1.5 + 0.25);
  });

  it("the results are those of the array as it was when the call was made", async () => {
    const xs = Float64Array.from({ length: 100_000 }, (_, i) => i * i);
    const pending = builtin.map("sqrtF64", xs, { chunkSize: 10_000 });
    xs.fill(-1); // the caller reuses its array at once
    const roots = await pending;
    expect(roots[99_999]).toBe(99_999);
    expect(roots[12_345]).toBe(12_345);
  });

  it("transfer: true takes the caller's buffer (detached, no copy) and computes the same", async () => {
    const xs = Float64Array.from({ length: 50_000 }, (_, i) => i * i);
    const roots = await builtin.map("sqrtF64", xs, { transfer: true, chunkSize: 7_000 });
    expect(xs.length).toBe(0); // detached: the pool owns the bytes now
    expect(xs.buffer.byteLength).toBe(0);
    expect(Array.from(roots.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    expect(roots[49_999]).toBe(49_999);
    // A view into a larger buffer is copied instead, and the caller's buffer left alone.
    const big = new Float64Array(16).fill(81);
    const view = big.subarray(4, 8);
    expect(Array.from(await builtin.map("sqrtF64", view, { transfer: true }))).toEqual([9, 9, 9, 9]);
    expect(view.length).toBe(4);
  });

  it("an empty typed array gives an empty result of the same type", async () => {
    const out = await builtin.map("sqrtF64", new Float64Array(0));
    expect(out).toBeInstanceOf(Float64Array);
    expect(out.length).toBe(0);
  });
});

describe("slice outputs of another type, length or width", () => {
  it("Uint8Array in, a shorter Uint32Array per chunk out: the parts concatenated in order", async () => {
    test = await createPool<Kernels>({ concurrency: 2, module: testKernels });
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 7);
    const out = await test.map("histogram4", bytes, { chunkSize: 100 });
    expect(out).toBeInstanceOf(Uint32Array);
    expect(out.length).toBe(40); // 10 chunks × 4 counts
    for (let c = 0; c < 10; c++) {
      const expected = [0, 0, 0, 0];
      for (let i = c * 100; i < (c + 1) * 100; i++) expected[bytes[i]! % 4]!++;
      expect(Array.from(out.subarray(c * 4, c * 4 + 4))).toEqual(expected);
    }
    // ImageData.data is a Uint8ClampedArray: accepted for a &[u8] kernel.
    const clamped = await test.map("histogram4", new Uint8ClampedArray([0, 1, 5, 255]), { chunkSize: 4 });
    expect(Array.from(clamped)).toEqual([1, 2, 0, 1]);
  });

  it("BigInt64Array elements keep all 64 bits both ways", async () => {
    const xs = BigInt64Array.of(0n, -1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n));
    const out = await test.map("negateI64", xs, { chunkSize: 2 });
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out)).toEqual([0n, 1n, -(2n ** 53n + 1n), -(2n ** 63n - 1n), -(2n ** 63n)]);
  });
});

describe("slice failures", () => {
  it("a kernel Err rejects with a KernelError naming the kernel; the pool goes on", async () => {
    const xs = Float32Array.from({ length: 1000 }, (_, i) => i);
    xs[777] = Number.NaN;
    const err = await test.map("halveFinite", xs, { chunkSize: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).kernel).toBe("halveFinite");
    expect((err as Error).message).toContain("NaN at offset 77 of the chunk");
    expect(Array.from(await test.map("halveFinite", Float32Array.of(2, 4)))).toEqual([1, 2]);
  });

  it("another element type is refused before anything is sent", async () => {
    const err = await (test.map as (k: string, i: unknown) => Promise<unknown>)(
      "halveFinite",
      new Float64Array(4),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toContain("takes a Float32Array, got a Float64Array");
  });

  it("a chunk that crashes its worker is retried with its bytes again, then WorkerCrashedError", async () => {
    const p = await createPool<Kernels>({ concurrency: 1, module: testKernels });
    try {
      const err = await p.map("crashWorkerSlice", Float64Array.of(1, 2, 3)).catch((e: unknown) => e);
      // Had the retry re-posted the first attempt's (transferred, detached) buffer, the post
      // would have thrown a DataCloneError instead.
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(p.stats().workers).toBe(1);
    } finally {
      p.terminate();
    }
  });
});
