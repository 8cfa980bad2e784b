// What a chunk sends (ts/pool/call.ts): the payload per codec (map, slice, ready-made payloads), the slice
// path's side data, how a call cuts itself into tasks, and the error when a chunk cannot be
// encoded (naming the item at fault when one is).
import { describe, expect, it } from "vitest";
import { BufferPool } from "../../ts/pool/buffers.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ConcatSink } from "../../ts/pool/collect.js";
import { DecodeError } from "../../ts/protocol/errors.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { makeCall, task } from "./call-harness.js";

describe("chunk payloads", () => {
  it("map over an array: the chunk's items; over a typed array: plain numbers, one item each", () => {
    const { call } = makeCall([1, 2, 3, 4, 5]);
    expect(decodeValue(call.payload(task(call, 1, 4, 5)))).toEqual([5]);
    const typed = makeCall(Float64Array.of(1.5, 2.5, 3.5)).call;
    expect(decodeValue(typed.payload(task(typed, 0, 1, 3)))).toEqual([2.5, 3.5]);
  });

  it("payload bytes are the CBOR of the items (what a worker decodes)", () => {
    const { call } = makeCall([{ a: 1 }, "x"]);
    expect(Array.from(call.payload(task(call, 0, 0, 2)))).toEqual(Array.from(encodeValue([{ a: 1 }, "x"])));
  });

  it("slice mode: the payload names the typed array; the chunk's bytes are a fresh copy of its span", () => {
    const items = Float32Array.of(1, 2, 3, 4);
    const { call } = makeCall(items, { codec: Codec.slice, sink: new ConcatSink(4, () => null) });
    const t = task(call, 0, 1, 3);
    expect(new TextDecoder().decode(call.payload(t))).toBe("Float32Array");
    const buffers = new BufferPool();
    const data = call.data(t, buffers)!;
    expect(Array.from(new Float32Array(data))).toEqual([2, 3]);
    expect(data).not.toBe(items.buffer);
    // Transferring it (detaching it) leaves the call's items intact, for a retry.
    structuredClone(data, { transfer: [data] });
    expect(Array.from(new Float32Array(call.data(t, buffers)!))).toEqual([2, 3]);
    // A buffer given back is the next chunk's (its old bytes overwritten by the span's).
    const kept = new ArrayBuffer(8);
    new Float32Array(kept).fill(9);
    buffers.give(kept);
    const again = call.data(t, buffers)!;
    expect(again).toBe(kept);
    expect(Array.from(new Float32Array(again))).toEqual([2, 3]);
    buffers.clear();
    // Map mode has no side data, not even over a typed array; nor has a call of ready-made payloads.
    const map = makeCall(Float64Array.of(1, 2)).call;
    expect(map.data(task(map, 0, 0, 1), new BufferPool())).toBeUndefined();
    const raw = makeCall([Uint8Array.of(1)], { codec: Codec.job }).call;
    expect(raw.data(task(raw, 0, 0, 1), new BufferPool())).toBeUndefined();
  });

  it("slice mode: output bytes become the kernel's declared typed array; anything else is an error", () => {
    const { call } = makeCall(Float32Array.of(1), {
      codec: Codec.slice,
      sink: new ConcatSink(1, () => null),
      kernel: { name: "k", kind: "slice", input: "Float32Array", output: "BigInt64Array" },
    });
    const out = call.output(new Uint8Array(), BigInt64Array.of(-3n).buffer);
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out as BigInt64Array)).toEqual([-3n]);
    const { call: bad } = makeCall(Float32Array.of(1), {
      codec: Codec.slice,
      sink: new ConcatSink(1, () => null),
      kernel: { name: "k", kind: "slice", input: "Float32Array", output: "number" },
    });
    expect(() => bad.output(new Uint8Array(), new ArrayBuffer(8))).toThrow('kernel "k": number is not a typed array');
  });

  it("ready-made payloads (a job, a pipe): each item is a payload and its own chunk, whatever chunkSize says", () => {
    const payloads = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    const { call } = makeCall(payloads, { codec: Codec.pipe, chunkSize: 10 });
    expect(call.codec.onePerChunk).toBe(true);
    const tasks = call.tasks();
    expect(tasks.map((t) => [t.chunk, t.start, t.end])).toEqual([
      [0, 0, 1],
      [1, 1, 2],
      [2, 2, 3],
    ]);
    expect(call.payload(tasks[2]!)).toBe(payloads[2]);
    expect(makeCall([1]).call.codec.onePerChunk).toBe(false);
  });

  it("tasks start with no id, crash or resend yet, and cover the items in chunkSize runs", () => {
    const { call } = makeCall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(call.tasks()).toEqual([
      { id: 0, call, chunk: 0, start: 0, end: 4, crashes: 0, resends: 0 },
      { id: 0, call, chunk: 1, start: 4, end: 8, crashes: 0, resends: 0 },
      { id: 0, call, chunk: 2, start: 8, end: 10, crashes: 0, resends: 0 },
    ]);
  });
});

describe("chunks that cannot be encoded", () => {
  it("names the first item that cannot be encoded, as a DecodeError of that item", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { call } = makeCall([1, () => 2, cyclic, 4]);
    const t = task(call, 0, 0, 4);
    const err = call.encodeError(t, new Error("whatever")) as DecodeError;
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.item).toBe(1);
    expect(err.kernel).toBe("double");
    expect(err.expected).toBe("number");
    expect(err.message).toBe('kernel "double": item 1 could not be encoded: Unknown type: function');
    const deep = call.encodeError(task(call, 0, 2, 4), new Error("x")) as DecodeError;
    expect(deep.item).toBe(2);
    expect(deep.message).toMatch(/^kernel "double": item 2 could not be encoded \(too deeply nested, or cyclic\?\): /);
  });

  it("when every item encodes alone (or there are no items to blame), the chunk's error says why", () => {
    const { call } = makeCall([1, 2]);
    const err = call.encodeError(task(call, 3, 0, 2), new Error("out of memory"));
    expect(err).not.toBeInstanceOf(DecodeError);
    expect(err.message).toBe('kernel "double": chunk 3 could not be encoded: out of memory');
    expect(call.encodeError(task(call, 3, 0, 2), "plain").message).toBe(
      'kernel "double": chunk 3 could not be encoded: plain',
    );
    const { call: tail } = makeCall([1, () => 0]);
    expect(tail.encodeError(task(tail, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError); // item 1 is not in it
    const typed = makeCall(Float64Array.of(1)).call;
    expect(typed.encodeError(task(typed, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError);
    const raw = makeCall([() => 1], { codec: Codec.job }).call;
    expect(raw.encodeError(task(raw, 0, 0, 1), new Error("e"))).not.toBeInstanceOf(DecodeError);
  });
});
