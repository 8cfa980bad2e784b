/// <reference types="vitest/config" />

import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vite";

import { chromiumArgs, chromiumExecutable as executablePath } from "./scripts/chromium.mjs";

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
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath, args: chromiumArgs } }),
            commands: {
              // Stops every service worker, as the browser does to idle ones (DevTools protocol).
              async stopServiceWorkers(ctx) {
                const cdp = await (
                  ctx as unknown as {
                    context: { newCDPSession(p: unknown): Promise<{ send(m: string): Promise<unknown> }> };
                    page: unknown;
                  }
                ).context.newCDPSession((ctx as unknown as { page: unknown }).page);
                await cdp.send("ServiceWorker.enable");
                await cdp.send("ServiceWorker.stopAllWorkers");
              },
            },
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});
