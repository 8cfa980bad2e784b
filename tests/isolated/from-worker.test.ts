// initPoolSyncFromWorker on a cross-origin-isolated page: the app's worker blocks in
// Atomics.wait and its relay writes the answers into the worker's answer slot — no service
// worker anywhere, 1 000 blocking calls from Rust, each result checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRequest, Outcome } from "../browser/fixtures/app-worker.js";
import { type AppWorker, startAppWorker } from "../browser/fixtures/app-worker-client.js";

let app: AppWorker;
const ask = (m: AppRequest) => app.ask(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Trials of the answer-slot race (about 0.55 s each). */
const RACE_TRIALS = 60;

beforeAll(async () => {
  app = startAppWorker();
  expect(await ask({ type: "start" })).toBe(2);
});
afterAll(() => app?.terminate());

describe("sync mode from an app-owned worker, cross-origin isolated", () => {
  it("starts with no service worker registered", async () => {
    expect(crossOriginIsolated).toBe(true);
    expect(await navigator.serviceWorker.getRegistrations()).toEqual([]);
  });

  it("1 000 blocking collect_vec_sync() calls from Rust, each right", async () => {
    expect(await ask({ type: "loop", start: 100, times: 1000, n: 3 })).toBeGreaterThan(0);
  });

  it("a kernel panic is the typed error in Rust; the next call works", async () => {
    await expect(ask({ type: "loop", start: 0, times: 1, n: 100 })).rejects.toMatchObject({ name: "KernelError" });
    expect(await ask({ type: "loop", start: 500, times: 3, n: 50 })).toBeGreaterThan(0);
  });

  it("callTimeoutMs: a blocking call with no answer in time is a TimeoutError in Rust, not a wait for good", async () => {
    const slow = startAppWorker();
    const talk = slow.talk;
    try {
      expect(await talk({ type: "start", callTimeoutMs: 300 })).toEqual({ ok: true, value: 2 });
      const started = performance.now();
      const reply = await talk({ type: "spin", n: 2, ms: 3_000 });
      expect(reply).toMatchObject({ ok: false, name: "TimeoutError", message: expect.stringMatching(/within 300 ms/) });
      expect(performance.now() - started).toBeLessThan(2_500); // it did not wait for the chunks
      // The timed-out call's chunks still run (nothing cancels them yet): once they are done,
      // the next call works.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await talk({ type: "spin", n: 2, ms: 10 })).toEqual({ ok: true, value: 20 });
    } finally {
      slow.terminate();
    }
  });

  // Why: the worker has one answer slot for all its blocking calls, and the relay wrote every
  // answer into it, a timed-out call's late one included. When that late answer came right
  // after the next call's, before the blocked worker had read it, it replaced it: the next
  // call's wait saw the slot hold the old call's id and slept on until its own timeout
  // (TimeoutError), or it read the old call's bytes (another call's result, silently).
  //
  // How the two answers are made to land back to back, B's first: one compute worker, which
  // the relay keeps two chunks ahead (inflightPerWorker 2) and feeds calls' chunks
  // round-robin. Call A is four chunks, [430 ms, 0, 0, 0]: it times out at 400 ms with its
  // last two chunks queued. Call B, one chunk of 0 ms, is posted at once and queued between
  // them, so the worker runs A's third chunk, B's, then A's last: the relay writes B's
  // answer, then A's well under a millisecond later. Whether A's lands before the woken
  // worker has read B's is a race: before the fix 1 to 17 trials in 40 lost it (B:
  // TimeoutError), in bursts, hence 40 trials. Each chunk answers with its call's tag,
  // checked in Rust (directSpinTagged): a wrong answer is an error here, never a value.
  it("callTimeoutMs: a timed-out call's late answer never replaces the next call's answer in the slot", {
    timeout: 120_000,
  }, async () => {
    const racer = startAppWorker();
    try {
      expect(await racer.talk({ type: "start", callTimeoutMs: 400, concurrency: 1 })).toEqual({
        ok: true,
        value: 1,
      });
      const bad: string[] = [];
      let raced = 0;
      for (let trial = 0; trial < RACE_TRIALS; trial++) {
        const tag = 1_000 + 2 * trial;
        const [a, b] = (await racer.ask({ type: "race", calls: [[430, 0, 0, 0], [0]], tag }, 10_000)) as [
          Outcome,
          Outcome,
        ];
        // A times out, unless the executor, starved of CPU on a loaded machine, woke after its
        // 400 ms deadline and A's answer (due at ~430 ms) was in the slot by then: it then
        // takes that answer — its own, never B's. Only a timed-out A races B.
        if (a.ok) expect(a.value, `trial ${trial}: call A answered`).toBe(tag);
        else {
          expect(a, `trial ${trial}: call A`).toMatchObject({ ok: false, name: "TimeoutError" });
          raced++;
        }
        if (!b.ok || b.value !== tag + 1) {
          bad.push(
            `trial ${trial}: ${b.ok ? `value ${b.value}` : `${b.name}: ${b.message.slice(0, 90)}`} (after ${b.ms.toFixed(0)} ms)`,
          );
        }
        await sleep(30); // A's last chunk is done by now
      }
      expect(bad, `call B went wrong in ${bad.length} of ${RACE_TRIALS} trials`).toEqual([]);
      // Not vacuous: most trials did race (all of them on an idle machine).
      expect(raced, `trials in which A timed out and raced B`).toBeGreaterThanOrEqual(RACE_TRIALS / 2);
    } finally {
      racer.terminate();
    }
  });
});

// Why: initPoolSyncFromWorker took any number for its options. `callTimeoutMs: NaN` made every
// blocking wait's deadline NaN — over the coordinator a busy loop of zero-length waits instead
// of a blocked one, on Atomics a wait with no limit — and 0 or a negative one failed every call; `startTimeoutMs` NaN, 0 or negative failed the
// start with a misleading "did not start within NaN ms"; a bad `concurrency` reached the relay
// and came back as a PoolStartError. Each is a RangeError naming the option, up front.
describe("initPoolSyncFromWorker checks its options", () => {
  let checker: AppWorker;
  beforeAll(() => {
    checker = startAppWorker();
  });
  afterAll(() => checker?.terminate());

  const invalid: Array<{ what: string; opts: Extract<AppRequest, { type: "try-start" }>; says: RegExp }> = [
    { what: "sync.callTimeoutMs NaN", opts: { type: "try-start", callTimeoutMs: Number.NaN }, says: /callTimeoutMs/ },
    { what: "sync.callTimeoutMs 0", opts: { type: "try-start", callTimeoutMs: 0 }, says: /callTimeoutMs/ },
    { what: "sync.callTimeoutMs -1", opts: { type: "try-start", callTimeoutMs: -1 }, says: /callTimeoutMs/ },
    {
      what: "sync.startTimeoutMs NaN",
      opts: { type: "try-start", startTimeoutMs: Number.NaN },
      says: /startTimeoutMs/,
    },
    { what: "sync.startTimeoutMs 0", opts: { type: "try-start", startTimeoutMs: 0 }, says: /startTimeoutMs/ },
    { what: "sync.startTimeoutMs -1", opts: { type: "try-start", startTimeoutMs: -1 }, says: /startTimeoutMs/ },
    {
      what: "concurrency 0",
      opts: { type: "try-start", concurrency: 0 },
      says: /concurrency must be a positive integer/,
    },
    {
      what: "concurrency 1.5",
      opts: { type: "try-start", concurrency: 1.5 },
      says: /concurrency must be a positive integer/,
    },
    {
      what: "concurrency NaN",
      opts: { type: "try-start", concurrency: Number.NaN },
      says: /concurrency must be a positive integer/,
    },
  ];
  it.each(invalid)("$what is a RangeError naming it, not a pool", async ({ opts, says }) => {
    // A bounded start when the option is not the start timeout, so an accepted one ends.
    const reply = await checker.talk({ startTimeoutMs: 10_000, ...opts }, 20_000);
    expect(reply).toMatchObject({ ok: false, name: "RangeError", message: expect.stringMatching(says) });
  });

  it("valid values still start a pool", async () => {
    const reply = await checker.talk(
      { type: "try-start", concurrency: 1, callTimeoutMs: 1, startTimeoutMs: 30_000 },
      40_000,
    );
    expect(reply).toEqual({ ok: true, value: "accepted" });
  });
});
