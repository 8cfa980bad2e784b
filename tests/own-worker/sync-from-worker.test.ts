// initPoolSyncFromWorker end to end: a worker the test page creates (inside the coordinator's
// scope) becomes the SyncExecutor and runs Rust that calls collect_vec_sync() directly —
// 1 000 times, each result checked in Rust — while its relay worker owns the compute
// workers and hands the answers to the coordinator itself. Nothing goes through this page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Outcome, TerminateDuringAsync } from "../browser/fixtures/app-worker.js";
import { type AppWorker, startAppWorker } from "../browser/fixtures/app-worker-client.js";
import { needsServiceWorkerStop, stopServiceWorkers } from "../browser/fixtures/stop-service-workers.js";

// One coordinator whose scope holds both the app's worker (tests/browser/fixtures/) and the
// package's relay (dist/worker/): the server allows the root scope (vite.config.ts).
const swUrl = new URL("../../dist/sw.js", import.meta.url);
let reg: ServiceWorkerRegistration;
let app: AppWorker;
const ask: AppWorker["ask"] = (m, ms) => app.ask(m, ms);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** What the coordinator holds, as its ping reports it. */
type Held = { tickets: number; bytes: number };

beforeAll(async () => {
  // Other files' coordinators (scope dist/) would take the relay's requests: one registration.
  for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
  reg = await navigator.serviceWorker.register(swUrl, { type: "module", scope: "/" });
  await navigator.serviceWorker.ready;
  app = startAppWorker();
  expect(await ask({ type: "start", scope: "/" })).toBe(2);
});
afterAll(async () => {
  app?.terminate();
  await reg?.unregister();
});

