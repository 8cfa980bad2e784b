// Frames (ts/protocol/frames.ts) that are not well-formed, and decoder options the shared
// vectors do not reach: found unpinned by the mutation run (npm run mutants).
import { describe, expect, it } from "vitest";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  Mode,
  WIRE_VERSION,
} from "../../ts/protocol/frames.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";

describe("response frames that are not", () => {
  it("anything but a 5-element array is a malformed frame", () => {
    for (const v of [{ a: 1 }, [1, "c", 0, 0], [1, "c", 0, 0, new Uint8Array(0), 9], "x"]) {
      expect(() => decodeResponse(encodeValue(v))).toThrow(new TypeError("malformed wasm-pmap response frame"));
    }
  });

  it("another wire version or an unknown status is refused, naming it", () => {
    expect(() => decodeResponse(encodeValue([2, "c", 0, 0, new Uint8Array(0)]))).toThrow(
      new TypeError(`wire version 2, this package speaks ${WIRE_VERSION}`),
    );
    expect(() => decodeResponse(encodeValue([1, "c", 0, 2, new Uint8Array(0)]))).toThrow(
      new TypeError("bad response status 2"),
    );
  });

  it("status 0 is a body, status 1 a failure", () => {
    const ok = decodeResponse(encodeResponse({ call: "c", chunk: 3, ok: true, body: Uint8Array.of(1) }));
    expect(ok).toMatchObject({ call: "c", chunk: 3, ok: true });
    const failure = { kind: "kernel" as const, kernel: "k", message: "m" };
    expect(decodeResponse(encodeResponse({ call: "c", chunk: 3, ok: false, failure }))).toEqual({
      call: "c",
      chunk: 3,
      ok: false,
      failure,
    });
  });
});

describe("request frames", () => {
  it("carry no context as null, and a context as [id, bytes | null]", () => {
    const base = { call: "p:1", chunk: 0, kernel: "k", mode: Mode.Map, payload: Uint8Array.of(0x80) };
    expect(decodeValue<unknown[]>(encodeRequest({ ...base, context: null }))[6]).toBeNull();
    const withId = decodeValue<unknown[]>(encodeRequest({ ...base, context: { id: "p:1", bytes: null } }));
    expect(withId[6]).toEqual(["p:1", null]);
    expect(decodeRequest(encodeRequest({ ...base, context: { id: "p:1", bytes: null } })).context).toEqual({
      id: "p:1",
      bytes: null,
    });
    expect(decodeRequest(encodeRequest({ ...base, context: null })).context).toBeNull();
  });
});

describe("values", () => {
  it("an integer's width decides its JS type: 8 bytes a BigInt whatever its value, up to 4 a number", () => {
    // As Rust writes them: a bigint kernel's u64 5 and i64 -2^63, a number kernel's 2^40.
    expect(decodeValue(Uint8Array.of(0x1b, 0, 0, 0, 0, 0, 0, 0, 5))).toBe(5n);
    expect(decodeValue(Uint8Array.of(0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(-(2n ** 63n));
    expect(decodeValue(Uint8Array.of(0x1a, 0xff, 0xff, 0xff, 0xff))).toBe(2 ** 32 - 1);
    expect(decodeValue(Uint8Array.of(0xfb, 0x42, 0x70, 0, 0, 0, 0, 0, 0))).toBe(2 ** 40);
  });

  it("maps decode as plain objects and Uint8Array encodes as an untagged byte string", () => {
    expect(decodeValue(encodeValue({ a: 1 }))).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(decodeValue(encodeValue({ a: 1 })))).toBe(Object.prototype);
    expect(Array.from(encodeValue(Uint8Array.of(7)))).toEqual([0x41, 7]);
  });

  it("objects are plain CBOR maps (no cbor-x records), whose length is in the shortest form", () => {
    expect(Array.from(encodeValue({ a: 1 }))).toEqual([0xa1, 0x61, 0x61, 0x01]);
    const again = encodeValue([{ a: 1 }, { a: 2 }]);
    expect(Array.from(again)).toEqual([0x82, 0xa1, 0x61, 0x61, 0x01, 0xa1, 0x61, 0x61, 0x02]);
  });
});
