// ts/protocol/frames.ts against the byte vectors that rust/pmap/src/wire/tests/vectors.rs
// checks wire.rs against; frames that are not well-formed, and what values.ts makes of the
// values the vectors do not reach.
import { describe, expect, it } from "vitest";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type Failure,
  Mode,
  WIRE_VERSION,
} from "../../ts/protocol/frames.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import vectors from "../vectors/wire.json";

const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** JSON stand-ins for typed arrays and BigInts, as the vectors file writes them. */
function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("$f64" in o) return Float64Array.from(o.$f64 as number[]);
    if ("$bytes" in o) return unhex(o.$bytes as string);
    if ("$bigint" in o) return BigInt(o.$bigint as string);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromJson(x)]));
  }
  return v;
}

/** cbor-x gives Buffers in node; compare bytes as plain Uint8Arrays. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array && !(v.constructor === Uint8Array)) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object" && !ArrayBuffer.isView(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

describe("frames.ts matches the shared vectors", () => {
  it.each(vectors.values)("value $name decodes to the value and (when exact) encodes to the bytes", (vec) => {
    const value = fromJson(vec.value);
    expect(plain(decodeValue(unhex(vec.hex)))).toEqual(value);
    if (vec.exactFromJs) expect(hex(encodeValue(value))).toBe(vec.hex);
    else expect(plain(decodeValue(encodeValue(value)))).toEqual(value); // same value, other float width
  });

  it.each(vectors.requests)("request $name round-trips byte for byte", (vec) => {
    const req = decodeRequest(unhex(vec.hex));
    expect(req).toMatchObject({ call: vec.call, chunk: vec.chunk, kernel: vec.kernel, mode: vec.mode });
    expect(hex(req.payload)).toBe(vec.payloadHex);
    const ctx = vec.context as { id: string; bytesHex: string | null } | null;
    expect(req.context && { id: req.context.id, bytesHex: req.context.bytes && hex(req.context.bytes) }).toEqual(ctx);
    const context = ctx && { id: ctx.id, bytes: ctx.bytesHex === null ? null : unhex(ctx.bytesHex) };
    const again = encodeRequest({
      call: vec.call,
      chunk: vec.chunk,
      kernel: vec.kernel,
      mode: vec.mode as Mode,
      payload: unhex(vec.payloadHex),
      context,
    });
    expect(hex(again)).toBe(vec.hex);
  });

  it.each(vectors.responses)("response $name round-trips byte for byte", (vec) => {
    const resp = decodeResponse(unhex(vec.hex));
    expect(resp).toMatchObject({ call: vec.call, chunk: vec.chunk });
    if (resp.ok) {
      expect(hex(resp.body)).toBe(vec.bodyHex);
      expect(hex(encodeResponse(resp))).toBe(vec.hex);
    } else {
      expect(resp.failure).toEqual(vec.failure);
      // The file keeps the Rust struct's field order, so the map encodes to the same bytes.
      expect(
        hex(encodeResponse({ call: vec.call, chunk: vec.chunk, ok: false, failure: vec.failure as Failure })),
      ).toBe(vec.hex);
    }
  });
});

describe("frames.ts framing", () => {
  it("rejects frames of another wire version", () => {
    const bytes = unhex(vectors.requests[0]!.hex);
    bytes[1] = 2;
    expect(() => decodeRequest(bytes)).toThrow(/wire version 2/);
  });

  it("returns buffers it owns, so transferring one never detaches another", () => {
    const a = encodeValue([1, 2, 3]);
    const b = encodeValue([4, 5, 6]);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteLength).toBe(a.buffer.byteLength);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    expect(hex(b)).toBe("83040506");
  });

  it("sends a Float64Array as one tagged byte string, not per-element numbers", () => {
    const bytes = encodeValue(new Float64Array(1000));
    expect(bytes.byteLength).toBeLessThan(8000 + 8);
    expect(hex(bytes.subarray(0, 2))).toBe("d856"); // tag 86: float64 little-endian
  });
});

describe("response frames that are not well-formed", () => {
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
