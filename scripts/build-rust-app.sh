#!/usr/bin/env bash
# Builds tests/rust-app (an app that starts its pool from Rust) exactly as README "From Rust"
# tells a user to: `cargo build --release --target wasm32-unknown-unknown` then
# `wasm-bindgen --target web --out-dir pkg`. Nothing else: no wasm-opt, no reset-state
# flag, nothing from npm. Cargo makes reruns fast; wasm-bindgen runs only when the wasm changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/wasm-env.sh"
cd "$root"
# shellcheck disable=SC2086
$WASM_CARGO build --release --target wasm32-unknown-unknown -p wasm-pmap-rust-app $WASM_CARGO_FLAGS
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/app.wasm"
out=tests/rust-app/pkg
stamp="$CARGO_TARGET_DIR/rust-app.wasm-bindgen.sha256"
sum="$(sha256sum "$wasm" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ ! -f "$out/app.js" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  rm -rf "$out" # a stale snippet folder (another hash) would linger otherwise
  wasm-bindgen --target web --out-dir "$out" "$wasm"
  echo "$sum" > "$stamp"
fi
echo "built $out/app.js ($(wc -c < "$out/app_bg.wasm") bytes of wasm, runtime snippet $(cat "$out"/snippets/wasm-pmap-*/js/runtime.js | wc -c) bytes)"
