// Failure semantics in the browser (Chromium and Firefox), with the fault-injection kernels
// of tests/test-kernels.
import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  createPool,
  KernelError,
  type Pool,
  PoolTerminatedError,
  QueueFullError,
  TimeoutError,
  WorkerCrashedError,
} from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const module = testKernels;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let pools: Pool<Kernels>[] = [];
async function pool(concurrency = 2, extra: { maxQueue?: number } = {}): Promise<Pool<Kernels>> {
  const p = await createPool<Kernels>({ concurrency, module, ...extra });
  pools.push(p);
  return p;
}
afterEach(() => {
  for (const p of pools) p.terminate();
  pools = [];
});

describe("kernel panics", () => {
  it("map: rejects with the panic message; the other chunks are dropped", async () => {
    const p = await pool();
    const err = await p.map("panicOn13", range(100), { chunkSize: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ kernel: "panicOn13", chunk: 1, panicked: true });
    expect((err as Error).message).toContain("boom at 13");
    expect(p.stats()).toMatchObject({ failed: 1, queued: 0 });
  });

  it("mapSettled: only the panicking item fails, every other item has its value", async () => {
    const p = await pool();
    const out = await p.mapSettled("panicOn13", range(100), { chunkSize: 10 });
    expect(out).toHaveLength(100);
    out.forEach((r, i) => {
      if (i === 13) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toBeInstanceOf(KernelError);
      } else {
        expect(r).toEqual({ ok: true, value: i + 1 });
      }
    });
  });

  it("mapSettled: a kernel Err fails its item alone", async () => {
    const p = await pool();
    const out = await p.mapSettled(
      "failOn7",
      range(30).map((i) => i + 1),
      { chunkSize: 8 },
    );
    const failed = out.flatMap((r, i) => (r.ok ? [] : [i + 1]));
    expect(failed).toEqual([7, 14, 21, 28]);
    expect(out[0]).toEqual({ ok: true, value: 2 });
  });

  it("a failing call does not disturb a concurrent one on the same pool", async () => {
    const p = await pool();
    const [bad, good] = await Promise.allSettled([
      p.map("panicOn13", range(2000), { chunkSize: 50 }),
      p.map(
        "failOn7",
        range(2000).map((i) => i * 7 + 1),
        { chunkSize: 50 },
      ),
    ]);
    expect(bad.status).toBe("rejected");
    expect(good).toEqual({ status: "fulfilled", value: range(2000).map((i) => i * 7 + 2) });
  });
});

describe("timeouts", () => {
  it("a hung chunk rejects with TimeoutError, its worker is replaced, and the pool goes on", async () => {
    const p = await pool();
    const err = await p.map("spin", [60_000], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ kernel: "spin", timeoutMs: 300 });
    expect(p.stats()).toMatchObject({ respawned: 1, workers: 2 });
    expect(await p.map("spin", [1, 2])).toEqual([1, 2]);
  });

  it("counts from when a chunk starts running, not from when it was queued", async () => {
    const p = await pool(1);
    // Three 250 ms chunks on one worker, two posted ahead: the second is posted at once but
    // starts at ≈ 250 ms, the third starts at ≈ 500 ms. Each runs 250 ms < 400 ms: none
    // may time out (counting from queueing or posting would time out the second).
    expect(await p.map("spin", [250, 250, 250], { chunkSize: 1, timeoutMs: 400 })).toEqual([250, 250, 250]);
  });

  it("mapSettled marks the timed-out chunk's items timedOut and keeps the rest", async () => {
    const p = await pool();
    const out = await p.mapSettled("spin", [1, 60_000, 1], { chunkSize: 1, timeoutMs: 300 });
    expect(out[0]).toEqual({ ok: true, value: 1 });
    expect(out[1]).toMatchObject({ ok: false, timedOut: true });
    expect(out[2]).toEqual({ ok: true, value: 1 });
  });
});

