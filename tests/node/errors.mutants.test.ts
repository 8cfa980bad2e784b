// The error classes' messages and fields, and the failure-frame conversions at their edges
// (ts/protocol/errors.ts). Found unpinned by the mutation run (npm run mutants).
import { describe, expect, it } from "vitest";
import {
  AbortError,
  DecodeError,
  failureError,
  fromFailure,
  KernelError,
  kindOfClass,
  PmapError,
  PoolTerminatedError,
  QueueFullError,
  TimeoutError,
  toFailure,
  UnknownKernelError,
} from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";

const INFO: KernelInfo = { name: "k", kind: "map", input: "number", output: "number" };

describe("error messages say what a caller needs", () => {
  it("KernelError names the kernel, and the item when known; panicked defaults to false", () => {
    const plain = new KernelError("k", "bad input", 2);
    expect(plain.message).toBe('kernel "k": bad input');
    expect(plain).toMatchObject({ kernel: "k", chunk: 2, item: undefined, panicked: false });
    expect(new KernelError("k", "bad input", 2, 0).message).toBe('kernel "k" (item 0): bad input');
    expect(new KernelError("k", "x", 0, undefined, true).panicked).toBe(true);
  });

  it("UnknownKernelError, TimeoutError, QueueFullError, PoolTerminatedError, AbortError", () => {
    const unknown = new UnknownKernelError("dbl", ["double", "sum"]);
    expect(unknown.message).toBe('no kernel named "dbl"; known kernels: double, sum');
    expect(unknown.known).toEqual(["double", "sum"]);
    const slow = new TimeoutError("k", 4, 250);
    expect(slow.message).toBe('kernel "k": chunk 4 ran longer than 250 ms; its worker was replaced');
    expect(slow).toMatchObject({ kernel: "k", chunk: 4, timeoutMs: 250 });
    expect(new QueueFullError(8).message).toBe(
      "the pool's queue is full (maxQueue 8 chunks); retry later or raise maxQueue",
    );
    expect(new QueueFullError(8).maxQueue).toBe(8);
    expect(new PoolTerminatedError().message).toBe("the wasm-pmap pool has been terminated");
    expect(new AbortError().message).toBe("aborted");
    expect(new AbortError("stop", "why").reason).toBe("why");
    expect(new DecodeError("k", "number", "m").item).toBeUndefined();
  });
});

describe("failure frames", () => {
  it("a decode failure keeps its own expected type, or takes the kernel's input; its item is call-wide", () => {
    const at = { chunk: 1, start: 10 };
    const own = failureError({ kind: "decode", kernel: "k", message: "not a number", expected: "u8" }, INFO, at);
    expect(own).toMatchObject({ expected: "u8", item: undefined, message: 'kernel "k": not a number' });
    const named = failureError({ kind: "decode", kernel: "k", message: "not a number", index: 0 }, INFO, at);
    expect(named).toMatchObject({ expected: "number", item: 10, message: 'kernel "k": item 10 not a number' });
  });

  it("an unknownKernel failure without a list has an empty one; other kinds name the kernel, or the call's", () => {
    const unknown = failureError({ kind: "unknownKernel", kernel: "x", message: "" }, INFO, { chunk: 0, start: 0 });
    expect((unknown as UnknownKernelError).known).toEqual([]);
    const generic = failureError({ kind: "encode", kernel: "", message: "too big" }, INFO, { chunk: 0, start: 0 });
    expect(generic.constructor).toBe(PmapError);
    expect(generic.message).toBe('kernel "k": encode error: too big');
    const named = failureError({ kind: "frame", kernel: "other", message: "m" }, INFO, { chunk: 0, start: 0 });
    expect(named.message).toBe('kernel "other": frame error: m');
  });

  it("toFailure: an error without a kernel takes the label; a thrown non-error becomes its string", () => {
    // Strict: a failure without an item has no `index` key at all (Rust reads it as an Option).
    expect(toFailure(new Error("plain"), "pipe")).toStrictEqual({ kind: "pool", kernel: "pipe", message: "plain" });
    expect(toFailure("just a string", "pipe")).toStrictEqual({
      kind: "pool",
      kernel: "pipe",
      message: "just a string",
    });
    expect(toFailure(undefined, "pipe")).toStrictEqual({ kind: "pool", kernel: "pipe", message: "undefined" });
    expect(toFailure(new KernelError("k", "x", 0), "pipe")).toStrictEqual({
      kind: "kernel",
      kernel: "k",
      message: "x",
    });
  });

  it('toFailure strips only our own `kernel "k":` prefix', () => {
    const f = (message: string) => toFailure(Object.assign(new PmapError(message), { kernel: "k" }), "l").message;
    expect(f('kernel "k": boom')).toBe("boom");
    expect(f('kernel "k" (item 12): boom')).toBe("item 12: boom");
    expect(f('kernel "k"boom')).toBe('kernel "k"boom'); // no separator: left as is
    expect(f('kernel "k" (item x): boom')).toBe('kernel "k" (item x): boom');
    expect(f('kernel "k" and (item 3): boom')).toBe('kernel "k" and (item 3): boom');
    expect(f('the kernel "k": boom')).toBe('the kernel "k": boom');
  });

  it("fromFailure carries kernel and item; a kind it does not know is a PmapError", () => {
    const e = fromFailure({ kind: "kernel", kernel: "k", message: "m", index: 4 });
    expect(e).toMatchObject({ name: "KernelError", message: "m", kernel: "k", item: 4 });
    const odd = fromFailure({ kind: "martian" as never, kernel: "k", message: "m" });
    expect(odd.name).toBe("PmapError");
  });

  it("kindOfClass: no name, an empty name, or PmapError travel as pool", () => {
    expect(kindOfClass(undefined)).toBe("pool");
    expect(kindOfClass("")).toBe("pool");
    expect(kindOfClass("PmapError")).toBe("pool");
    expect(kindOfClass("TimeoutError")).toBe("timeout");
  });
});
