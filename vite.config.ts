/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import { playwright } from "@vitest/browser-playwright";

// Debian's Chromium by default (no browser download is possible on our machines);
// PMAP_CHROMIUM points elsewhere, e.g. a Playwright-managed browser on a dev laptop.
const executablePath = process.env.PMAP_CHROMIUM || "/usr/bin/chromium";
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

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
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});