describe("sync mode from a worker the app owns", () => {
  it("1 000 blocking collect_vec_sync() calls straight from Rust, each result right", async () => {
    const ms = (await ask({ type: "loop", start: 100, times: 1000, n: 3 })) as number;
    expect(ms).toBeGreaterThan(0);
  });

  it("a kernel panic reaches the Rust caller as the pool's typed error; the next call works", async () => {
    await expect(ask({ type: "loop", start: 0, times: 1, n: 100 })).rejects.toMatchObject({
      name: "KernelError",
      message: expect.stringMatching(/panicOn13[\s\S]*boom at 13/),
    });
    expect(await ask({ type: "loop", start: 200, times: 5, n: 10 })).toBeGreaterThan(0);
  });

  it("the coordinator's service worker stopped mid-way: all 1 000 calls still complete right", async (ctx) => {
    needsServiceWorkerStop(ctx);
    const loop = ask({ type: "loop", start: 1000, times: 1000, n: 4 });
    await new Promise((r) => setTimeout(r, 300));
    await stopServiceWorkers();
    expect(await loop).toBeGreaterThan(0);
  });

  it("grow adds a compute worker; the next blocking calls still run right", async () => {
    expect(await ask({ type: "grow", n: 3 })).toBe(3);
    expect(await ask({ type: "loop", start: 300, times: 3, n: 100 })).toBeGreaterThan(0);
  });

  it("a scope without a coordinator is a clear PoolStartError, not a hang", async () => {
    const other = startAppWorker();
    try {
      const reply = await other.talk({ type: "start", scope: "/", prefix: "not-the-coordinator/" });
      expect(reply).toMatchObject({
        ok: false,
        name: "CoordinatorError",
        message: expect.stringMatching(/no coordinator answers/),
      });
    } finally {
      other.terminate();
    }
  });

  // A second app-owned pool beside the first. Firefox runs this file over classic WebDriver:
  // under a WebDriver BiDi session Firefox (153 ESR) can deadlock a worker's `new Worker()`,
  // and this second pool's relay then never got past "starting 2 compute workers"
  // (scripts/firefox.mjs firefoxClassicCapabilities).
  it("callTimeoutMs: a blocking call with no answer in time is a TimeoutError in Rust (the coordinator path)", async () => {
    const slow = startAppWorker();
    const talk = slow.talk;
    try {
      expect(await talk({ type: "start", scope: "/", callTimeoutMs: 300 })).toEqual({ ok: true, value: 2 });
      const reply = await talk({ type: "spin", n: 2, ms: 3_000 });
      expect(reply).toMatchObject({
        ok: false,
        name: "TimeoutError",
        message: expect.stringMatching(/within 300 ms/),
      });
      await new Promise((r) => setTimeout(r, 3_000)); // its chunks still run (nothing cancels them yet)
      expect(await talk({ type: "spin", n: 2, ms: 10 })).toEqual({ ok: true, value: 20 });
    } finally {
      slow.terminate();
    }
  });

  // Why: terminate() used to stop the relay and drop the host without settling the async
  // calls in flight, so a `try_sum().await` pending at that moment never settled — the
  // app's code awaiting it hung for good (its promise lived in the pending map forever).
  it("terminate() rejects an async parallel iterator still pending with a typed error; later calls fail at once", async () => {
    const own = startAppWorker();
    try {
      expect(await own.ask({ type: "start", scope: "/" })).toBe(2);
      // Two chunks of 3 s, terminate() 100 ms in: nothing can finish them any more.
      const r = (await own.ask(
        { type: "terminate-during-async", n: 2, ms: 3_000, afterMs: 100, boundMs: 5_000 },
        15_000,
      )) as TerminateDuringAsync;
      expect(r.settledBeforeTerminate).toBe(false);
      expect(r.outcome, "directSpinAsync was still pending 5 s after pool.terminate()").not.toBe("pending");
      expect(r.outcome).toMatchObject({ ok: false, name: expect.stringMatching(/PoolTerminated|NoPool/) });
      expect((r.outcome as Outcome).ms).toBeLessThan(1_000);
      // A call made after terminate() fails at once with a typed error, async or blocking
      // (a blocking one, with no host left, is today Rust's SyncModeError: accepted too).
      const later = (await own.ask({ type: "spin-async", n: 1, ms: 1, boundMs: 5_000 })) as Outcome;
      expect(later).toMatchObject({ ok: false, name: expect.stringMatching(/PoolTerminated|NoPool/) });
      expect(later.ms).toBeLessThan(1_000);
      expect(await own.talk({ type: "spin", n: 1, ms: 1 }, 5_000)).toMatchObject({
        ok: false,
        name: expect.stringMatching(/PoolTerminated|NoPool|SyncMode/),
      });
    } finally {
      own.terminate();
    }
  });

  // Why: a blocking call that timed out left its ticket open at the coordinator, and when its
  // chunks ended the relay delivered the late answer there and re-POSTed it every 2 s (until
  // the next blocking call): the coordinator held a ticket, and its answer's bytes, that
  // nobody would ever read (for its 5 min TTL, or for good while re-delivered). The
  // coordinator is shared with the other tests (the one above leaves such a ticket too), so
  // what it holds afterwards is compared with what it held before the call.
  it("callTimeoutMs: once a timed-out call's late answer arrives, the coordinator holds no ticket for it", async () => {
    const slow = startAppWorker();
    try {
      expect(await slow.ask({ type: "start", scope: "/", callTimeoutMs: 300 })).toBe(2);
      const before = (await slow.ask({ type: "ping" })) as Held;
      expect(await slow.talk({ type: "spin", n: 2, ms: 1_500 })).toMatchObject({
        ok: false,
        name: "TimeoutError",
        message: expect.stringMatching(/within 300 ms/),
      });
      await sleep(2_500); // the chunks ended ≈ 1.2 s ago: the late answer has reached the relay
      const after = (await slow.ask({ type: "ping" })) as Held;
      // Nothing else runs meanwhile: the coordinator holds what it held before the call.
      expect(after, `before the call: ${JSON.stringify(before)}`).toEqual(before);
    } finally {
      slow.terminate();
    }
  });

  // Why: each initPoolSyncFromWorker installs its host as the worker's one global host, and
  // terminate() deleted that global whoever had installed it: terminating the first of two
  // pools in one worker took the second's host away, and Rust's next blocking call failed
  // (SyncModeError: "only runs inside the SyncExecutor worker") although the second pool
  // was running.
  it("two pools in one worker: terminating the first leaves blocking calls from Rust working on the second", async () => {
    const two = startAppWorker();
    try {
      expect(await two.ask({ type: "start", scope: "/" })).toBe(2);
      expect(await two.ask({ type: "start", scope: "/" })).toBe(2);
      expect(await two.ask({ type: "terminate", index: 0 })).toBe("terminated");
      const reply = await two.talk({ type: "loop", start: 400, times: 20, n: 3 });
      expect(reply).toEqual({ ok: true, value: expect.any(Number) });
    } finally {
      two.terminate();
    }
  });

  // Before: a relay that died left a blocked call waiting for good (no callTimeoutMs set), as
  // nothing reaches a worker blocked in a sync XHR. The relay holds a Web Lock (its lease) for
  // as long as it lives; the browser releases it when the relay dies, and the coordinator then
  // answers the blocked call's next wait 424. Here the test releases the lease itself (a
  // steal), which is what the relay's death does.
  it("a relay that dies while a call blocks: the call fails with WorkerCrashedError, not a wait for good", async () => {
    const held = async () =>
      new Set(
        ((await navigator.locks.query()).held ?? [])
          .map((l) => l.name ?? "")
          .filter((n) => n.startsWith("wasm-pmap-relay:")),
      );
    const before = await held();
    const doomed = startAppWorker();
    try {
      expect(await doomed.talk({ type: "start", scope: "/" })).toEqual({ ok: true, value: 2 });
      const lease = [...(await held())].find((n) => !before.has(n));
      expect(lease).toBeDefined();
      const started = performance.now();
      const reply = doomed.talk({ type: "spin", n: 2, ms: 40_000 }, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      await navigator.locks.request(lease!, { steal: true }, () => {}); // released at once
      expect(await reply).toMatchObject({
        ok: false,
        name: "WorkerCrashedError",
        message: expect.stringMatching(/lost its relay/),
      });
      // Within one re-issued wait (the coordinator holds a wait ≤ 10 s), not the 40 s spin.
      expect(performance.now() - started).toBeLessThan(20_000);
      // The pool is over: the next call fails at once, typed.
      expect(await doomed.talk({ type: "spin", n: 1, ms: 1 })).toMatchObject({ ok: false, name: "WorkerCrashedError" });
    } finally {
      doomed.terminate();
    }
  });
});
