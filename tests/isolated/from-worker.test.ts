// initPoolSyncFromWorker on a cross-origin-isolated page: the app's worker blocks in
// Atomics.wait and its relay writes the answers into the worker's answer slot — no service
// worker anywhere, 1 000 blocking calls from Rust, each result checked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRequest } from "../browser/fixtures/app-worker.js";
import { type AppWorker, startAppWorker } from "../browser/fixtures/app-worker-client.js";

let app: AppWorker;
const ask = (m: AppRequest) => app.ask(m);

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
});
