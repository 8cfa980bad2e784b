#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, builds, checks format and
# lint (cargo fmt, clippy -D warnings, Biome), then runs every suite: cargo test (wire,
# registry, macro compile-fail cases, kernels, proptest), 60 s of cargo-fuzz on the wasm
# entry, the tsc type test, vitest in node (the
# protocol against the shared vectors, the dispatcher against scripted fake workers,
# scheduling, the coordinator, fast-check properties, the packed-tarball e2e, the Rust-only app
# tests/rust-app) and vitest
# in Chromium, Firefox and WebKit (real Workers, a real service worker; the 1 000-chunk
# fault-injection soak in Chromium), then the bench smoke test (`node bench/run.mjs --quick`:
# every variant and peer end to end, images checked). Ends with one "N passed, M failed" line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "== format and lint (cargo fmt --check, clippy -D warnings, biome ci)"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
npx biome ci --colors=off .
echo "== cargo test"
cargo test --workspace 2>&1 | tee "$out/cargo.log"
echo "== fuzz the wasm entry (cargo-fuzz, 60 s; scripts/fuzz.sh 600 for a longer run)"
bash scripts/fuzz.sh 60
echo "== type test (tsc --noEmit; every @ts-expect-error line must be an error)"
npx tsc -p tests/types/tsconfig.json
echo "== vitest (node + Chromium + Firefox + WebKit)"
npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json"
echo "== bench smoke test (npm run bench -- --quick: every variant and peer end to end, images checked, no timing asserted)"
node bench/run.mjs --quick

node -e '
  const fs = require("fs");
  const cargo = fs.readFileSync(process.argv[1], "utf8").matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g);
  let passed = 0, failed = 0;
  for (const m of cargo) { passed += +m[1]; failed += +m[2]; }
  const v = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  passed += v.numPassedTests + 1; // + the type test
  failed += v.numFailedTests;
  console.log(`\nsummary: ${passed} passed, ${failed} failed`);
' "$out/cargo.log" "$out/vitest.json"
