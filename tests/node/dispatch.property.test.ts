// Properties of the dispatcher under random failures: a real Dispatcher and real Calls
// (startCall), driven by the scripted fake workers of fake-worker.ts with fake timers, over
// arbitrary item counts, chunk sizes, worker counts, depths and per-chunk fault scripts.
// Whatever fails, mapSettled gives every index exactly one outcome — the fault-free value,
// or the error class of the fault that hit it — and the pool ends with nothing queued or
// in flight and its workers all back.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink, type Settled, SettledSink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import { KernelError, PoolTerminatedError, TimeoutError, WorkerCrashedError } from "../../ts/protocol/errors.js";
import { DOUBLE, Fleet, type Job, type RunReply } from "./fake-worker.js";

/** What happens to one chunk (by its original index; its narrowed parts keep that index). */
type Fault =
  | { kind: "ok" }
  /** The kernel returns `Err` for the chunk's `at`-th item, on every run that holds it. */
  | { kind: "fail"; at: number }
  /** The kernel panics on the chunk's `at`-th item, on every run that holds it. */
  | { kind: "trap"; at: number; recovered: boolean }
  /** The worker dies the first time it runs the chunk (the retry succeeds). */
  | { kind: "crashOnce" }
  /** The worker dies every time (so the chunk fails with WorkerCrashedError). */
  | { kind: "crashAlways" }
  /** The chunk never answers (so it fails with TimeoutError). */
  | { kind: "hang" };

const TIMEOUT_MS = 1_000;

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: "ok" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("fail" as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("trap" as const), at: fc.nat(), recovered: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "crashOnce" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crashAlways" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "hang" as const }) },
);

const shape = fc.record({
  n: fc.integer({ min: 0, max: 60 }),
  chunkSize: fc.integer({ min: 1, max: 12 }),
  workers: fc.integer({ min: 1, max: 4 }),
  depth: fc.integer({ min: 1, max: 3 }),
  /** Per-chunk answer delays (fake ms), cycled: chunks complete out of order. */
  delays: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }),
});

/** A real Dispatcher over a Fleet whose workers answer `double` (×2) unless `reply` says otherwise. */
function setup(workers: number, depth: number, reply: (job: Job, fleet: Fleet) => RunReply | undefined) {
  const fleet: Fleet = new Fleet({
    run: (job) => reply(job, fleet) ?? { outputs: job.items.map((x) => (x as number) * 2) },
  });
  const dispatch = new Dispatcher({
    spawn: fleet.spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "p",
    depth,
  });
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue: Infinity, nextId: () => `pool:${++seq}` };
  return { fleet, dispatch, target, ready: dispatch.grow(workers) };
}

const doubled = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => (offset + i) * 2);
const delay = (delays: number[], job: Job) => delays[(job.req.chunk + job.worker.seq) % delays.length];

