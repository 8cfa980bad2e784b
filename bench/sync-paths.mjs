// Sync mode's round trip on every path (bench/sync.ts): the page executor and an app-owned
// worker, each blocking on the coordinator (plain page) or in Atomics.wait (a
// cross-origin-isolated page, no service worker), with collect_vec().await beside them.

import { createServer } from "vite";

/** Vite plugin: the root scope allowed for the coordinator (the plain page registers one
 * for the whole origin); with `isolate`, COOP/COEP on every response. */
export function syncBenchHeaders(isolate = false) {
  return {
    name: "bench-sync-headers",
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        res.setHeader("Service-Worker-Allowed", "/");
        if (isolate) {
          res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
          res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
        }
        next();
      });
    },
  };
}

/** A second server of the same files, every response cross-origin isolated. Why a server
 * and not a path: Vite rewrites imports to root paths, so every module and worker script
 * the page loads must carry the headers. */
async function isolatedServer() {
  const server = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: "error",
    plugins: [syncBenchHeaders(true)],
    optimizeDeps: { include: ["cbor-x/index-no-eval"] },
    server: { port: 0, host: "127.0.0.1" },
  });
  await server.listen();
  return server;
}

async function runPage(context, url) {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__sync, null, { timeout: 600_000 });
    const r = await page.evaluate(() => window.__sync);
    return r.ok ? r.results : { error: r.error };
  } finally {
    await page.close();
  }
}

/** Runs both pages; a failure inside one is reported in its figures, not thrown. */
export async function runSyncPaths(browser, base, runs) {
  const iso = await isolatedServer();
  const out = {};
  try {
    for (const [key, at] of [
      ["xhr", base],
      ["atomics", iso.resolvedUrls.local[0]],
    ]) {
      // A fresh context each: the plain page registers a root-scoped service worker.
      const context = await browser.newContext();
      try {
        out[key] = await runPage(context, `${at}bench/sync.html?runs=${runs}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await iso.close();
  }
  return out;
}

/** Prints the table. */
export function printSyncPaths(s) {
  const f = (v) => (typeof v === "number" ? `${(v / 1000).toFixed(3).padStart(7)} ms` : "      —   ");
  console.log("\nSync mode: one collect_vec_sync() of one item, round trip (mean of 200 calls, median of rounds)");
  console.log("                                                   page executor (job)   app-owned worker");
  for (const [key, label] of [
    ["xhr", "plain page: sync XHR to the coordinator service worker"],
    ["atomics", "COOP/COEP page: Atomics.wait, no service worker"],
  ]) {
    const r = s[key];
    if (r.error) console.log(`  ${label}: failed: ${r.error}`);
    else console.log(`  ${label.padEnd(56)} ${f(r.us_job)}        ${f(r.us_app_worker)}`);
  }
  const a = s.xhr.us_async ?? s.atomics.us_async;
  console.log(`  collect_vec().await from main-thread wasm (for scale)   ${f(a)}`);
}
