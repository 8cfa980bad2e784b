// The vitest config of mutation runs (scripts/mutants.sh): the node tests only (one file per
// behaviour, tests/node/*.test.ts). The e2e test packs the package and launches Chromium, and
// would run once per mutant.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["tests/node/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
