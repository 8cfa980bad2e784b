// Properties of the wire's value encoding (ts/protocol/frames.ts, cbor-x underneath): any
// JSON-like value, with BigInts and Float64Array / Uint8Array anywhere inside, comes back
// from decodeValue(encodeValue(v)) equal to v (typed arrays element by element, of their own
// type; a BigInt as a BigInt). Two inputs are known to come back changed; they are pinned separately below.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRequest, encodeRequest, Mode } from "../../ts/protocol/frames.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";

/** Strings of whole code points (lone surrogates have no UTF-8 form: CBOR text cannot carry them). */
const text = fc.string({ unit: "grapheme", maxLength: 12 });
/** Object keys, except `__proto__` (see "known changes" below). */
const key = fc.oneof(
  text.filter((k) => k !== "__proto__"),
  fc.constantFrom("", "0", "-1", "1e3", "constructor", "toString", "hasOwnProperty", "__proto_", "prototype"),
);
/** Every double but -0 (see below): NaN, ±Infinity, subnormals, integers past 2^53 included. */
const number = fc.oneof(
  fc.double().filter((x) => !Object.is(x, -0)),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, -(2 ** 32) - 1, 2 ** 53, 2 ** 64),
  fc.constantFrom(Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 65_535, 65_536, -65_537, 1e-7, 3.4e38),
);
/** A typed array, sometimes a view into the middle of a bigger buffer. */
function typed<T extends Float64Array | Uint8Array>(
  make: (xs: number[]) => T,
  element: fc.Arbitrary<number>,
): fc.Arbitrary<T> {
  return fc.tuple(fc.array(element, { maxLength: 24 }), fc.nat(3), fc.nat(3)).map(([xs, before, after]) => {
    const whole = make([...new Array(before).fill(7), ...xs, ...new Array(after).fill(7)]);
    return whole.subarray(before, before + xs.length) as T;
  });
}
const f64 = typed((xs) => Float64Array.from(xs), fc.double()); // -0 and NaN survive here: raw bytes
const u8 = typed((xs) => Uint8Array.from(xs), fc.integer({ min: 0, max: 255 }));
/** BigInts over the 128-bit range and the 64-bit edges (what a bigint kernel's integers hold). */
const U64 = 2n ** 64n - 1n;
const bigint = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: U64 }),
  fc.bigInt({ min: -(2n ** 127n), max: 2n ** 128n - 1n }),
  fc.constantFrom(0n, -1n, 2n ** 53n + 1n, U64, -(2n ** 64n), 2n ** 64n, -(2n ** 64n) - 1n),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    bigint,
    text,
    f64,
    u8,
    fc.array(tie("value"), { maxLength: 6 }),
    fc.dictionary(key, tie("value"), { maxKeys: 6 }),
  ),
}));

/** Deep equality where typed arrays compare by type and elements (Object.is: NaN, -0). */
function same(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return false;
    // Node's cbor-x hands out a Buffer for a byte string: a Uint8Array all the same.
    const kind = (x: unknown) => (x instanceof Uint8Array ? Uint8Array : (x as object).constructor);
    if (kind(a) !== kind(b)) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    return x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b);
}

