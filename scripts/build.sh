#!/usr/bin/env bash
# Builds the package: Rust kernels → pkg/ (wasm + wasm-bindgen glue + generated .d.ts),
# then TypeScript → dist/ (JS + declarations). Cargo and tsc make reruns fast.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The Rust-side init API's JS runtime (ts/rust/ → rust/pmap/js/runtime.js), before any wasm
# build: crates with wasm-pmap's `init` feature embed it as a wasm-bindgen snippet.
node scripts/build-runtime.mjs
bash scripts/build-wasm.sh wasm-pmap-kernels pkg
# Test-only kernels (fault injection, a user-style crate); not part of the package.
bash scripts/build-wasm.sh wasm-pmap-test-kernels tests/test-kernels/pkg
# A Rust app starting its pool from Rust, built the way a Rust user does (README "From Rust":
# cargo + plain `wasm-bindgen --target web`, no wasm-opt, no npm): tests/e2e/rust-app.test.ts.
bash scripts/build-rust-app.sh
# A program written against wasm-par-mq's API, ported (tests/e2e/par-mq-port.test.ts). Its
# sw.js imports `pkg/coordinator.js`, as wasm-par-mq's static-file users copy theirs: here
# the runtime snippet, copied the same way.
bash scripts/build-rust-app.sh wasm-pmap-par-mq-port port tests/par-mq-port
cp tests/par-mq-port/pkg/snippets/wasm-pmap-*/js/runtime.js tests/par-mq-port/pkg/coordinator.js
# The demo's kernel crate (examples/raytracer, `npm run demo`).
bash scripts/build-wasm.sh raytracer examples/raytracer/pkg
npx tsc -p tsconfig.json
echo "[build] dist/ and pkg/ ready"