/** The culprit item of a fail / trap fault in chunk `c` (absolute index), or undefined. */
function culprit(f: Fault, c: number, chunkSize: number, n: number): number | undefined {
  if (f.kind !== "fail" && f.kind !== "trap") return undefined;
  const start = c * chunkSize;
  const len = Math.min(n, start + chunkSize) - start;
  return start + (f.at % len);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("dispatcher under random faults (property)", () => {
  it("mapSettled: every index exactly once — the fault-free value, or the error class of its fault; the pool recovers", async () => {
    await fc.assert(
      fc.asyncProperty(shape, fc.array(faultArb, { maxLength: 60 }), async (s, faultList) => {
        const faults = (c: number): Fault => faultList[c] ?? { kind: "ok" };
        const { fleet, dispatch, target, ready } = setup(s.workers, s.depth, (job, fl) => {
          const f = faults(job.req.chunk);
          const ms = delay(s.delays, job);
          const first = fl.runsOf(job.req.call, job.req.chunk).length === 1;
          // Items are their own indices, so a run (a chunk, or a part of one) starts at its first.
          const runStart = job.items[0] as number;
          const bad = culprit(f, job.req.chunk, s.chunkSize, s.n);
          const holds = bad !== undefined && job.items.includes(bad);
          if (f.kind === "crashAlways" || (f.kind === "crashOnce" && first)) return { crash: "killed", ms };
          if (f.kind === "hang") return "hang";
          if (f.kind === "fail" && holds)
            return {
              failure: { kind: "kernel", kernel: "double", message: `bad item ${bad}`, index: bad - runStart },
              ms,
            };
          if (f.kind === "trap" && holds) return { trap: `panicked at ${bad}`, recovered: f.recovered, ms };
          return { outputs: job.items.map((x) => (x as number) * 2), ms };
        });
        await ready;
        const items = Array.from({ length: s.n }, (_, i) => i);
        const call = startCall(
          target,
          DOUBLE,
          Codec.map,
          items,
          { chunkSize: s.chunkSize, timeoutMs: TIMEOUT_MS },
          new SettledSink(s.n),
        );
        await vi.runAllTimersAsync();
        expect(call.settled).toBe(true);
        const out = (await call.promise) as Settled<number>[];
        expect(out).toHaveLength(s.n);
        for (let i = 0; i < s.n; i++) {
          const c = Math.floor(i / s.chunkSize);
          const f = faults(c);
          const r = out[i];
          const at = `item ${i} (chunk ${c}, ${JSON.stringify(f)})`;
          expect(r, at).toBeDefined();
          if (f.kind === "crashAlways") {
            expect(r!.ok, at).toBe(false);
            if (!r!.ok) expect(r!.error, at).toBeInstanceOf(WorkerCrashedError);
          } else if (f.kind === "hang") {
            expect(r, at).toMatchObject({ ok: false, timedOut: true });
            if (!r!.ok) expect(r!.error, at).toBeInstanceOf(TimeoutError);
          } else if (culprit(f, c, s.chunkSize, s.n) === i) {
            expect(r, at).toMatchObject({ ok: false, timedOut: false });
            if (!r!.ok) {
              expect(r!.error, at).toBeInstanceOf(KernelError);
              expect((r!.error as KernelError).panicked, at).toBe(f.kind === "trap");
              if (f.kind === "fail") expect((r!.error as KernelError).item, at).toBe(i);
            }
          } else {
            expect(r, at).toEqual({ ok: true, value: i * 2 });
          }
        }
        expect(dispatch.stats()).toMatchObject({ queued: 0, inflight: 0, workers: s.workers, idle: s.workers });
        expect(fleet.live).toHaveLength(s.workers);
        dispatch.close(new PoolTerminatedError());
      }),
      { numRuns: 1_000 },
    );
  });

  it("map without faults equals the sequential result, for concurrent calls with their own chunk sizes and caps", async () => {
    const callArb = fc.record({
      n: fc.integer({ min: 0, max: 80 }),
      chunkSize: fc.oneof(fc.integer({ min: 1, max: 15 }), fc.constant<"auto">("auto")),
      concurrency: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(shape, fc.array(callArb, { minLength: 1, maxLength: 3 }), async (s, specs) => {
        const { dispatch, target, ready } = setup(s.workers, s.depth, (job) => ({
          outputs: job.items.map((x) => (x as number) * 2),
          ms: delay(s.delays, job),
        }));
        await ready;
        const calls = specs.map((spec, k) => {
          const items = Array.from({ length: spec.n }, (_, i) => k * 1000 + i);
          const opts: CallOptions = { chunkSize: spec.chunkSize };
          if (spec.concurrency !== undefined) opts.concurrency = Math.min(spec.concurrency, s.workers);
          return { call: startCall(target, DOUBLE, Codec.map, items, opts, new ArraySink(spec.n)), k, n: spec.n };
        });
        await vi.runAllTimersAsync();
        for (const { call, k, n } of calls) expect(await call.promise).toEqual(doubled(n, k * 1000));
        expect(dispatch.stats()).toMatchObject({ queued: 0, inflight: 0, failed: 0 });
        // An empty call settles at once, without reaching the dispatcher (so it is not counted).
        expect(dispatch.stats().completed).toBe(calls.filter((c) => c.n > 0).length);
        dispatch.close(new PoolTerminatedError());
      }),
      { numRuns: 1_000 },
    );
  });

  it("map: a worker crashing once per chunk, and replacements failing to start now and then, change no result", async () => {
    await fc.assert(
      fc.asyncProperty(
        shape,
        fc.array(fc.boolean(), { maxLength: 40 }),
        // Spawns (after the first generation) whose script fails to load; at most one in
        // three, so the give-up rule (3 failed starts in a row) is never reached.
        fc.array(fc.boolean(), { maxLength: 40 }).map((bits) => bits.map((b, i) => b && i % 3 === 0)),
        async (s, crashes, startFails) => {
          const t = setup(s.workers, s.depth, (job, fl) =>
            crashes[job.req.chunk] && fl.runsOf(job.req.call, job.req.chunk).length === 1
              ? { crash: "killed", ms: delay(s.delays, job) }
              : { outputs: job.items.map((x) => (x as number) * 2), ms: delay(s.delays, job) },
          );
          t.fleet.script.init = (w) =>
            w.seq >= s.workers && startFails[w.seq - s.workers]
              ? { scriptError: "404 entry.js", ms: 1 }
              : { ready: t.fleet.kernels };
          await t.ready;
          const call = startCall(
            t.target,
            DOUBLE,
            Codec.map,
            Array.from({ length: s.n }, (_, i) => i),
            { chunkSize: s.chunkSize },
            new ArraySink(s.n),
          );
          await vi.runAllTimersAsync();
          expect(await call.promise).toEqual(doubled(s.n));
          expect(t.dispatch.stats()).toMatchObject({
            queued: 0,
            inflight: 0,
            workers: s.workers,
            startError: undefined,
          });
          t.dispatch.close(new PoolTerminatedError());
        },
      ),
      { numRuns: 500 },
    );
  });
});
