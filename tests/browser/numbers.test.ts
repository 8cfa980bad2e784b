// Integers of every width across the wire, both directions, in the browser with the real
// module (issue 9 #5): what arrives matches the declared TS type (`number`), integers up to
// Number.MAX_SAFE_INTEGER are exact both ways, anything beyond is a DecodeError naming the
// kernel — never a silently changed value or a BigInt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, DecodeError, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels } from "./fixtures/test-kernels.js";

const module = testKernels;
let pool: Pool<Kernels>;
beforeAll(async () => {
  pool = await createPool<Kernels>({ concurrency: 2, module });
});
afterAll(() => pool?.terminate());

const MAX = Number.MAX_SAFE_INTEGER;
const VALUES = [0, -1, 2 ** 31, -(2 ** 31), 2 ** 32, MAX, -MAX, 2 ** 53, -(2 ** 53)];
// [min, max] each kernel takes exactly (wasm32: usize/isize are 32-bit); beyond ±MAX never.
const RANGES: Record<string, [number, number]> = {
  echoU8: [0, 255],
  echoU16: [0, 65_535],
  echoU32: [0, 2 ** 32 - 1],
  echoUsize: [0, 2 ** 32 - 1],
  echoU64: [0, MAX],
  echoI8: [-128, 127],
  echoI16: [-32_768, 32_767],
  echoI32: [-(2 ** 31), 2 ** 31 - 1],
  echoIsize: [-(2 ** 31), 2 ** 31 - 1],
  echoI64: [-MAX, MAX],
};

describe("integers of every width", () => {
  it.each(Object.entries(RANGES))(
    "%s: exact within its range and ±MAX_SAFE_INTEGER, a DecodeError beyond",
    async (kernel, [min, max]) => {
      const out = await pool.mapSettled(kernel as "echoU64", VALUES, { chunkSize: 1 });
      VALUES.forEach((v, i) => {
        const r = out[i]!;
        if (v >= min && v <= max) {
          expect(r, `${kernel}(${v})`).toEqual({ ok: true, value: v });
          expect(typeof (r as { value: unknown }).value).toBe("number");
        } else {
          expect(r.ok, `${kernel}(${v}) should be refused`).toBe(false);
          const err = (r as { error: Error }).error;
          expect(err).toBeInstanceOf(DecodeError);
          expect(err).toMatchObject({ kernel });
        }
      });
    },
  );
});

describe("no silent coercions (issue 9 #11)", () => {
  it("a Date, a Number object or a DataView where a number is expected is a DecodeError, not a number", async () => {
    const items = [new Date(5000), new Number(3), new DataView(new ArrayBuffer(4))] as unknown as number[];
    const out = await pool.mapSettled("echoU32", items, { chunkSize: 1 });
    for (const r of out) {
      expect(r.ok).toBe(false);
      expect((r as { error: Error }).error).toBeInstanceOf(DecodeError);
    }
    expect((out[0] as { error: Error }).error.message).toContain("CBOR tag 1 (a JS Date: pass date.getTime())");
  });
});
