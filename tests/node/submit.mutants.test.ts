// Starting a call (ts/pool/submit.ts): every option refused before anything is queued, the
// queue bound, abort before and after the start, and how the options shape the chunks.
// Found unpinned by the mutation run (npm run mutants).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import { AbortError, PmapError, QueueFullError } from "../../ts/protocol/errors.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import { DOUBLE, Fleet, SCALE, thrown, track } from "./fake-worker.js";

async function setup(workers: number, maxQueue = Infinity) {
  const fleet = new Fleet({ run: () => "hang" });
  const dispatch = new Dispatcher({
    spawn: fleet.spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "t",
    depth: 1,
  });
  const grown = dispatch.grow(workers);
  await vi.advanceTimersByTimeAsync(0);
  await grown;
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue, nextId: () => `pool:${++seq}` };
  const start = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE, codec = Codec.map) =>
    startCall(target, kernel, codec, items, opts, new ArraySink(items.length));
  return { fleet, dispatch, start };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("startCall refuses bad options before anything is queued", () => {
  it("concurrency must be a positive integer", async () => {
    const { fleet, dispatch, start } = await setup(2);
    for (const c of [0, -1, 1.5]) {
      expect(() => start([1], { concurrency: c })).toThrow(
        new RangeError(`concurrency must be a positive integer, got ${c}`),
      );
    }
    expect(dispatch.queued).toBe(0);
    expect(fleet.posted).toHaveLength(0);
  });

  it("timeoutMs must be > 0 (Infinity is allowed: no clock)", async () => {
    const { fleet, start } = await setup(1);
    for (const t of [0, -5, Number.NaN]) {
      expect(() => start([1], { timeoutMs: t })).toThrow(new RangeError(`timeoutMs must be > 0, got ${t}`));
    }
    const call = start([1], { timeoutMs: Number.POSITIVE_INFINITY });
    await vi.advanceTimersByTimeAsync(1e9);
    expect(call.settled).toBe(false); // the chunk hangs, but nothing times it out
    expect(fleet.posted).toHaveLength(1);
  });

  it("a context kernel needs opts.context; any other kernel refuses one", async () => {
    const { start } = await setup(1);
    const missing = thrown(() => start([1], {}, SCALE));
    expect(missing).toBeInstanceOf(TypeError);
    expect(missing.message).toBe('kernel "scale" is a context kernel: pass opts.context (a number)');
    const extra = thrown(() => start([1], { context: 2 }));
    expect(extra).toBeInstanceOf(TypeError);
    expect(extra.message).toBe('kernel "double" takes no context; opts.context is only for #[kernel(context)] kernels');
    expect(start([1], { context: 2 }, SCALE).context).toBeInstanceOf(Uint8Array);
    expect(start([1]).context).toBeUndefined(); // nothing to send with its chunks
    expect(() => start([1], { context: () => 0 }, SCALE)).toThrow(
      new PmapError('kernel "scale": the context could not be encoded: Unknown type: function'),
    );
  });

  it("an already-aborted signal is an AbortError carrying the signal's reason; nothing is queued", async () => {
    const { fleet, dispatch, start } = await setup(1);
    const ctrl = new AbortController();
    ctrl.abort("user left");
    const err = thrown(() => start([1, 2], { signal: ctrl.signal })) as AbortError;
    expect(err).toBeInstanceOf(AbortError);
    expect(err.message).toBe('kernel "double": aborted before it started');
    expect(err.reason).toBe("user left");
    expect(dispatch.queued).toBe(0);
    expect(fleet.posted).toHaveLength(0);
  });

  it("a call that would overfill maxQueue is a QueueFullError; one that exactly fills it is queued", async () => {
    const { dispatch, start } = await setup(1, 3);
    start([0], { chunkSize: 1 }); // on the worker, not queued
    start(range(3), { chunkSize: 1 }); // 3 queued: full
    expect(dispatch.queued).toBe(3);
    expect(() => start([1], { chunkSize: 1 })).toThrow(new QueueFullError(3));
    expect(dispatch.queued).toBe(3);
  });
});

describe("startCall", () => {
  it("an empty call is settled at once and queues nothing, even on a full queue", async () => {
    const { dispatch, start } = await setup(1, 0);
    const call = start([]);
    expect(call.settled).toBe(true);
    expect(await call.promise).toEqual([]);
    expect(dispatch.queued).toBe(0);
  });

  it("concurrency defaults to every worker, and auto chunks count only the workers a call may use", async () => {
    const { start } = await setup(4);
    const all = start(range(100));
    expect(all.concurrency).toBe(4);
    expect(all.tasks()).toHaveLength(15); // ceil(100 / 16) = 7 items a chunk
    const one = start(range(100), { concurrency: 1 });
    expect(one.tasks()).toHaveLength(4); // ceil(100 / 4) = 25
    const many = start(range(100), { concurrency: 9 });
    expect(many.tasks()).toHaveLength(15); // capped at the 4 workers there are
  });

  it("passes timeoutMs, onProgress and the codec on to the call", async () => {
    const { start } = await setup(1);
    const onProgress = () => {};
    const call = start([Uint8Array.of(0x80), Uint8Array.of(0x80)], { timeoutMs: 50, onProgress }, DOUBLE, Codec.job);
    expect(call.timeoutMs).toBe(50);
    expect(call.codec).toBe(Codec.job);
    expect(call.tasks()).toHaveLength(2); // ready-made payloads: one per chunk
  });

  it("an abort after the start cancels the call with an AbortError carrying the reason", async () => {
    const { start } = await setup(1);
    const ctrl = new AbortController();
    const call = start([1, 2], { signal: ctrl.signal });
    const outcome = track(call.promise);
    ctrl.abort("stop");
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.state).toBe("rejected");
    expect(outcome.error).toBeInstanceOf(AbortError);
    expect((outcome.error as AbortError).message).toBe('kernel "double": aborted');
    expect((outcome.error as AbortError).reason).toBe("stop");
  });
});
