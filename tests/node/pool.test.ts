// The public Pool, driven from node through the worker seam (scripted fake workers,
// fake-worker.ts): argument handling, input snapshots, ids, events, typed errors. What
// crosses a real thread stays in tests/browser.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPool } from "../../ts/pool/create.js";
import { Pool } from "../../ts/pool/pool.js";
import { DecodeError, PmapError, PoolStartError, UnknownKernelError } from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import { DOUBLE, Fleet, type Script } from "./fake-worker.js";

const SQRT: KernelInfo = { name: "sqrtF32", kind: "slice", input: "Float32Array", output: "Float32Array" };
const BYTES: KernelInfo = { name: "sumBytes", kind: "slice", input: "Uint8Array", output: "Uint8Array" };
const ADD: KernelInfo = { name: "addF64", kind: "reduce", input: "[number, number]", output: "number" };

function pool(script: Script = {}, kernels: KernelInfo[] = [DOUBLE, SQRT, BYTES, ADD]) {
  const fleet = new Fleet(script, kernels);
  // biome-ignore lint/suspicious/noExplicitAny: the pool's own Pool type is generic over the module's kernels
  const p = new Pool<any>({ module: {} as WebAssembly.Module, glue: "fake" }, { concurrency: 2 }, fleet.spawn);
  return { fleet, pool: p };
}

const pools: Pool<object>[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.terminate();
  vi.unstubAllGlobals();
});
function track<T extends { pool: Pool<object> }>(t: T): T {
  pools.push(t.pool);
  return t;
}

describe("inputs are captured when the call is made (issue 9 #6)", () => {
  it("an array emptied right after pool.map() returns still gives every result", async () => {
    const { pool: p } = track(pool());
    const items = [1, 2, 3, 4, 5];
    const out = p.map("double", items);
    items.length = 0;
    expect(await out).toEqual([2, 4, 6, 8, 10]);
  });

  it("a typed array refilled right after the call gives the results of the values it had", async () => {
    const { pool: p } = track(pool({ run: (j) => ({ outputs: j.items }) }));
    const items = Float32Array.of(1, 4, 9, 16);
    const out = p.map("sqrtF32", items);
    items.fill(-1);
    expect(Array.from((await out) as Float32Array)).toEqual([1, 4, 9, 16]);
  });

  it("a detached typed array is an error at call time, not an empty result", async () => {
    const { pool: p } = track(pool());
    const items = new Float32Array(8);
    structuredClone(items.buffer, { transfer: [items.buffer] });
    await expect(p.map("sqrtF32", items)).rejects.toThrow(/detached/);
  });
});

describe("a job's input is captured when pool.execute is called", () => {
  const ECHO: KernelInfo = { name: "echo", kind: "job", input: "unknown", output: "unknown" };
  /** A sync pool (answers through the executor's slot: no coordinator needed here) whose
   * executor echoes each job's input; a job whose input is "block" waits for `release`. */
  function syncPool() {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const fleet = new Fleet(
      {
        run: async (j) => {
          if (j.items[0] === "block") await blocked;
          return { outputs: j.items };
        },
      },
      [DOUBLE, ECHO],
    );
    // biome-ignore lint/suspicious/noExplicitAny: the pool's own Pool type is generic over the module's kernels
    const p = new Pool<any>({ module: {} as WebAssembly.Module, glue: "fake" }, { concurrency: 2 }, fleet.spawn, {
      link: undefined,
    });
    return track({ pool: p, fleet, release });
  }

  it("a typed array and an object changed right after the call, while the job waits behind another, run as they were", async () => {
    const { pool: p, release } = syncPool();
    await p.ready;
    const blocker = p.execute("echo", "block");
    const bytes = Float64Array.of(1, 2, 3);
    const obj = { n: 1, xs: [1, 2] };
    const a = p.execute("echo", bytes);
    const b = p.execute("echo", obj);
    bytes.fill(-1);
    obj.n = 99;
    obj.xs.push(3);
    release();
    expect(await blocker).toBe("block");
    expect(await a).toEqual(Float64Array.of(1, 2, 3));
    expect(await b).toEqual({ n: 1, xs: [1, 2] });
  });

  it("an input that cannot be encoded is a DecodeError naming the job, after the kernel checks", async () => {
    const { pool: p, fleet } = syncPool();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const err = await p.execute("echo", cyclic).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ kernel: "echo", item: 0 });
    expect((err as Error).message).toMatch(
      /^kernel "echo": the input could not be encoded \(too deeply nested, or cyclic\?\): /,
    );
    await expect(p.execute("nope", cyclic)).rejects.toBeInstanceOf(UnknownKernelError);
    expect(fleet.posted).toHaveLength(0);
  });

  it("an input changed right after the call on an idle executor runs as it was", async () => {
    const { pool: p } = syncPool();
    const obj = { n: 1 };
    const out = p.execute("echo", obj); // not even ready yet
    obj.n = 2;
    expect(await out).toEqual({ n: 1 });
  });
});

