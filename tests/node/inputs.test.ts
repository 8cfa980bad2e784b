// What a call reads of its items (ts/pool/items.ts): the snapshot taken when the call is
// made, and the check of that snapshot against the kernel's kind and input type — each
// refusal naming the kernel and what it got. pool.test.ts drives the same code through a
// real pool.
import { describe, expect, it } from "vitest";
import { checkItems, snapshot } from "../../ts/pool/items.js";
import { DecodeError, PmapError } from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import { thrown } from "./fake-worker.js";

const MAP: KernelInfo = { name: "double", kind: "map", input: "number", output: "number" };
const SLICE: KernelInfo = { name: "invert", kind: "slice", input: "Uint8Array", output: "Uint8Array" };
const JOB: KernelInfo = { name: "squares", kind: "job", input: "number", output: "number[]" };

describe("snapshot", () => {
  it("copies arrays and typed arrays: later changes to the caller's container do not show", () => {
    const items = [1, 2, 3];
    const copy = snapshot("k", items) as number[];
    items.length = 0;
    expect(copy).toEqual([1, 2, 3]);
    const typed = Float64Array.of(1, 2);
    const tcopy = snapshot("k", typed) as Float64Array;
    typed.fill(9);
    expect(tcopy).toBeInstanceOf(Float64Array);
    expect(Array.from(tcopy)).toEqual([1, 2]);
  });

  it("turns any other iterable (a Set, a generator) into an array, read once, now", () => {
    expect(snapshot("k", new Set([3, 1]))).toEqual([3, 1]);
    let reads = 0;
    function* gen() {
      reads++;
      yield 1;
      yield 2;
    }
    expect(snapshot("k", gen())).toEqual([1, 2]);
    expect(reads).toBe(1);
  });

  it("hands back as is what it cannot copy, for checkItems to refuse: a string, a DataView, null, a number, an object", () => {
    const view = new DataView(new ArrayBuffer(4));
    const obj = { length: 2 };
    for (const v of ["abc", view, null, undefined, 7, obj]) expect(snapshot("k", v)).toBe(v);
  });

  it("a typed array whose buffer was transferred away is a TypeError naming the kernel and the array's type", () => {
    const typed = new Float32Array(4);
    structuredClone(typed.buffer, { transfer: [typed.buffer] });
    const err = thrown(() => snapshot("invert", typed));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe(
      'kernel "invert": the Float32Array\'s buffer is detached (transferred elsewhere); pass a live one',
    );
  });

  it("an empty typed array over a live buffer is not mistaken for a detached one", () => {
    expect(Array.from(snapshot("k", new Uint8Array(0)) as Uint8Array)).toEqual([]);
    expect(Array.from(snapshot("k", new Uint8Array(new ArrayBuffer(8), 8)) as Uint8Array)).toEqual([]);
  });
});

describe("checkItems", () => {
  it("a job is refused: it runs with pool.execute", () => {
    const err = thrown(() => checkItems(JOB, [1]));
    expect(err).toBeInstanceOf(PmapError);
    expect(err.message).toBe('kernel "squares" is a #[kernel(job)]: run it with pool.execute');
  });

  it("a map kernel takes an array or a typed array (one item per element)", () => {
    const arr = [1, 2];
    const typed = Float64Array.of(1);
    expect(checkItems(MAP, arr)).toBe(arr);
    expect(checkItems(MAP, typed)).toBe(typed);
  });

  it("anything else is a TypeError naming the kernel, its input type and what it got", () => {
    const msg = (v: unknown) => thrown(() => checkItems(MAP, v));
    expect(msg("abc")).toBeInstanceOf(TypeError);
    expect(msg("abc").message).toBe('kernel "double": items must be an array or iterable of number, got string');
    expect(msg(null).message).toMatch(/got null$/);
    expect(msg(new DataView(new ArrayBuffer(1))).message).toMatch(/got DataView$/);
    expect(msg({ length: 1 }).message).toMatch(/got object$/);
    expect(msg(3).message).toMatch(/got number$/);
  });

  it("a slice kernel takes only its own typed array; a plain array or nothing is a TypeError naming what to pass", () => {
    const bytes = Uint8Array.of(1, 2);
    expect(checkItems(SLICE, bytes)).toBe(bytes);
    const arr = thrown(() => checkItems(SLICE, [1, 2]));
    expect(arr).toBeInstanceOf(TypeError);
    expect(arr.message).toBe('kernel "invert" is a slice kernel: pass a Uint8Array, got an array');
    expect(thrown(() => checkItems(SLICE, undefined)).message).toMatch(/got undefined$/);
  });

  it("another element type is a DecodeError naming both types (bytes are never reinterpreted)", () => {
    const err = thrown(() => checkItems(SLICE, new Float32Array(2))) as DecodeError;
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.kernel).toBe("invert");
    expect(err.expected).toBe("Uint8Array");
    expect(err.message).toBe(
      'kernel "invert" takes a Uint8Array, got a Float32Array: bytes are never reinterpreted as another element type',
    );
    const f32: KernelInfo = { ...SLICE, input: "Float32Array" };
    expect(thrown(() => checkItems(f32, new Uint8Array(2)))).toBeInstanceOf(DecodeError);
  });

  it("a Uint8ClampedArray counts as bytes for a Uint8Array kernel only", () => {
    const clamped = new Uint8ClampedArray(2);
    expect(checkItems(SLICE, clamped)).toBe(clamped);
    const i8: KernelInfo = { ...SLICE, input: "Int8Array" };
    expect(thrown(() => checkItems(i8, clamped))).toBeInstanceOf(DecodeError);
  });
});
