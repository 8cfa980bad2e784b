// The big-integer bench page (bench/big-ints.mjs loads it; the workload is src/limbs.rs):
// the app's own wasm-bindgen output and nothing else. `?variant=page`: single-threaded wasm,
// `try_collect_vec().await` after init_pool_async, then a job blocking on
// `collect_vec_sync()` after register_coordinator(None) + init_pool_sync. `?variant=worker`:
// a worker the app owns (bench-worker.js) blocking on `collect_vec_sync()` itself — by
// Atomics.wait on a cross-origin-isolated page, else by a sync XHR to the coordinator.
// Each path's runs are interleaved with single-threaded ones; every result's digest must
// equal the single-threaded one. What the page measured goes to window.__bench.
import init, { limbsAsync, limbsInitAsync, limbsInitSync, limbsJob, limbsSingle } from "./pkg/app.js";

const q = new URLSearchParams(location.search);
const n = Number(q.get("n"));
const runs = Number(q.get("runs"));

/** ms of one call of `f`, and its digest; a variant that times itself returns both. */
async function timed(f) {
  const t0 = performance.now();
  const r = await f();
  return typeof r === "string" ? { ms: performance.now() - t0, digest: r } : r;
}

function ask(worker, message) {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.failed ? reject(new Error(e.data.failed)) : resolve(e.data));
    worker.onerror = (e) => reject(new Error(`the app's worker failed: ${e.message}`));
    worker.postMessage(message);
  });
}

/** Warm-up, then `runs` rounds of [single-threaded, each variant]: every ms, every digest. */
async function rounds(variants) {
  const all = { single: limbsSingle, ...variants };
  const ms = Object.fromEntries(Object.keys(all).map((k) => [k, []]));
  const digests = {};
  for (const f of Object.values(all)) await f(n); // wasm tiers up, workers start
  for (let r = 0; r < runs; r++) {
    for (const [k, f] of Object.entries(all)) {
      const t = await timed(() => f(n));
      ms[k].push(t.ms);
      digests[k] = t.digest;
    }
  }
  return { ms, digests };
}

async function pageVariants() {
  await limbsInitAsync();
  const first = await rounds({ async: limbsAsync });
  await limbsInitSync();
  const second = await rounds({ job: limbsJob });
  return {
    ms: { ...first.ms, ...second.ms, single: [...first.ms.single, ...second.ms.single] },
    digests: { ...first.digests, ...second.digests },
  };
}

async function workerVariant() {
  if (!crossOriginIsolated) {
    // Why the page registers the runtime itself: register_coordinator(None) scopes it to its
    // own folder (pkg/snippets/…), and the app's worker script (this folder) must be inside
    // the scope for its sync XHRs to reach it. The server allows the root scope.
    await navigator.serviceWorker.register(new URL(q.get("runtime"), location.href), { type: "module", scope: "/" });
    await navigator.serviceWorker.ready;
  }
  const worker = new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module" });
  await ask(worker, { type: "start" });
  // Timed inside the worker: the figure is Rust's blocking call, not the page's message.
  const out = await rounds({ worker: (items) => ask(worker, { type: "run", n: items }) });
  worker.terminate();
  return out;
}

try {
  await init();
  const r = q.get("variant") === "worker" ? await workerVariant() : await pageVariants();
  const wrong = Object.entries(r.digests).filter(([, d]) => d !== r.digests.single);
  if (wrong.length) throw new Error(`results differ from single-threaded: ${wrong.map(([k, d]) => `${k} ${d}`)}`);
  window.__bench = { ok: true, ...r, isolated: crossOriginIsolated };
} catch (e) {
  window.__bench = { ok: false, error: `${e?.name}: ${e?.message ?? e}` };
}