describe("slice chunks move through reused buffers, results into the call's own snapshot (issue 10)", () => {
  const sqrt = (j: { items: unknown[] }) => ({ outputs: Float32Array.from(j.items as number[], Math.sqrt) });

  it("a chunk whose worker crashes is re-run from the snapshot while the others' outputs are already in it", async () => {
    let crashed = false;
    const { pool: p, fleet } = track(
      pool({
        run: (j) => {
          // The second chunk posted crashes its worker once, after the first has finished.
          if (!crashed && j.req.chunk === 1) {
            crashed = true;
            return { crash: "boom", ms: 5 };
          }
          return sqrt(j);
        },
      }),
    );
    const xs = Float32Array.from({ length: 64 }, (_, i) => i * i);
    const roots = (await p.map("sqrtF32", xs, { chunkSize: 8 })) as Float32Array;
    expect(Array.from(roots)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(fleet.posted.filter((j) => j.req.chunk === 1)).toHaveLength(2); // crashed, then re-run
    expect(Array.from(xs.subarray(0, 3))).toEqual([0, 1, 4]); // the caller's array untouched
  });

  it("a later chunk, or a later call, gets the buffer an earlier chunk's output came back in", async () => {
    const { pool: p, fleet } = track(pool({ run: sqrt }));
    const xs = Float32Array.from({ length: 32 }, (_, i) => i * i);
    await p.map("sqrtF32", xs, { chunkSize: 4 });
    const first = new Set(fleet.posted.map((j) => j.data));
    // 8 chunks, at most 4 in flight (2 workers × 2): buffers came back and went out again.
    expect(first.size).toBeLessThan(8);
    const before = fleet.posted.length;
    const again = (await p.map("sqrtF32", xs, { chunkSize: 4 })) as Float32Array;
    expect(Array.from(again)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(fleet.posted.slice(before).every((j) => first.has(j.data))).toBe(true);
  });
});

describe("typed arrays of another element type are refused (issue 9 #12)", () => {
  it("a Uint8Array for a Float32Array slice kernel is a DecodeError naming both", async () => {
    const { pool: p } = track(pool());
    const err = await p.map("sqrtF32", new Uint8Array(16)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ kernel: "sqrtF32", expected: "Float32Array" });
    expect((err as Error).message).toContain("got a Uint8Array");
  });

  it("a Uint8ClampedArray (ImageData.data) is accepted for a Uint8Array kernel", async () => {
    const { pool: p } = track(pool({ run: (j) => ({ outputs: j.items }) }));
    await expect(p.map("sumBytes", new Uint8ClampedArray([1, 2, 3]))).resolves.toBeDefined();
  });
});

describe("ids without a secure context (issue 9 #7)", () => {
  it("a pool starts where crypto.randomUUID is missing (plain http on a LAN address)", async () => {
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    const { pool: p, fleet } = track(pool());
    expect(await p.map("double", [1, 2])).toEqual([2, 4]);
    const call = fleet.started[0]!.req.call;
    expect(call).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}:1$/);
  });
});

describe('"change" events (issue 9 #8)', () => {
  it("a stray removeEventListener does not silence a listener still registered", async () => {
    const { pool: p } = track(pool());
    let events = 0;
    const listener = () => events++;
    p.addEventListener("change", listener);
    p.addEventListener("change", listener); // the same listener again: registered once
    p.removeEventListener("change", () => {}); // never added
    p.removeEventListener("change", listener, { capture: true }); // another registration (capture)
    await p.map("double", [1, 2, 3]);
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toBeGreaterThan(0);
    p.removeEventListener("change", listener);
    const before = events;
    await p.map("double", [1]);
    await new Promise((r) => setTimeout(r, 0));
    expect(events).toBe(before);
  });
});

