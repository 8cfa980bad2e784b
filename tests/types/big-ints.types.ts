// Type test, checked by `tsc --noEmit` in `npm test` (see api.types.ts): a
// `large_number_types_as_bigints` kernel's 64/128-bit integers are declared `bigint`, and only
// those; a kernel of numbers keeps `number`. The kernels: tests/test-kernels/src/big_ints.rs.
import type { Pool } from "../../dist/index.js";
import type { CurvePoint, Kernels, Shape } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";

export async function bigIntTypes(pool: Pool<Kernels>, p: CurvePoint, s: Shape): Promise<void> {
  const lows: bigint[] = await pool.map("lowLimb", [p]);
  const limb: bigint = (await pool.call("mixPoint", p)).x[6];
  const sum: CurvePoint = await pool.reduce("addPoints", p, [p]);
  const job: CurvePoint = await pool.execute("msmJob", [p]);
  const shapes: Shape[] = await pool.map("reshape", [s, "Infinity", { Scalar: -5n }]);
  const tallies: Record<string, CurvePoint["x"][]>[] = await pool.map("tally", [[p]]);
  void [lows, limb, sum, job, shapes, tallies];

  // @ts-expect-error a bigint kernel's u64 output is a bigint, not a number
  const asNumbers: number[] = await pool.map("lowLimb", [p]);
  // @ts-expect-error its limbs are bigints: a number limb does not type-check
  await pool.call("mixPoint", { ...p, x: [1, 2, 3, 4, 5, 6, 7] });
  // @ts-expect-error an i64 variant holds a bigint
  await pool.call("reshape", { Scalar: 5 });

  // A kernel of numbers keeps `number` for its u64.
  const echoed: number[] = await pool.map("echoU64", [1]);
  // @ts-expect-error echoU64 is not a bigint kernel
  const echoedBig: bigint[] = await pool.map("echoU64", [1]);
  void [asNumbers, echoed, echoedBig];
}
