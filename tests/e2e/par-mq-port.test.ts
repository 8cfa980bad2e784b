// A program written against wasm-par-mq's documented API, ported to wasm-pmap by its
// Cargo.toml and one `use` line (tests/par-mq-port, built by scripts/build.sh with plain
// cargo + `wasm-bindgen --target web`), run as static files under a strict CSP in Chromium,
// Firefox and WebKit with real workers and its own coordinator service worker (sw.js). Each mode
// of wasm-par-mq's README once: async (`collect_vec().await`), sync (`register_coordinator`
// + `init_pool_sync`, a job through `execute_async`), and a worker the app owns
// (`init_pool_sync_from_worker`); the msm-shaped workload's points (structs of full-range
// u64 limbs) must equal the sequential run's.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppRun, runInChromium } from "./fixtures/consumer-app.js";
import { runInFirefox } from "./fixtures/firefox-page.js";
import { type StaticServer, serveStatic } from "./fixtures/static-server.js";
import { runInWebKit } from "./fixtures/webkit-page.js";

const app = resolve(import.meta.dirname, "../par-mq-port");

interface Report {
  reference: string;
  doubled: boolean;
  asyncMsm: string;
  asyncWorkers: number;
  doubledSync: number[];
  syncMsm: string;
  worker: { msm: string; workers: number } | { failed: string };
}

// WebKit too: its runtime worker evaluates runtime.js a second time when the app's glue imports
// it back (ts/worker/serving.ts), and gives one controller to one of several same-URL workers
// started together (the executor's own URL, ts/rust/init.ts); both once failed this page.
for (const [browser, open] of [
  ["chromium", runInChromium],
  ["firefox", runInFirefox],
  ["webkit", runInWebKit],
] as const) {
  describe(`a wasm-par-mq program, ported (${browser})`, () => {
    let server: StaticServer;
    let run: AppRun;

    beforeAll(async () => {
      if (!existsSync(join(app, "pkg/coordinator.js")))
        throw new Error(`${app}/pkg is missing: run scripts/build.sh first`);
      server = await serveStatic(app);
      run = await open(server.url);
    }, 120_000);

    afterAll(() => server?.close());

    function report(): Report {
      const r = run.result as Report | { failed: string } | undefined;
      if (!r || "failed" in r) throw new Error(`the page failed: ${r && "failed" in r ? r.failed : "no result"}`);
      return r;
    }

    it("loads only its own files, breaks no CSP rule", () => {
      expect(run.errors).toEqual([]);
      expect(run.violations).toEqual([]);
      expect(server.requested.filter((p) => !/^\/(|main\.js|sw\.js|worker\.js|favicon\.ico|pkg\/.*)$/.test(p))).toEqual(
        [],
      );
    });

    it("async mode: collect_vec().await doubles in order; the msm of limb structs equals the sequential run", () => {
      const r = report();
      expect(r.doubled).toBe(true);
      expect(r.asyncWorkers).toBe(2);
      // Every limb is full-range: a value rounded through a JS number would change the hex.
      expect(r.reference).toMatch(/^[0-9a-f]{112}:[0-9a-f]{112}$/);
      expect(r.asyncMsm).toBe(r.reference);
    });

    it("sync mode through its own sw.js: execute_async(sync_fn!(job)) answers, the job's point (u64 limbs) comes back to Rust exact", () => {
      const r = report();
      expect(r.doubledSync).toEqual([2, -4, 6, 2 ** 30]);
      expect(r.syncMsm).toBe(r.reference);
      // The executor's waits were answered by the service worker, never by the server.
      expect(server.requested.filter((p) => p.includes("__wasm_pmap__"))).toEqual([]);
    });

    it("init_pool_sync_from_worker: the app's own worker blocks on collect_vec_sync() and gets the same point", () => {
      const { worker, reference } = report();
      if ("failed" in worker) throw new Error(`the app's worker failed: ${worker.failed}`);
      expect(worker).toEqual({ msm: reference, workers: 2 });
    });
  });
}
