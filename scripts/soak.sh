#!/usr/bin/env bash
# The long fault-injection soak (`npm run soak`): installs what is missing, builds, then runs
# tests/soak in headless Chromium with SOAK_CHUNKS chunks (default 10 000; `npm test` runs
# the same soak with 1 000). SOAK_SEED replays a run (each run prints its seed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
echo "== soak: ${SOAK_CHUNKS:-10000} chunks"
SOAK_CHUNKS="${SOAK_CHUNKS:-10000}" npx vitest run --project soak "$@"
