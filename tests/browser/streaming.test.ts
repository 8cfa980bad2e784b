// Streaming inputs against real workers (ts/pool/source.ts): async iterables and
// ReadableStreams into pool.map / pool.stream, read as workers free up, and 1 GiB passed
// through a bounded budget. The exact read/hold/cancel rules: tests/node/source.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, outputs, type Pool, SourceError } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

let pool: Pool<Kernels>;
beforeAll(async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module: testKernels });
});
afterAll(() => pool?.terminate());

/** 1, 2, …, n without the multiples of 7 (failOn7 fails on those), counting reads. */
async function* notSevens(n: number, seen = { read: 0, stopped: false }) {
  try {
    for (let i = 1; i <= n; i++) {
      if (i % 7 === 0) continue;
      seen.read++;
      yield i;
    }
  } finally {
    seen.stopped = true;
  }
}
const expected = (n: number) =>
  Array.from({ length: n }, (_, i) => i + 1)
    .filter((i) => i % 7 !== 0)
    .map((i) => i + 1);

describe("streaming inputs", () => {
  it("map over an async generator: every output, in input order", async () => {
    expect(await pool.map("failOn7", notSevens(2000))).toEqual(expected(2000));
  });

  it("map and stream over a ReadableStream (read through its reader: WebKit's is not async-iterable)", async () => {
    const stream = () => ReadableStream.from?.(notSevens(500)) ?? fromIterator(notSevens(500));
    expect(await pool.map("failOn7", stream(), { chunkSize: 8 })).toEqual(expected(500));
    const byIndex = new Map<number, number>();
    for await (const { index, value } of pool.stream("failOn7", stream(), { chunkSize: 8 })) {
      expect(byIndex.has(index)).toBe(false);
      byIndex.set(index, value);
    }
    expect([...byIndex.keys()].sort((a, b) => a - b)).toEqual(expected(500).map((_, i) => i));
    expect([...byIndex.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])).toEqual(expected(500));
  });

  it("a kernel error names the item's index in the whole input, not in its batch", async () => {
    // 1..100: the value 7 is item 6 (batch 1 of chunkSize 4, third item).
    const source = (async function* () {
      for (let i = 1; i <= 100; i++) yield i;
    })();
    await expect(pool.map("failOn7", source, { chunkSize: 4 })).rejects.toMatchObject({
      name: "KernelError",
      item: 6,
      message: expect.stringContaining("7 is a multiple of 7"),
    });
  });

  it("the source's own error is a SourceError naming the item it failed at; the next call works", async () => {
    const broken = (async function* () {
      for (let i = 1; i <= 50; i++) yield i;
      throw new Error("the network went away");
    })();
    const err = await pool.map("echoU32", broken, { chunkSize: 16 }).catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ kernel: "echoU32", item: 50 });
    expect((err as SourceError).cause).toMatchObject({ message: "the network went away" });
    expect(await pool.map("echoU32", [1, 2, 3])).toEqual([1, 2, 3]);
  });

  it("abort and timeout as for arrays; the source is stopped", async () => {
    const seen = { read: 0, stopped: false };
    const ctl = new AbortController();
    const slow = (async function* () {
      try {
        for (;;) {
          if (++seen.read === 10) ctl.abort("enough"); // mid-way, while chunks run
          yield 50; // spin 50 ms
        }
      } finally {
        seen.stopped = true;
      }
    })();
    await expect(pool.map("spin", slow, { chunkSize: 1, signal: ctl.signal })).rejects.toMatchObject({
      name: "AbortError",
      reason: "enough",
    });
    expect(seen.stopped).toBe(true);
    expect(seen.read).toBe(10); // not read again after the abort
    const late = (async function* () {
      yield 400;
    })();
    await expect(pool.map("spin", late, { timeoutMs: 100 })).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("a slow consumer slows the reading: at most maxInFlight batches (+1 being read) ahead of it", async () => {
    const seen = { read: 0, stopped: false };
    let consumed = 0;
    let ahead = 0;
    for await (const _ of pool.stream("failOn7", notSevens(600, seen), { chunkSize: 5, maxInFlight: 3 })) {
      consumed++;
      ahead = Math.max(ahead, seen.read - consumed);
      if (consumed % 25 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(consumed).toBe(expected(600).length);
    expect(ahead).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual((3 + 1) * 5);
  });

  it("chaining: one call's ordered output stream is the next call's input, nothing collected between", async () => {
    const plusOne = pool.stream("failOn7", notSevens(300), { ordered: true, chunkSize: 10 });
    const out = await pool.map("echoU32", outputs(plusOne), { chunkSize: 10 });
    expect(out).toEqual(expected(300));
  });

  it("1 GiB through a 64 MiB budget: 1 024 arrays of 1 MiB, at most maxInFlight held, histograms exact", async () => {
    const MiB = 1 << 20;
    const arrays = 1024;
    const maxInFlight = 16;
    const template = Uint8Array.from({ length: MiB }, (_, j) => j % 7);
    const perArray = [0, 0, 0, 0];
    for (const b of template) perArray[b % 4]!++;
    let produced = 0;
    let consumed = 0;
    let peak = 0;
    async function* reads() {
      for (let i = 0; i < arrays; i++) {
        produced++;
        peak = Math.max(peak, produced - consumed);
        yield template.slice(); // a fresh 1 MiB, as a file or socket reader gives
      }
    }
    const totals = [0, 0, 0, 0];
    const t0 = performance.now();
    for await (const { value } of pool.stream("histogram4", reads(), { maxInFlight, transfer: true })) {
      consumed++;
      for (let k = 0; k < value.length; k++) totals[k % 4]! += value[k]!;
    }
    const ms = performance.now() - t0;
    expect(consumed).toBe(arrays);
    expect(totals).toEqual(perArray.map((n) => n * arrays));
    // Held by the pool at once: maxInFlight arrays, plus the one being read and the one
    // the consumer holds: 18 MiB, far under the 64 MiB budget.
    expect(peak).toBeLessThanOrEqual(maxInFlight + 2);
    expect(peak * MiB).toBeLessThanOrEqual(64 * MiB);
    // Each worker's wasm memory is sized by a chunk, not by the input.
    expect(pool.stats().wasmMemoryBytes).toBeLessThan(64 * MiB);
    console.log(
      `[streaming] 1 GiB in ${ms.toFixed(0)} ms (${((arrays / ms) * 1000).toFixed(0)} MiB/s), peak ${peak} MiB held, workers' wasm memory ${(pool.stats().wasmMemoryBytes / MiB).toFixed(1)} MiB`,
    );
  });
});

/** A ReadableStream over an async iterator (where ReadableStream.from is missing). */
function fromIterator<T>(it: AsyncIterator<T>): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(c) {
        const r = await it.next();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
    },
    { highWaterMark: 0 },
  );
}
