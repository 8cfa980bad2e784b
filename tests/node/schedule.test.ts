// Pure scheduling logic: chunk plans and the fair queue (no Workers involved).
import { describe, expect, it } from "vitest";
import {
  AUTO_CHUNKS_PER_WORKER,
  AUTO_MAX_CHUNK,
  autoChunkSize,
  FairQueue,
  planChunks,
  resolveChunkSize,
} from "../../ts/pool/schedule.js";
import chunking from "../vectors/chunking.json";

/** Small deterministic PRNG so a failing case can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe("chunk plans", () => {
  it("cover every index exactly once, in order, for random sizes and chunk sizes", () => {
    const r = rng(42);
    for (let trial = 0; trial < 500; trial++) {
      const total = Math.floor(r() * 5000);
      const workers = 1 + Math.floor(r() * 16);
      const size = r() < 0.5 ? resolveChunkSize("auto", total, workers) : 1 + Math.floor(r() * 300);
      const seen: number[] = [];
      for (const [a, b] of planChunks(total, size)) {
        expect(b - a).toBeGreaterThan(0);
        expect(b - a).toBeLessThanOrEqual(size);
        for (let i = a; i < b; i++) seen.push(i);
      }
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
    }
  });

  it("auto gives about 4 chunks per worker, batching tiny inputs and capping huge ones", () => {
    expect(planChunks(10_000, autoChunkSize(10_000, 2))).toHaveLength(8);
    expect(autoChunkSize(3, 8)).toBe(1);
    expect(autoChunkSize(0, 2)).toBe(1);
    expect(autoChunkSize(1e9, 2)).toBe(AUTO_MAX_CHUNK);
  });

  // Rust's parallel iterators chunk with the same rule (rust/pmap/src/par): one file pins both.
  it("matches the shared chunking vectors (constants and cases) that the Rust side checks too", () => {
    expect(AUTO_CHUNKS_PER_WORKER).toBe(chunking.chunksPerWorker);
    expect(AUTO_MAX_CHUNK).toBe(chunking.maxChunk);
    for (const c of chunking.cases) expect(autoChunkSize(c.total, c.workers), JSON.stringify(c)).toBe(c.chunkSize);
  });

  it("rejects nonsense chunk sizes", () => {
    expect(() => resolveChunkSize(0, 10, 2)).toThrow(RangeError);
    expect(() => resolveChunkSize(2.5, 10, 2)).toThrow(RangeError);
  });
});

describe("FairQueue", () => {
  it("serves calls round-robin, so a long call does not starve a later one", () => {
    const q = new FairQueue<string>();
    q.push("long", ["L0", "L1", "L2", "L3", "L4"]);
    q.push("short", ["S0", "S1"]);
    const order = Array.from({ length: 7 }, () => q.next());
    expect(order).toEqual(["L0", "S0", "L1", "S1", "L2", "L3", "L4"]);
    expect(q.size).toBe(0);
    expect(q.next()).toBeUndefined();
  });

  it("skips calls that may not use the asking worker, drops a call, and keeps retries first", () => {
    const q = new FairQueue<string>();
    q.push("a", ["a0", "a1"]);
    q.push("b", ["b0"]);
    expect(q.next((c) => c !== "a")).toBe("b0");
    q.unshift("a", "a-retry");
    expect(q.next()).toBe("a-retry");
    expect(q.drop("a")).toEqual(["a0", "a1"]);
    expect(q.size).toBe(0);
  });

  it("hands out every pushed task exactly once under random interleavings", () => {
    const r = rng(7);
    const q = new FairQueue<string>();
    const pushed = new Set<string>();
    const got: string[] = [];
    for (let step = 0; step < 2000; step++) {
      if (r() < 0.4) {
        const call = `c${Math.floor(r() * 5)}`;
        const tasks = Array.from({ length: Math.floor(r() * 4) }, (_, i) => `${call}-${step}-${i}`);
        for (const t of tasks) pushed.add(t);
        q.push(call, tasks);
      } else {
        const t = q.next();
        if (t) got.push(t);
      }
    }
    for (let t = q.next(); t; t = q.next()) got.push(t);
    expect(got).toHaveLength(pushed.size);
    expect(new Set(got)).toEqual(pushed);
  });
});

describe("calls pulled by simulated workers (Call + FairQueue + sinks, no Workers)", async () => {
  const { Call } = await import("../../ts/pool/call.js");
  const { ArraySink } = await import("../../ts/pool/collect.js");
  const { Codec } = await import("../../ts/pool/codecs.js");
  const info = { name: "id", kind: "map" as const, input: "number", output: "number" };

  it("every index exactly once, in order, for random sizes, worker counts, chunk sizes and completion orders", async () => {
    const r = rng(99);
    for (let trial = 0; trial < 200; trial++) {
      const workers = 1 + Math.floor(r() * 8);
      const queue = new FairQueue<import("../../ts/pool/call.js").Task>();
      const calls = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, c) => {
        const total = Math.floor(r() * 3000);
        const items = Array.from({ length: total }, (_, i) => c * 1e6 + i);
        const chunkSize = r() < 0.5 ? resolveChunkSize("auto", total, workers) : 1 + Math.floor(r() * 200);
        const call = new Call({
          id: `c${c}`,
          kernel: info,
          codec: Codec.map,
          items,
          chunkSize,
          concurrency: workers,
          sink: new ArraySink(total),
          requeue: () => {},
        });
        queue.push(call.id, call.tasks());
        return { call, items };
      });
      // Each simulated worker holds up to 2 chunks; a random one finishes at each step.
      const running: import("../../ts/pool/call.js").Task[] = [];
      while (queue.size > 0 || running.length > 0) {
        while (running.length < workers * 2 && queue.size > 0) running.push(queue.next()!);
        const [t] = running.splice(Math.floor(r() * running.length), 1);
        const items = calls.find((c) => c.call === t!.call)!.items;
        t!.call.accept(t!, items.slice(t!.start, t!.end), 0, 0, 0);
      }
      for (const { call, items } of calls) {
        expect(call.settled).toBe(true);
        expect(await call.promise).toEqual(items);
      }
    }
  });
});
