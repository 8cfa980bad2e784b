// A user's own kernel crate (tests/test-kernels, built like any user crate) loaded through
// the `module` option; kernel errors and panics; real parallelism.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, KernelError, type Pool, type Progress } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const module = testKernels;

let pool: Pool<Kernels>;
beforeAll(async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module });
});
afterAll(() => pool?.terminate());

describe("a user's kernel module", () => {
  it("runs multi-argument kernels over user structs, typed by the generated Kernels", async () => {
    const out = await pool.map("scale", [
      [{ x: 1, y: 2 }, 3],
      [{ x: -0.5, y: 0 }, 2],
    ]);
    expect(out).toEqual([
      { x: 3, y: 6 },
      { x: -1, y: 0 },
    ]);
  });

  it("reports an Err from the kernel as a KernelError with the item index", async () => {
    const items = Array.from({ length: 13 }, (_, i) => i + 1); // only 7 fails: item 6, chunk 1
    const err = await pool.map("failOn7", items, { chunkSize: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ kernel: "failOn7", item: 6, chunk: 1, panicked: false });
    expect((err as Error).message).toContain("7 is a multiple of 7");
  });

  it("turns a panic into a KernelError with the panic message, and the worker keeps working", async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const err = await pool.map("panicOn13", items, { chunkSize: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ kernel: "panicOn13", chunk: 2, panicked: true });
    expect((err as Error).message).toContain("boom at 13");
    // The trapped instance was re-created from the shared Module in place: same workers,
    // none respawned, and every worker computes correctly again.
    const again = await pool.map(
      "panicOn13",
      items.filter((x) => x !== 13),
      { chunkSize: 1 },
    );
    expect(again).toEqual(items.filter((x) => x !== 13).map((x) => x + 1));
    expect(pool.stats()).toMatchObject({ workers: 2, respawned: 0 });
  });

  it("runs chunks on 2 workers at the same time (overlapping busy intervals)", async () => {
    const seen: Progress[] = [];
    await pool.map("spin", [60, 60, 60, 60], { chunkSize: 1, onProgress: (p) => seen.push(p) });
    expect(new Set(seen.map((p) => p.worker))).toEqual(new Set([0, 1]));
    const a = seen.filter((p) => p.worker === 0);
    const b = seen.filter((p) => p.worker === 1);
    const overlaps = a.some((x) => b.some((y) => x.startedAt < y.finishedAt && y.startedAt < x.finishedAt));
    expect(overlaps).toBe(true);
  });
});
