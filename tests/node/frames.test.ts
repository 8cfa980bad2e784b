// ts/protocol/frames.ts against the byte vectors that rust/pmap/src/wire/tests/vectors.rs checks wire.rs against.
import { describe, expect, it } from "vitest";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type Failure,
  type Mode,
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
