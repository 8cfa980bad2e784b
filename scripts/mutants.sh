#!/usr/bin/env bash
# Mutation testing (`npm run mutants`; not part of `npm test`: a full run takes long): Stryker
# mutates the pool, protocol, sync and coordinator modules (scripts/stryker.config.mjs) and runs
# the node tests against each mutant (scripts/vitest.mutants.config.mjs). Extra arguments go to
# `stryker run`, e.g. `npm run mutants -- --incremental` (re-tests only what changed since the
# last run) or `npm run mutants -- --mutate ts/pool/locks.ts`.
# Report: reports/mutation/index.html; the surviving mutants are also printed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -x node_modules/.bin/stryker ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install
exec npx stryker run scripts/stryker.config.mjs "$@"
