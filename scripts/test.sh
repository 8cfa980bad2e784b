#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds, then runs every
# suite: cargo test (wire, registry, macro, kernels), the tsc type test, vitest in node
# (wire.ts against the shared vectors, scheduling) and vitest in Chromium (real Workers).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
echo "== cargo test"
cargo test --workspace
echo "== type test (tsc --noEmit, @ts-expect-error lines must error)"
npx tsc -p tests/types/tsconfig.json
echo "== vitest (node + Chromium)"
npx vitest run
