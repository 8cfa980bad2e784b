#!/usr/bin/env bash
# Builds a test app written in Rust (default tests/rust-app, an app that starts its pool from
# Rust) exactly as README "From Rust" tells a user to: `cargo build --release --target
# wasm32-unknown-unknown` then `wasm-bindgen --target web --remove-name-section --out-dir pkg`. Nothing else: no
# wasm-opt, no reset-state flag, nothing from npm. Cargo makes reruns fast; wasm-bindgen runs
# only when the wasm changed.
# Usage: build-rust-app.sh [cargo-package lib-name app-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/wasm-env.sh"
cd "$root"
package="${1:-wasm-pmap-rust-app}"
lib="${2:-app}"
out="${3:-tests/rust-app}/pkg"
# shellcheck disable=SC2086
$WASM_CARGO build --release --target wasm32-unknown-unknown -p "$package" $WASM_CARGO_FLAGS
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$lib.wasm"
stamp="$CARGO_TARGET_DIR/$package.wasm-bindgen.sha256"
# The flags are part of the stamp: changing them must re-run wasm-bindgen too.
flags="--target web --remove-name-section"
sum="$(sha256sum "$wasm" | cut -d' ' -f1) $flags"
if [ ! -f "$stamp" ] || [ ! -f "$out/$lib.js" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  rm -rf "$out" # a stale snippet folder (another hash) would linger otherwise
  # shellcheck disable=SC2086
  wasm-bindgen $flags --out-dir "$out" "$wasm"
  echo "$sum" > "$stamp"
fi
echo "built $out/$lib.js ($(wc -c < "$out/${lib}_bg.wasm") bytes of wasm, runtime snippet $(cat "$out"/snippets/wasm-pmap-*/js/runtime.js | wc -c) bytes)"
