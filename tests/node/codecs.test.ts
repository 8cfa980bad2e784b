// The codecs a call is given when it starts (ts/pool/codecs.ts): what each one says about its
// chunks, and the slice codec's typed-array table pinned to typed.rs's (the third copy of it:
// the macro's ts_type.rs is pinned by rust/pmap/tests/typed_arrays.rs).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../ts/pool/buffers.js";
import { Codec, TYPED_ARRAYS } from "../../ts/pool/codecs.js";
import { DecodeError } from "../../ts/protocol/errors.js";
import { Mode } from "../../ts/protocol/frames.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";

const K = { name: "k", kind: "map" as const, input: "number", output: "number" };

describe("codecs", () => {
  it("the slice codec knows exactly the typed arrays typed.rs's table names", () => {
    const rust = readFileSync(new URL("../../rust/pmap/src/typed.rs", import.meta.url), "utf8");
    const table = rust.slice(rust.indexOf("elements! {"));
    const names = [...table.matchAll(/^\s*\w+ => (?:None|Some\(\d+\)), "(\w+)";$/gm)].map((m) => m[1]);
    expect(names).toHaveLength(10);
    expect(Object.keys(TYPED_ARRAYS).sort()).toEqual(names.sort());
    for (const [name, make] of Object.entries(TYPED_ARRAYS)) expect(make.name).toBe(name);
  });

  it("each codec's wire mode, chunking and output check", () => {
    const shape = (c: (typeof Codec)[keyof typeof Codec]) => [c.mode, c.onePerChunk, c.perItem];
    expect(shape(Codec.map)).toEqual([Mode.Map, false, true]);
    expect(shape(Codec.reduce)).toEqual([Mode.Reduce, false, false]);
    expect(shape(Codec.slice)).toEqual([Mode.Slice, false, false]);
    expect(shape(Codec.pipe)).toEqual([Mode.Pipe, true, false]);
    expect(shape(Codec.job)).toEqual([Mode.Map, true, false]);
  });

  it("values: a span's items as CBOR (typed arrays as plain numbers), bodies decoded; an unencodable item named", () => {
    expect(decodeValue(Codec.map.payload([1, 2, 3, 4], { start: 1, end: 3 }))).toEqual([2, 3]);
    expect(decodeValue(Codec.map.payload(Float32Array.of(1, 2, 3), { start: 0, end: 2 }))).toEqual([1, 2]);
    expect(Codec.map.output(K, encodeValue([5, 6]), undefined)).toEqual([5, 6]);
    expect(Codec.map.itemBytes([1])).toBeUndefined();
    const err = Codec.map.encodeError(K, [1, () => 0], 0, { start: 0, end: 2 }, new Error("no"));
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ item: 1, expected: "number" });
  });

  it("slice: the array's name as payload, its span's bytes beside the frame, bytes back as the declared array", () => {
    const items = Int16Array.of(1, 2, 3, 4);
    expect(new TextDecoder().decode(Codec.slice.payload(items, { start: 0, end: 2 }))).toBe("Int16Array");
    expect(Codec.slice.payload(items, { start: 2, end: 4 })).toBe(Codec.slice.payload(items, { start: 0, end: 2 }));
    expect(Codec.slice.itemBytes(items)).toBe(2);
    const data = Codec.slice.data(items, { start: 1, end: 3 }, new BufferPool())!;
    expect(Array.from(new Int16Array(data))).toEqual([2, 3]);
    const out = Codec.slice.output(
      { ...K, kind: "slice", output: "Float64Array" },
      new Uint8Array(),
      Float64Array.of(1.5).buffer,
    );
    expect(out).toEqual(Float64Array.of(1.5));
  });

  it("ready-made payloads: the item is the payload, the body comes back as its bytes", () => {
    const payloads = [Uint8Array.of(1), Uint8Array.of(2)];
    expect(Codec.pipe.payload(payloads, { start: 1, end: 2 })).toBe(payloads[1]);
    expect(Codec.job.data(payloads, { start: 0, end: 1 }, new BufferPool())).toBeUndefined();
    const body = Uint8Array.of(0x80);
    expect(Codec.pipe.output(K, body, undefined)).toEqual([body]);
    expect(Codec.job.encodeError(K, payloads, 3, { start: 0, end: 1 }, "x").message).toBe(
      'kernel "k": chunk 3 could not be encoded: x',
    );
  });
});