describe("only the documented errors (issue 9 #10)", () => {
  it("mapSettled with something that is not an array rejects with a TypeError naming the kernel", async () => {
    const { pool: p } = track(pool());
    await expect(p.mapSettled("double", null as unknown as number[])).rejects.toThrow(
      /kernel "double": items must be an array or iterable/,
    );
  });

  it("an unencodable context or reduce init is a PmapError naming the kernel", async () => {
    const { pool: p } = track(
      pool({ run: (j) => ({ outputs: j.items.length ? 1 : null }) }, [
        DOUBLE,
        ADD,
        { ...DOUBLE, name: "scale", context: "number" },
      ]),
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const ctx = await p.map("scale", [1], { context: cyclic }).catch((e: unknown) => e);
    expect(ctx).toBeInstanceOf(PmapError);
    expect((ctx as Error).message).toMatch(/kernel "scale": the context could not be encoded/);
  });

  it("a kernel module that cannot be fetched is a PoolStartError naming its URL", async () => {
    const err = await createPool({ module: { wasm: "http://127.0.0.1:9/missing_bg.wasm", glue: "x.js" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PoolStartError);
    expect((err as Error).message).toContain("missing_bg.wasm");
  });

  it("bytes that are not a wasm module are a PoolStartError", async () => {
    const err = await createPool({ module: { wasm: new Uint8Array([1, 2, 3, 4]), glue: "x.js" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PoolStartError);
    expect((err as Error).message).toMatch(/could not compile the kernel module/);
  });

  it("an item too deep or cyclic to encode fails that item alone, named, in mapSettled", async () => {
    const { pool: p } = track(pool({ run: (j) => ({ outputs: j.items.map(() => 0) }) }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const out = await p.mapSettled("double", [1, cyclic as unknown as number, 3], { chunkSize: 3 });
    expect(out[0]).toEqual({ ok: true, value: 0 });
    expect(out[2]).toEqual({ ok: true, value: 0 });
    expect(out[1]).toMatchObject({ ok: false });
    const err = (out[1] as { error: Error }).error;
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.message).toMatch(/item 1 could not be encoded/);
  });
});

describe("terminate() (issue 9)", () => {
  it("terminate() settles a call that is already running on a worker", async () => {
    const { pool: p, fleet } = track(pool({ run: () => "hang" }));
    const running = p.map("double", [1, 2, 3]);
    await new Promise((r) => setTimeout(r, 5));
    expect(fleet.started.length).toBeGreaterThan(0); // it did reach a worker
    p.terminate();
    await expect(running).rejects.toThrow(/terminated/);
    expect(p.stats()).toMatchObject({ workers: 0, inflight: 0, queued: 0 });
  });
});

describe("stats and auto chunking on the real call path (issue 9)", () => {
  it("stats().queued counts the chunks waiting for a worker", async () => {
    const gate = { open: () => {} };
    const opened = new Promise<void>((r) => (gate.open = r));
    const { pool: p } = track(
      pool({
        run: async (j) => {
          await opened;
          return { outputs: j.items.map((x) => (x as number) * 2) };
        },
      }),
    );
    const call = p.map(
      "double",
      Array.from({ length: 40 }, (_, i) => i),
      { chunkSize: 1 },
    );
    await new Promise((r) => setTimeout(r, 5));
    // 2 workers × 2 in flight each: the other 36 chunks wait.
    expect(p.stats()).toMatchObject({ inflight: 4, queued: 36 });
    gate.open();
    await call;
    expect(p.stats()).toMatchObject({ inflight: 0, queued: 0 });
  });

  it("auto chunking on the real call path counts the pool's workers: about 4 chunks each", async () => {
    const { pool: p, fleet } = track(pool());
    await p.map(
      "double",
      Array.from({ length: 800 }, (_, i) => i),
    );
    expect(new Set(fleet.posted.map((j) => j.req.chunk)).size).toBe(2 * 4);
    fleet.posted.length = 0;
    await p.map(
      "double",
      Array.from({ length: 800 }, (_, i) => i),
      { concurrency: 1 },
    );
    expect(new Set(fleet.posted.map((j) => j.req.chunk)).size).toBe(1 * 4);
  });
});
