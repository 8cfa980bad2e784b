#!/usr/bin/env bash
# Builds one kernel crate to wasm and runs wasm-bindgen on it (--target web).
# --experimental-reset-state-function: after a panic (a trap) the worker re-instantiates
# the module from the same compiled Module in well under a millisecond (`__wbg_reset_state`).
# Usage: scripts/build-wasm.sh [crate-name] [out-dir]   (default: wasm-pmap-kernels → pkg)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
crate="${1:-wasm-pmap-kernels}"
out="${2:-$root/pkg}"
source "$root/scripts/wasm-env.sh"
cd "$root"
# shellcheck disable=SC2086
$WASM_CARGO build --release --target wasm32-unknown-unknown -p "$crate" $WASM_CARGO_FLAGS
lib="${crate//-/_}"
wasm-bindgen --target web --experimental-reset-state-function --out-dir "$out" --out-name "$lib" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$lib.wasm"
echo "built $out/$lib.js ($(wc -c < "$out/${lib}_bg.wasm") bytes of wasm, toolchain: $WASM_TOOLCHAIN)"
