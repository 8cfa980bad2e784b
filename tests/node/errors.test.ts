// The error classes (ts/protocol/errors.ts): the TS error table against the one both languages
// check (tests/vectors/errors.json), each class's message and fields (what a caller needs),
// and the failure-frame conversions both ways.
import { describe, expect, it } from "vitest";
import * as errors from "../../ts/protocol/errors.js";
import {
  AbortError,
  DecodeError,
  ERROR_KINDS,
  type ErrorKind,
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
import table from "../vectors/errors.json";

const classes = errors as unknown as Record<string, new (...args: never[]) => Error>;
const INFO: KernelInfo = { name: "k", kind: "map", input: "number", output: "number" };

describe("error kinds", () => {
  it("ERROR_KINDS is the shared table, row for row", () => {
    expect(Object.entries(ERROR_KINDS)).toEqual(table.kinds.map((r) => [r.kind, r.class]));
  });

  it("every class of the table exists, extends PmapError and carries its name", () => {
    for (const { class: name } of table.kinds) {
      const C = classes[name];
      expect(C, name).toBeTypeOf("function");
      const args = name === "UnknownKernelError" ? ["k", ["a"]] : ["k", "m", 0, 0];
      const e = Reflect.construct(C!, args) as Error;
      expect(e).toBeInstanceOf(errors.PmapError);
      expect(e.name).toBe(name);
    }
  });

  it("a class other than PmapError stands for exactly one kind, and round-trips through a failure frame", () => {
    for (const { kind, class: name } of table.kinds) {
      if (name === "PmapError") {
        expect(kindOfClass(name)).toBe("pool");
        continue;
      }
      expect(kindOfClass(name)).toBe(kind);
      const err = Object.assign(new errors.PmapError("boom"), { name, kernel: "k" });
      const f = toFailure(err, "label");
      expect(f).toMatchObject({ kind, kernel: "k", message: "boom" });
      expect(fromFailure(f).name).toBe(name); // what Rust reads back as its ErrorKind
    }
    expect(kindOfClass("TypeError")).toBe("pool");
  });

  it("kindOfClass: no name, an empty name, or PmapError travel as pool", () => {
    expect(kindOfClass(undefined)).toBe("pool");
    expect(kindOfClass("")).toBe("pool");
    expect(kindOfClass("PmapError")).toBe("pool");
    expect(kindOfClass("TimeoutError")).toBe("timeout");
  });
});

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
  it("failure frames from Rust become the typed classes with call-wide item indices", () => {
    const info = { name: "k", kind: "map" as const, input: "number", output: "number" };
    const at = { chunk: 3, start: 100 };
    const decode = failureError(
      { kind: "decode", kernel: "k", message: "bad", expected: "number", index: 2 },
      info,
      at,
    );
    expect(decode).toBeInstanceOf(errors.DecodeError);
    expect(decode).toMatchObject({ kernel: "k", expected: "number", item: 102 });
    const kernel = failureError({ kind: "kernel", kernel: "k", message: "no", index: 1 }, info, at);
    expect(kernel).toMatchObject({ name: "KernelError", chunk: 3, item: 101 });
    const unknown = failureError({ kind: "unknownKernel", kernel: "x", message: "", known: ["k"] }, info, at);
    expect(unknown).toMatchObject({ name: "UnknownKernelError", known: ["k"] });
    for (const kind of ["frame", "encode", "contextMissing"] as ErrorKind[]) {
      const e = failureError({ kind, kernel: "k", message: "m" }, info, at);
      expect(e.name).toBe("PmapError");
      expect(e.message).toContain(`${kind} error`);
    }
  });

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

  it('a failure frame names the kernel once: the message loses our `kernel "k":` prefix (issue 9 #13)', () => {
    expect(toFailure(new errors.KernelError("k", "boom", 0, 3), "label")).toMatchObject({
      kernel: "k",
      message: "item 3: boom",
      index: 3,
    });
    expect(toFailure(new errors.TimeoutError("k", 2, 50), "label").message).toBe(
      "chunk 2 ran longer than 50 ms; its worker was replaced",
    );
    expect(toFailure(new errors.PmapError('kernel "other": x'), "k").message).toBe('kernel "other": x');
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
});

describe("one way back from a failure frame (the error table)", () => {
  it("every kind becomes an instance of its table class, on the page and in the executor", () => {
    const info = { name: "k", kind: "map" as const, input: "number", output: "number" };
    for (const { kind, class: name } of table.kinds) {
      const cls = (errors as unknown as Record<string, abstract new (...a: never[]) => unknown>)[name]!;
      const toRust = fromFailure({ kind, kernel: "k", message: "m", index: 2 });
      expect(toRust).toBeInstanceOf(cls);
      expect(toRust).toMatchObject({ name, message: "m", kernel: "k", item: 2 });
      const onPage = failureError({ kind, kernel: "k", message: "m" }, info, { chunk: 0, start: 0 });
      expect(onPage).toBeInstanceOf(cls);
      expect(onPage.name).toBe(name);
    }
  });
});