describe("wire values (property)", () => {
  it("decodeValue(encodeValue(v)) equals v for JSON-like values holding Float64Array / Uint8Array", () => {
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeValue(encodeValue(v));
        if (!same(back, v)) expect.fail(`changed on the wire: ${show(v)} came back as ${show(back)}`);
      }),
      { numRuns: 3_000 },
    );
  });

  it("fc.jsonValue() (JSON.parse-able values, -0 and __proto__ keys aside) round-trips unchanged", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"')),
        (v) => {
          const plain = JSON.parse(JSON.stringify(v)); // -0 → 0, as JSON has it
          expect(same(decodeValue(encodeValue(plain)), plain)).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("encodeValue copies out: the bytes stay valid after later encodes, and a view encodes only its own elements", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const ea = encodeValue(a);
        const snapshot = ea.slice();
        encodeValue(b); // cbor-x reuses one buffer internally
        expect(ea).toEqual(snapshot);
        expect(ea.byteOffset).toBe(0);
        expect(ea.byteLength).toBe(ea.buffer.byteLength); // transferable without dragging more along
      }),
      { numRuns: 500 },
    );
  });

  it("a request frame carries any payload and context bytes unchanged", () => {
    fc.assert(
      fc.property(
        value,
        fc.option(value, { nil: undefined }),
        fc.nat(),
        text,
        fc.constantFrom(Mode.Map, Mode.Slice, Mode.Reduce, Mode.Pipe),
        (items, ctx, chunk, kernel, mode) => {
          const payload = encodeValue(items);
          const context = ctx === undefined ? null : { id: "pool:1", bytes: encodeValue(ctx) };
          const req = decodeRequest(encodeRequest({ call: "pool:1", chunk, kernel, mode, payload, context }));
          expect(req).toMatchObject({ call: "pool:1", chunk, kernel, mode });
          expect(same(decodeValue(req.payload), items)).toBe(true);
          if (ctx === undefined) expect(req.context).toBeNull();
          else expect(same(decodeValue(req.context!.bytes!), ctx)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// A `large_number_types_as_bigints` kernel's integers as Rust writes them (rust/pmap/src/js_int.rs):
// every 64-bit one with an 8-byte argument, beyond 64 bits a bignum. What TypeScript reads
// must be that BigInt, exactly, whatever its value; and cbor-x writes a BigInt the same way,
// so a value read from a kernel goes back to one unchanged (a reduce's partials do).
describe("BigInts as Rust writes them", () => {
  const be = (n: bigint, bytes: number) =>
    Array.from({ length: bytes }, (_, i) => Number((n >> BigInt(8 * (bytes - 1 - i))) & 255n));
  const rust = (v: bigint): number[] => {
    if (v >= 0n && v <= U64) return [0x1b, ...be(v, 8)];
    if (v < 0n && v >= -(2n ** 64n)) return [0x3b, ...be(-1n - v, 8)];
    const n = v < 0n ? -1n - v : v;
    const digits = be(n, 16).slice(be(n, 16).findIndex((b) => b !== 0));
    return [v < 0n ? 0xc3 : 0xc2, 0x40 + digits.length, ...digits];
  };

  it("decode to exactly that BigInt, every one a BigInt (0 and 5 too), and encode back to the same bytes", () => {
    fc.assert(
      fc.property(fc.array(bigint, { maxLength: 8 }), (vs) => {
        const bytes = Uint8Array.from([0x80 | vs.length, ...vs.flatMap(rust)]);
        const back = decodeValue<unknown[]>(bytes);
        expect(back.every((x, i) => typeof x === "bigint" && x === vs[i])).toBe(true);
        expect(same(decodeValue(encodeValue(vs)), vs)).toBe(true);
        // Byte for byte too, but at -2^64 (see "known changes" below).
        if (!vs.includes(-(2n ** 64n)))
          expect(Buffer.from(encodeValue(vs)).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
      }),
      { numRuns: 2_000 },
    );
  });

  it("inside structs, enums and maps, beside numbers that stay numbers", () => {
    fc.assert(
      fc.property(bigint, bigint, fc.integer(), (a, b, n) => {
        const v = { limbs: [a, b], tag: { Scalar: a }, small: n, byKey: { [String(b)]: [a] } };
        const back = decodeValue<typeof v>(encodeValue(v));
        expect(same(back, v)).toBe(true);
        expect(typeof back.small).toBe("number");
      }),
      { numRuns: 1_000 },
    );
  });
});

// Known changes on the wire, pinned so that a fix (or a cbor-x upgrade) shows up here.
describe("wire values: known changes", () => {
  it("-0 arrives as 0 (cbor-x writes a number equal to an integer as that integer); in a Float64Array it stays -0", () => {
    expect(Object.is(decodeValue(encodeValue(-0)), 0)).toBe(true);
    expect(Object.is(decodeValue<number[]>(encodeValue([-0]))[0], 0)).toBe(true);
    expect(Object.is(decodeValue<Float64Array>(encodeValue(Float64Array.of(-0)))[0], -0)).toBe(true);
  });

  it("-2^64 as a BigInt: cbor-x writes a bignum where Rust writes an 8-byte integer; both read back as -2^64", () => {
    expect(Buffer.from(encodeValue(-(2n ** 64n))).toString("hex")).toBe("c348ffffffffffffffff");
    expect(decodeValue(Uint8Array.of(0x3b, 255, 255, 255, 255, 255, 255, 255, 255))).toBe(-(2n ** 64n));
  });

  it('an own "__proto__" key arrives renamed "__proto_" (cbor-x guards against prototype pollution); the bytes are right', () => {
    const v = JSON.parse('{"__proto__": 1, "a": 2}');
    expect(Buffer.from(encodeValue(v)).toString("hex")).toBe("a2695f5f70726f746f5f5f01616102"); // {"__proto__": 1, "a": 2}
    const back = decodeValue<Record<string, unknown>>(encodeValue(v));
    expect(Object.keys(back)).toEqual(["__proto_", "a"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype); // no pollution either
  });
});

function show(v: unknown): string {
  return JSON.stringify(v, (_, x) =>
    ArrayBuffer.isView(x)
      ? `${x.constructor.name}[${Array.from(x as unknown as ArrayLike<number>).join(",")}]`
      : typeof x === "bigint"
        ? `${x}n`
        : typeof x === "number" && !Number.isFinite(x)
          ? String(x)
          : Object.is(x, -0)
            ? "-0"
            : x,
  );
}
