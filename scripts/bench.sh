#!/usr/bin/env bash
# The main job (`npm run bench`): install/build what is missing, then run the bench in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
node bench/run.mjs "$@"