describe("abort", () => {
  it("aborting a 10 000-item map drops its queue, replaces its busy workers, spares other calls", async () => {
    const p = await pool();
    const ctrl = new AbortController();
    let done = 0;
    const big = p.map("spin", new Array(10_000).fill(0.5), {
      chunkSize: 100,
      signal: ctrl.signal,
      onProgress: (pr) => {
        done = pr.done;
        if (pr.done >= 1000) ctrl.abort("enough");
      },
    });
    const other = p.map("failOn7", [1, 2, 3], { chunkSize: 1 });
    const err = await big.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).reason).toBe("enough");
    expect(done).toBeLessThan(10_000);
    expect(p.stats().queued).toBe(0);
    expect(await other).toEqual([2, 3, 4]);
    expect(p.stats().respawned).toBeGreaterThanOrEqual(1);
    expect(await p.map("spin", [1, 1])).toEqual([1, 1]);
  });

  it("an already aborted signal rejects at once", async () => {
    const p = await pool();
    await expect(p.map("spin", [1], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });
});

describe("crashed workers", () => {
  it("a chunk that crashes its worker is retried once on a fresh worker, then WorkerCrashedError", async () => {
    const p = await pool();
    const err = await p.map("crashWorker", [5]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(p.stats()).toMatchObject({ respawned: 2, workers: 2 });
    expect(await p.map("failOn7", [1, 2])).toEqual([2, 3]);
  });
});

describe("terminate and limits", () => {
  it("terminate settles every pending call and leaves no worker", async () => {
    const p = await pool();
    const pending = p.map("spin", [60_000, 60_000]);
    const settled = p.mapSettled("spin", [60_000]);
    p.terminate();
    await expect(pending).rejects.toBeInstanceOf(PoolTerminatedError);
    const [s] = await settled;
    expect(s).toMatchObject({ ok: false });
    expect(p.stats().workers).toBe(0);
    await expect(p.map("spin", [1])).rejects.toBeInstanceOf(PoolTerminatedError);
  });

  it("await using disposes the pool", async () => {
    let leaked: Pool<Kernels>;
    {
      await using p = await createPool<Kernels>({ concurrency: 1, module });
      leaked = p;
      expect(await p.call("spin", 1)).toBe(1);
    }
    expect(leaked.stats().workers).toBe(0);
  });

  it("a call that does not fit maxQueue rejects with QueueFullError", async () => {
    const p = await pool(1, { maxQueue: 10 });
    await expect(p.map("spin", new Array(20).fill(0), { chunkSize: 1 })).rejects.toBeInstanceOf(QueueFullError);
    expect(await p.map("spin", new Array(5).fill(0), { chunkSize: 1 })).toEqual([0, 0, 0, 0, 0]);
  });
});

describe("steady state", () => {
  it("1 000 sequential small calls keep the worker count and wasm memory stable", async () => {
    const p = await pool();
    for (let i = 0; i < 100; i++) await p.call("failOn7", 1);
    const before = p.stats();
    for (let i = 0; i < 1000; i++) expect(await p.call("failOn7", i * 7 + 1)).toBe(i * 7 + 2);
    const after = p.stats();
    expect(after.workers).toBe(2);
    expect(after.respawned).toBe(0);
    expect(after.wasmMemoryBytes).toBe(before.wasmMemoryBytes);
    // The memory figure is live: holding 8 MiB in a worker shows up in it.
    await p.call("holdKib", 8192);
    expect(p.stats().wasmMemoryBytes).toBeGreaterThan(before.wasmMemoryBytes + 8 * 1024 * 1024 - 1);
  });

  it("stream yields every index exactly once, in completion order", async () => {
    const p = await pool();
    const seen: number[] = [];
    for await (const { index, value } of p.stream(
      "failOn7",
      range(500).map((i) => i * 7 + 1),
      { chunkSize: 13 },
    )) {
      expect(value).toBe(index * 7 + 2);
      seen.push(index);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(range(500));
  });

  it("leaving a stream early aborts the rest of its call", async () => {
    const p = await pool();
    let n = 0;
    for await (const _ of p.stream("spin", new Array(200).fill(1), { chunkSize: 1 })) if (++n === 3) break;
    await new Promise((r) => setTimeout(r, 20));
    expect(p.stats().queued).toBe(0);
  });

  it("change events report the counters", async () => {
    const p = await pool();
    const seen: number[] = [];
    p.addEventListener("change", (e) => seen.push((e as CustomEvent<{ inflight: number }>).detail.inflight));
    await p.map("spin", [5, 5, 5, 5], { chunkSize: 1 });
    await new Promise((r) => setTimeout(r, 0));
    expect(Math.max(...seen)).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(0);
  });
});
