// A Rust app with no npm install of ours, for real: tests/rust-app (built by scripts/build.sh
// with plain `cargo build --target wasm32-unknown-unknown` + `wasm-bindgen --target web`)
// starts its pool from Rust — `init_pool_async`, `register_coordinator(None)`,
// `init_pool_sync` — with the JavaScript runtime the crate ships as a wasm-bindgen snippet.
// Its index.html and two-line main.js are served as static files under a strict CSP, and
// Chromium runs them with real workers and the real coordinator service worker.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runInChromium } from "./fixtures/consumer-app.js";
import { runInFirefox } from "./fixtures/firefox-page.js";
import { type StaticServer, serveStatic } from "./fixtures/static-server.js";
import { runInWebKit } from "./fixtures/webkit-page.js";

const app = resolve(import.meta.dirname, "../rust-app");
/** Σ x² for x < 1000. */
const SUM_OF_SQUARES = (999 * 1000 * 1999) / 6;

let server: StaticServer;
let run: Awaited<ReturnType<typeof runInChromium>>;

beforeAll(async () => {
  if (!existsSync(join(app, "pkg/app.js"))) throw new Error(`${app}/pkg is missing: run scripts/build.sh first`);
  server = await serveStatic(app);
  run = await runInChromium(server.url);
}, 60_000);

afterAll(() => server?.close());

interface Report {
  asyncSum: number;
  asyncInOrder: boolean;
  kernelError: [kind: string, kernel: string | null, message: string];
  badUrlError: [kind: string, message: string];
  syncWithoutCoordinator: [kind: string, message: string];
  badCoordinatorUrl: [kind: string, message: string];
  syncSum: number;
  asyncSumAfterSync: number;
}

/** What `run()` reported; if it failed, its error (main.js catches it) as this test's failure. */
function report(): Report {
  const r = run.result as Report | { failed: string } | undefined;
  if (!r || "failed" in r) throw new Error(`the page's run() failed: ${r?.failed ?? "no result"}`);
  return r;
}

it("loads nothing but the page and the wasm-bindgen output (the runtime is a snippet in pkg/)", () => {
  expect(run.errors).toEqual([]);
  expect(run.violations).toEqual([]);
  const page = ["/", "/main.js", "/favicon.ico"]; // the last one the browser asks for by itself
  const others = server.requested.filter((p) => !page.includes(p) && !p.startsWith("/pkg/"));
  expect(others).toEqual([]);
  expect(server.requested.some((p) => /^\/pkg\/snippets\/wasm-pmap-[0-9a-f]+\/js\/runtime\.js$/.test(p))).toBe(true);
});

it("init_pool_async: a parallel iterator's results are right and in order", () => {
  expect(report()).toMatchObject({ asyncSum: SUM_OF_SQUARES, asyncInOrder: true });
});

it("a kernel's Err comes back as a typed PmapError (kind Kernel, the kernel's name, its message)", () => {
  const [kind, kernel, message] = report().kernelError;
  expect([kind, kernel]).toEqual(["Kernel", "inverse"]);
  expect(message).toContain("zero has no inverse");
});

it("init_pool_async with a wasm URL that does not exist fails typed (PoolStart, naming the URL)", () => {
  const [kind, message] = report().badUrlError;
  expect(kind).toBe("PoolStart");
  expect(message).toMatch(/missing_bg\.wasm.*404/);
});

it("init_pool_sync before register_coordinator, and register_coordinator of a bad URL, fail typed", () => {
  const [kind, message] = report().syncWithoutCoordinator;
  expect(kind).toBe("SyncMode");
  expect(message).toContain("call wasm_pmap::register_coordinator(None) first");
  const [badKind, badMessage] = report().badCoordinatorUrl;
  expect(badKind).toBe("PoolStart");
  expect(badMessage).toContain("http://[ is not a valid URL");
});

it("register_coordinator(None) + init_pool_sync: a job blocking on collect_vec_sync() gives the right sum", () => {
  expect(report()).toMatchObject({ syncSum: SUM_OF_SQUARES, asyncSumAfterSync: SUM_OF_SQUARES });
  // The executor's waits were answered by the service worker, never by the server.
  expect(server.requested.filter((p) => p.includes("__wasm_pmap__"))).toEqual([]);
});

// `run()` starts its pools with no URLs (the running module, `wasm_bindgen::module()`, and the
// glue's own URL): from a page one folder down, where "./pkg/…" would name nothing, every
// step must report the same, in all three browsers.
for (const [browser, open] of [
  ["chromium", runInChromium],
  ["firefox", runInFirefox],
  ["webkit", runInWebKit],
] as const) {
  it(`a page in a sub-folder (${browser}): init_pool_async(n) and init_pool_sync(n), no URLs, find their own module`, async () => {
    const sub = await serveStatic(app);
    try {
      const r = await open(`${sub.url}sub/index.html`);
      expect(r.errors).toEqual([]);
      expect(r.violations).toEqual([]);
      const got = r.result as Report | { failed: string };
      if ("failed" in got) throw new Error(`the sub-folder page's run() failed: ${got.failed}`);
      expect(got).toMatchObject({
        asyncSum: SUM_OF_SQUARES,
        asyncInOrder: true,
        syncSum: SUM_OF_SQUARES,
        asyncSumAfterSync: SUM_OF_SQUARES,
      });
      // The module reached the workers compiled: nobody fetched the wasm but the page's init()
      // (and the deliberately missing one), nothing under sub/pkg/.
      expect(sub.requested.filter((p) => p.endsWith("app_bg.wasm"))).toEqual(["/pkg/app_bg.wasm"]);
      expect(
        sub.requested.filter((p) => p.startsWith("/sub/") && p !== "/sub/index.html" && p !== "/sub/main.js"),
      ).toEqual(["/sub/pkg/missing_bg.wasm"]);
    } finally {
      await sub.close();
    }
  }, 120_000);
}

it("init_pool_sync_from_worker on a cross-origin-isolated page: the app's worker blocks on collect_vec_sync() itself, no service worker", async () => {
  const isolated = await serveStatic(app, {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
  });
  try {
    const r = await runInChromium(`${isolated.url}isolated.html`);
    expect(r.errors).toEqual([]);
    expect(r.violations).toEqual([]);
    expect(r.result).toEqual({ right: 200, isolated: true, sw: false, options: expect.any(Array) });
    // The sync options from Rust (init_pool_sync_from_worker_with, SyncOptions): a timeout of 0
    // is refused naming the option; call_timeout_ms(300) ends a 1.5 s blocking call with a
    // Timeout; the pool still answers the next call (and the second init did not take the
    // new pool's host away: that call was NoPool before).
    const [refused, timedOut, next] = (r.result as { options: string[] }).options;
    expect(refused).toMatch(/^PoolStart: .*callTimeoutMs must be a number of milliseconds > 0/);
    expect(timedOut).toMatch(/^Timeout: .*within 300 ms/);
    expect(next).toBe("14"); // 0 + 1 + 4 + 9
    expect(isolated.requested.filter((p) => p.includes("__wasm_pmap__"))).toEqual([]);
  } finally {
    await isolated.close();
  }
}, 60_000);
