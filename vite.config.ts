/// <reference types="vitest/config" />

import { playwright } from "@vitest/browser-playwright";
import { webdriverio } from "@vitest/browser-webdriverio";
import { defineConfig } from "vite";

import { chromiumArgs, chromiumExecutable as executablePath } from "./scripts/chromium.mjs";
import { firefoxCapabilities, firefoxClassicCapabilities, stopFirefoxServiceWorkers } from "./scripts/firefox.mjs";
import { webkitgtk } from "./scripts/webkit.mjs";

const chromium = () => playwright({ launchOptions: { executablePath, args: chromiumArgs } });
// Firefox through geckodriver (WebDriver BiDi), Debian's firefox-esr: scripts/firefox.mjs.
const firefox = () => webdriverio({ capabilities: firefoxCapabilities });
// Classic WebDriver, no BiDi session: for workers that start workers (firefoxClassicCapabilities).
const firefoxClassic = () => webdriverio({ capabilities: firefoxClassicCapabilities });

// Stops every service worker, as the browser does to idle ones: through the DevTools
// protocol in Chromium, a chrome-privileged script in Firefox (a browser command).
async function stopServiceWorkers(ctx: { provider: { name: string } }) {
  if (ctx.provider.name === "webdriverio") {
    const { browser } = ctx as unknown as { browser: Parameters<typeof stopFirefoxServiceWorkers>[0] };
    return stopFirefoxServiceWorkers(browser);
  }
  const cdp = await (
    ctx as unknown as {
      context: { newCDPSession(p: unknown): Promise<{ send(m: string): Promise<unknown> }> };
      page: unknown;
    }
  ).context.newCDPSession((ctx as unknown as { page: unknown }).page);
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.stopAllWorkers");
}

// The browser projects' transform: the tests' `using` / `await using` lowered, as a production
// build for today's browsers lowers them, since WebKit does not parse them yet (the pool's
// disposers work either way: ts/protocol/disposal.ts). Inline projects do not inherit the
// root config, so each browser project names it.
const oxc = { target: "es2022" };

export default defineConfig({
  server: { fs: { allow: ["."] } },

  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["tests/node/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          testTimeout: 180_000,
          environment: "node",
        },
      },
      {
        // Pre-bundled up front: discovering it mid-run makes Vite reload the test page.
        optimizeDeps: { include: ["cbor-x/index-no-eval"] },
        oxc,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          testTimeout: 60_000,
          // One file at a time: the files share the browser's service workers, and
          // sync.test.ts stops all of them (coordinator.test.ts's too).
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            commands: { stopServiceWorkers },
            instances: [
              { browser: "chromium", provider: chromium() },
              { browser: "firefox", provider: firefox() },
              { browser: "webkit", provider: webkitgtk() },
            ],
          },
        },
      },
      {
        // Cross-origin-isolated pages: every response carries COOP/COEP, so the test page has
        // SharedArrayBuffer and sync mode blocks in Atomics.wait (tests/isolated).
        server: {
          headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" },
        },
        optimizeDeps: { include: ["cbor-x/index-no-eval"] },
        oxc,
        test: {
          name: "isolated",
          include: ["tests/isolated/**/*.test.ts"],
          testTimeout: 60_000,
          // One file at a time: atomics.test.ts registers a coordinator for a while, and
          // from-worker.test.ts checks that none is there.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            instances: [
              { browser: "chromium", provider: chromium() },
              // Classic WebDriver: from-worker.test.ts's relay starts workers from a worker,
              // which a BiDi session can deadlock in Firefox (scripts/firefox.mjs).
              { browser: "firefox", provider: firefoxClassic() },
              // WebKitGTK ships SharedArrayBuffer off even on an isolated page (Safari has it on).
              { browser: "webkit", provider: webkitgtk({ env: { JSC_useSharedArrayBuffer: "1" } }) },
            ],
          },
        },
      },
      {
        // A coordinator for the whole origin (its scope must hold both the app's own worker,
        // in tests/, and the package's relay, in dist/), in a browser of its own: beside the
        // browser project's coordinators (scope dist/, which would take the relay's requests)
        // Firefox left new registrations stuck "activating". After the soak, which times.
        server: { headers: { "Service-Worker-Allowed": "/" } },
        optimizeDeps: { include: ["cbor-x/index-no-eval"] },
        oxc,
        test: {
          name: "own-worker",
          include: ["tests/own-worker/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
          browser: {
            enabled: true,
            headless: true,
            commands: { stopServiceWorkers },
            instances: [
              { browser: "chromium", provider: chromium() },
              { browser: "firefox", provider: firefoxClassic() },
              { browser: "webkit", provider: webkitgtk() },
            ],
          },
        },
      },
      {
        // The fault-injection soak (tests/soak): SOAK_CHUNKS chunks (default 1 000; `npm run
        // soak` runs 10 000), SOAK_SEED (default random, printed) to replay one. Why `define`:
        // a test page in browser mode has no process.env.
        define: {
          __SOAK_CHUNKS__: JSON.stringify(Number(process.env.SOAK_CHUNKS || 1000)),
          __SOAK_SEED__: JSON.stringify(Number(process.env.SOAK_SEED || Math.floor(Math.random() * 2 ** 31))),
        },
        optimizeDeps: { include: ["cbor-x/index-no-eval"] },
        oxc,
        test: {
          name: "soak",
          include: ["tests/soak/**/*.test.ts"],
          // After the other projects, not beside them: its hangs and timeouts measure wall
          // time, and two Chromiums on a 2-core machine would slow both.
          sequence: { groupOrder: 1 },
          // One file at a time: they share the browser's coordinator, and count what it holds.
          fileParallelism: false,
          testTimeout: 60_000 + Number(process.env.SOAK_CHUNKS || 1000) * 60,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false, // a blank page says nothing; the summary line does
            // Chromium only: the soak measures wall time for its hangs and timeouts, and a
            // second browser would double its time; the browser project covers Firefox's
            // pool behaviour, faults and sync mode included.
            instances: [{ browser: "chromium", provider: chromium() }],
          },
        },
      },
    ],
  },
});
