// pmap end to end in the browser (Chromium and Firefox): real module Workers, the real wasm
// module, the real wire.
import { afterAll, describe, expect, it } from "vitest";
import { createPool, DecodeError, disposeDefaultPool, type Pool, pmap, UnknownKernelError } from "../../dist/index.js";
import reference from "../vectors/mandelbrot.json";

let pool: Pool;
afterAll(async () => {
  pool?.terminate();
  await disposeDefaultPool();
});

describe("pmap in the browser", () => {
  it("doubles 10 000 items with 2 workers, correct and in input order", async () => {
    pool = await createPool({ concurrency: 2 });
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const workersSeen = new Set<number>();
    const out = await pool.map("double", items, { onProgress: (p) => workersSeen.add(p.worker) });
    expect(out).toHaveLength(10_000);
    expect(out).toEqual(items.map((i) => i * 2));
    // Pulled by idle workers from one queue: both workers took chunks.
    expect(workersSeen).toEqual(new Set([0, 1]));
  });
});

describe("built-in kernels through the pool", () => {
  it("mandelbrotRow matches the Rust-computed reference image", async () => {
    const { width, height, maxIter } = reference;
    const specs = Array.from({ length: height }, (_, y) => ({ y, width, height, maxIter }));
    const rows = await pmap("mandelbrotRow", specs, { concurrency: 2 });
    expect(rows).toHaveLength(height);
    for (const row of rows) expect(row).toBeInstanceOf(Uint8Array);
    const image = new Uint8Array(width * height);
    for (const [y, row] of rows.entries()) image.set(row, y * width);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", image));
    expect(hex(digest)).toBe(reference.sha256);
    expect(hex(rows[height / 2]!)).toBe(reference.middleRowHex);
  });

  it("sha256Hex, sqrtF64 (a slice kernel) and addF64 (reduce) compute what they say", async () => {
    expect(await pmap("sha256Hex", ["abc", ""])).toEqual([
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]);
    const xs = Float64Array.from({ length: 1000 }, (_, i) => i * i);
    const roots = await pmap("sqrtF64", xs, { chunkSize: 64 });
    expect(roots).toBeInstanceOf(Float64Array);
    expect(Array.from(roots)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const { preduce } = await import("../../dist/index.js");
    expect(
      await preduce(
        "addF64",
        0.5,
        Array.from({ length: 1000 }, (_, i) => i),
      ),
    ).toBe(499_500.5);
    expect(await preduce("addF64", 7, [])).toBe(7);
  });
});

describe("reduce", () => {
  it("equals the sequential fold", async () => {
    // Integers below 2^53 add exactly in f64, so any association gives the same sum.
    const values = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 1000);
    const sequential = values.reduce((a, b) => a + b, 3);
    expect(await pool.reduce("addF64", 3, values)).toBe(sequential);
    expect(await pool.reduce("addF64", 3, values, { chunkSize: 1 })).toBe(sequential);
  });
});

describe("bad input", () => {
  it("an unknown kernel rejects with the list of known kernels, and the pool lives on", async () => {
    const err = await (pmap as (k: string, i: unknown[]) => Promise<unknown>)("doubel", [1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownKernelError);
    expect((err as UnknownKernelError).known).toEqual([
      "addF64",
      "double",
      "mandelbrotImage",
      "mandelbrotRow",
      "sha256Hex",
      "sqrtF64",
    ]);
    expect((err as Error).message).toContain("double, mandelbrotImage, mandelbrotRow");
    expect(await pmap("double", [4])).toEqual([8]);
  });

  it("an item of the wrong type rejects with a DecodeError naming kernel, type and item", async () => {
    const items: unknown[] = Array.from({ length: 100 }, (_, i) => ({ y: i, width: 8, height: 100, maxIter: 10 }));
    items[57] = { y: "fifty-seven", width: 8, height: 100, maxIter: 10 };
    const err = await (pool.map as (k: string, i: unknown[], o: object) => Promise<unknown>)("mandelbrotRow", items, {
      chunkSize: 10,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    const d = err as DecodeError;
    expect(d.kernel).toBe("mandelbrotRow");
    expect(d.expected).toBe("RowSpec");
    expect(d.item).toBe(57);
    expect(d.message).toMatch(/kernel "mandelbrotRow": item 57 does not decode as RowSpec/);
    // The pool is intact: the same workers run the next call.
    expect(pool.stats().workers).toBe(2);
    expect(await pool.map("double", [1, 2, 3])).toEqual([2, 4, 6]);
  });
});

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
