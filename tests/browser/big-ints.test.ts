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

// The same arithmetic as tests/test-kernels/src/big_ints.rs, in BigInt: the sequential
// reference the pool's results must equal.
type Fe = bigint[];
type Pt = { x: Fe; y: Fe; z: Fe };
type Shape = "Infinity" | { Scalar: bigint } | { Affine: [Fe, Fe] } | { Wide: { hi: bigint; lo: bigint } };
const U64 = (1n << 64n) - 1n;
const feAdd = (a: Fe, b: Fe): Fe => {
  let carry = 0n;
  return a.map((x, i) => {
    const s = x + b[i]! + carry;
    carry = s >> 64n;
    return s & U64;
  });
};
const feMix = (a: Fe): Fe => {
  let carry = 0n;
  return a.map((x, i) => {
    const wide = x * 0x9e3779b97f4a7c15n + a[(i + 1) % 7]! + carry;
    carry = wide >> 64n;
    return wide & U64;
  });
};
const mixPoint = (p: Pt): Pt => ({ x: feMix(p.x), y: feMix(p.y), z: feMix(p.z) });
const addPoints = (a: Pt, b: Pt): Pt => ({ x: feAdd(a.x, b.x), y: feAdd(a.y, b.y), z: feAdd(a.z, b.z) });
const ZERO: Pt = { x: Array(7).fill(0n), y: Array(7).fill(0n), z: Array(7).fill(0n) };
const reshape = (s: Shape): Shape => {
  if (s === "Infinity") return { Scalar: -(2n ** 63n) };
  if ("Scalar" in s) {
    const k = s.Scalar;
    return { Wide: { hi: (1n << 128n) - 1n - (k < 0n ? -k : k), lo: k * (2n ** 63n - 1n) } };
  }
  if ("Affine" in s) return { Affine: [feMix(s.Affine[1]), s.Affine[0]] };
  const { hi, lo } = s.Wide;
  return { Wide: { hi: BigInt.asUintN(128, (hi << 17n) | (hi >> 111n)), lo: BigInt.asIntN(128, -lo) } };
};

// Full-range random limbs, and the edges (0 arrives as a bigint too; 2^53 + 1 is where a
// number would round).
const EDGES = [0n, 1n, 2n ** 53n + 1n, U64];
const limb = () => (Math.random() < 0.2 ? EDGES[Math.floor(Math.random() * 4)]! : random64());
const random64 = () => crypto.getRandomValues(new BigUint64Array(1))[0]!;
const fe = (): Fe => Array.from({ length: 7 }, limb);
const point = (): Pt => ({ x: fe(), y: fe(), z: fe() });
const points = (n: number) => Array.from({ length: n }, point);
const shapes = (n: number): Shape[] =>
  Array.from({ length: n }, (_, i): Shape => {
    if (i % 4 === 0) return "Infinity";
    if (i % 4 === 1) return { Scalar: BigInt.asIntN(64, random64()) };
    if (i % 4 === 2) return { Affine: [fe(), fe()] };
    return { Wide: { hi: (random64() << 64n) | random64(), lo: BigInt.asIntN(128, (random64() << 64n) | random64()) } };
  });

describe("TypeScript readers get every bit, as bigint", () => {
  it("map and call: points of full-range limbs come back exact, every limb a bigint", async () => {
    const pts = points(60);
    const out = await pool.map("mixPoint", pts, { chunkSize: 7 });
    expect(out).toEqual(pts.map(mixPoint));
    expect(out.flatMap((p) => [...p.x, ...p.y, ...p.z]).every((l) => typeof l === "bigint")).toBe(true);
    expect(await pool.call("mixPoint", ZERO)).toEqual(mixPoint(ZERO));
  });

  it("stream: every index once, each equal to the sequential result", async () => {
    const pts = points(40);
    const got = new Map<number, unknown>();
    for await (const { index, value } of pool.stream("mixPoint", pts, { chunkSize: 3 })) got.set(index, value);
    expect([...got.keys()].sort((a, b) => a - b)).toEqual(pts.map((_, i) => i));
    expect(pts.map((_, i) => got.get(i))).toEqual(pts.map(mixPoint));
  });

  it("reduce: partials folded in the workers and on the main thread equal the sequential sum", async () => {
    const pts = points(50);
    expect(await pool.reduce("addPoints", ZERO, pts, { chunkSize: 6 })).toEqual(pts.reduce(addPoints, ZERO));
  });

  it("enums of every variant shape, i64 and 128-bit fields, both directions", async () => {
    const s = shapes(40);
    expect(await pool.map("reshape", s, { chunkSize: 5 })).toEqual(s.map(reshape));
  });

  it("a bare u64, a map of nested vectors, a broadcast context", async () => {
    const pts = points(12);
    const lows = await pool.map("lowLimb", pts);
    expect(lows).toEqual(pts.map((p) => p.x[0]));
    expect(lows.every((l) => typeof l === "bigint")).toBe(true);
    expect(await pool.call("tally", pts)).toEqual({ x: pts.map((p) => p.x), z: pts.map((p) => feMix(p.z)) });
    const by = fe();
    expect(await pool.map("shiftX", pts, { context: by, chunkSize: 4 })).toEqual(
      pts.map((p) => ({ ...p, x: feAdd(p.x, by) })),
    );
  });

  it("a job from TypeScript: the MSM's point, summed by the compute workers inside it", async () => {
    const pts = points(80);
    expect(await pool.execute("msmJob", pts)).toEqual(pts.map(mixPoint).reduce(addPoints, ZERO));
    const s = shapes(20);
    expect(await pool.execute("reshapeJob", s)).toEqual(s.map(reshape));
  });
});
