// initPoolSyncFromWorker end to end: a worker the test page creates (inside the coordinator's
// scope) becomes the SyncExecutor and runs Rust that calls collect_vec_sync() directly —
// 1 000 times, each result checked in Rust — while its relay worker owns the compute
// workers and hands the answers to the coordinator itself. Nothing goes through this page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "vitest/browser";
import { type AppWorker, startAppWorker } from "../browser/fixtures/app-worker-client.js";

declare module "vitest/browser" {
  interface BrowserCommands {
    stopServiceWorkers(): Promise<void>;
  }
}

// One coordinator whose scope holds both the app's worker (tests/browser/fixtures/) and the
// package's relay (dist/worker/): the server allows the root scope (vite.config.ts).
const swUrl = new URL("../../dist/sw.js", import.meta.url);
let reg: ServiceWorkerRegistration;
let app: AppWorker;
const ask: AppWorker["ask"] = (m, ms) => app.ask(m, ms);

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

  it("the coordinator's service worker stopped mid-way: all 1 000 calls still complete right", async () => {
    const loop = ask({ type: "loop", start: 1000, times: 1000, n: 4 });
    await new Promise((r) => setTimeout(r, 300));
    await commands.stopServiceWorkers();
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
