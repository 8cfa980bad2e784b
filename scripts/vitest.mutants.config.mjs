// The vitest config of mutation runs (scripts/mutants.sh): the node tests only (one file per
// behaviour, tests/node/*.test.ts). The e2e test packs the package and launches Chromium, and
// would run once per mutant.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["tests/node/**/*.test.ts"],
    // It checks docs/architecture.md against rust/ too, which the Stryker sandbox does not
    // copy (scripts/stryker.config.mjs ignorePatterns); no mutant of ts/ is its to kill.
    exclude: ["tests/node/architecture.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
