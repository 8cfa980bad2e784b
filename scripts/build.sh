#!/usr/bin/env bash
# Builds the package: Rust kernels → pkg/ (wasm + wasm-bindgen glue + generated .d.ts),
# then TypeScript → dist/ (JS + declarations). Cargo and tsc make reruns fast.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/build-wasm.sh wasm-pmap-kernels pkg
# Test-only kernels (fault injection, a user-style crate); not part of the package.
bash scripts/build-wasm.sh wasm-pmap-test-kernels tests/test-kernels/pkg
# The demo's kernel crate (examples/raytracer, `npm run demo`).
bash scripts/build-wasm.sh raytracer examples/raytracer/pkg
npx tsc -p tsconfig.json
echo "[build] dist/ and pkg/ ready"
