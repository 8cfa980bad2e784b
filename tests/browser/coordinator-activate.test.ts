// A coordinator's activation never waits on the clients already in its scope. Why a test of
// its own: Firefox (153 ESR) holds a service worker in "activating" for as long as its
// `activate` handler's `waitUntil(clients.claim())` is pending, and claim() does not settle
// while a worker client in the scope is busy (a long kernel) or blocked (Atomics.wait, a sync
// XHR) — measured: 11.8 s of "activating" beside a worker blocked 12 s, 6 ms once it was
// gone. A sync pool started beside a busy pool then failed with "did not activate within
// 10000 ms (state: activating)".
import { afterEach, describe, expect, it } from "vitest";
import { createPool, type Pool } from "../../dist/index.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { testKernels as module } from "./fixtures/test-kernels.js";

const serviceWorker = new URL("../../dist/sw.js", import.meta.url);
// A scope no other file registers (so this registration is new and must activate now) that
// holds the worker script dist/worker/entry.js: the busy pool's worker is one of its clients.
const scope = new URL("../../dist/worker/", import.meta.url);

const pools: Pool<Kernels>[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.terminate();
  for (const r of await navigator.serviceWorker.getRegistrations()) if (r.scope === scope.href) await r.unregister();
});

describe("coordinator activation", () => {
  it("a sync pool starts while another pool's worker in the coordinator's scope runs a long kernel", async () => {
    const busy = await createPool<Kernels>({ concurrency: 1, module });
    pools.push(busy);
    const spinning = busy.map("spin", [6_000]);
    spinning.catch(() => {}); // awaited below; a failed start must not leave it unhandled
    // The worker is inside the kernel (not merely sent it) before the registration starts.
    await new Promise((r) => setTimeout(r, 300));
    expect(busy.stats()).toMatchObject({ inflight: 1, idle: 0 });

    const started = performance.now();
    const pool = await createPool<Kernels>({
      concurrency: 1,
      module,
      sync: { serviceWorker, scope, activateTimeoutMs: 4_000 },
    });
    pools.push(pool);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(await pool.execute("plusOneRange", [1, 3])).toEqual(Uint32Array.of(2, 3, 4));
    expect(await spinning).toEqual([6_000]);
  });
});
