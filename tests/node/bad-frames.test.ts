// Frames the dispatcher cannot use: an answer that is not a response frame, or names another
// call or chunk, fails that chunk with a PmapError; a chunk whose items cannot be encoded fails
// its items without taking a worker, and the queue never stalls behind it.
import { describe, expect, it, vi } from "vitest";
import type { Settled } from "../../ts/pool/collect.js";
import { DecodeError, PmapError } from "../../ts/protocol/errors.js";
import { encodeValue } from "../../ts/protocol/values.js";
import { doubled, harness } from "./dispatch-harness.js";
import { rejection, track, useFakeTimers } from "./fake-worker.js";

// A broken dispatcher tends to leave a call pending forever: fail fast instead.
vi.setConfig({ testTimeout: 3_000 });
useFakeTimers();

describe("answers that are not this chunk's response frame", () => {
  it("a response naming another call fails that chunk with a PmapError", async () => {
    const t = harness({
      run: (j) => ({
        response: {
          call: "elsewhere:9",
          chunk: j.req.chunk,
          ok: true,
          body: encodeValue(doubled(j.items as number[])),
        },
      }),
    });
    await t.dispatch.grow(1);
    const call = t.map([1, 2]);
    await vi.runAllTimersAsync();
    const err = await rejection(call.promise);
    expect(err.constructor).toBe(PmapError);
    expect(err.message).toBe(`response for elsewhere:9#0 arrived for ${call.id}#0`);
  });

  it("a response naming another chunk fails that chunk, and its outputs land nowhere", async () => {
    // Chunk 1's answer claims to be chunk 0's, with other outputs.
    const t = harness({
      run: (j) =>
        j.req.chunk === 1
          ? { response: { call: j.req.call, chunk: 0, ok: true, body: encodeValue([999, 999]) } }
          : { outputs: doubled(j.items as number[]) },
    });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2, 3, 4], { chunkSize: 2 });
    await vi.runAllTimersAsync();
    const out = (await call.promise) as Settled<number>[];
    expect(out.slice(0, 2)).toEqual([
      { ok: true, value: 2 },
      { ok: true, value: 4 },
    ]);
    for (const s of out.slice(2)) {
      expect(s.ok).toBe(false);
      const { error } = s as { error: Error };
      expect(error.constructor).toBe(PmapError);
      expect(error.message).toBe(`response for ${call.id}#0 arrived for ${call.id}#1`);
    }
  });

  it("bytes that are not a response frame fail the chunk: a PmapError naming the kernel", async () => {
    const t = harness({
      run: (j) =>
        j.req.chunk === 0
          ? { frame: Uint8Array.of(0xff, 0x00) }
          : { frame: encodeValue([1, j.req.call, j.req.chunk, 7, new Uint8Array(0)]) },
    });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, 2], { chunkSize: 1 });
    await vi.runAllTimersAsync();
    const [a, b] = (await call.promise) as Array<{ ok: false; error: Error }>;
    expect(a!.error.constructor).toBe(PmapError);
    expect(a!.error.message).toMatch(/^kernel "double": bad response: /);
    expect(b!.error.message).toBe('kernel "double": bad response: bad response status 7');
  });
});

describe("chunks that cannot be encoded", () => {
  it("a chunk that cannot be encoded fails its item without taking a worker; the other chunks run", async () => {
    const t = harness({}, { depth: 2 });
    await t.dispatch.grow(1);
    const call = t.mapSettled([1, () => 0, 3], { chunkSize: 1 });
    await vi.runAllTimersAsync();
    const out = (await call.promise) as Array<{ ok: boolean; value?: number; error?: Error }>;
    expect(out[0]).toEqual({ ok: true, value: 2 });
    expect(out[1]!.error).toBeInstanceOf(DecodeError);
    expect((out[1]!.error as DecodeError).item).toBe(1);
    expect(out[2]).toEqual({ ok: true, value: 6 });
    expect(t.fleet.posted.map((j) => j.req.chunk)).toEqual([0, 2]);
    expect(t.dispatch.stats()).toMatchObject({ respawned: 0, inflight: 0 });
  });

  // Why: a chunk that failed to encode used to leave its worker without a
  // chunk for that pump pass, so the queue could stall with the worker idle.
  it("a worker whose chunk could not be encoded takes the next one at once: mapSettled never stalls", async () => {
    const t = harness({}, { depth: 2 });
    await t.dispatch.grow(1);
    const fn = () => 0;
    const call = track(t.mapSettled([fn, fn, fn, 4], { chunkSize: 1 }).promise);
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state).toBe("resolved");
    const out = call.value as Settled<number>[];
    expect(out.slice(0, 3).every((r) => !r.ok)).toBe(true);
    expect(out[3]).toEqual({ ok: true, value: 8 });
    expect(t.dispatch.stats()).toMatchObject({ queued: 0, inflight: 0 });
  });
});
