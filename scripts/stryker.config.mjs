// Mutation testing of the TypeScript that node drives (`npm run mutants`, scripts/mutants.sh):
// Stryker mutates these files in a sandbox copy and runs the node vitest tests that cover each
// mutant. Reports: reports/mutation/index.html and mutation.json.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "scripts/vitest.mutants.config.mjs" },
  coverageAnalysis: "perTest",
  mutate: [
    "ts/pool/schedule.ts",
    "ts/pool/collect.ts",
    "ts/pool/dispatch.ts",
    "ts/pool/start-policy.ts",
    "ts/pool/worker-slot.ts",
    "ts/pool/call.ts",
    "ts/pool/submit.ts",
    "ts/pool/items.ts",
    "ts/pool/locks.ts",
    "ts/coordinator/coordinator.ts",
    "ts/coordinator/kept-ports.ts",
    "ts/coordinator/body.ts",
    "ts/coordinator/caps.ts",
    "ts/coordinator/clients.ts",
    "ts/coordinator/voided.ts",
    "ts/protocol/frames.ts",
    "ts/protocol/errors.ts",
    "ts/sync/link.ts",
    "ts/sync/sync-mode.ts",
  ],
  // The sandbox gets only what the node tests read (target/ and rust/ are GBs). No tsconfig.json:
  // Stryker would rewrite it through TypeScript's JS API, which TypeScript 7 no longer has, and
  // vitest does not need it.
  ignorePatterns: ["/*", "!/ts", "!/tests", "/tests/e2e", "/tests/browser", "!/scripts", "!/package.json"],
  // Two cores, shared with other jobs.
  concurrency: 2,
  timeoutMS: 5_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  incrementalFile: "reports/mutation/incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  thresholds: { high: 90, low: 80, break: null },
};
