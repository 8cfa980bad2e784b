// The TS error table against the one both languages check (tests/vectors/errors.json).
import { describe, expect, it } from "vitest";
import * as errors from "../../ts/protocol/errors.js";
import {
  ERROR_KINDS,
  type ErrorKind,
  failureError,
  fromFailure,
  kindOfClass,
  toFailure,
} from "../../ts/protocol/errors.js";
import table from "../vectors/errors.json";

const classes = errors as unknown as Record<string, new (...args: never[]) => Error>;

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
