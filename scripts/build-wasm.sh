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
# wasm-opt from npm's binaryen (≥ 132: Debian's binaryen 108 corrupts wasm-bindgen 0.2.130's
# output). -O3 keeps the kernels' speed; --strip-debug drops the name section (≈ 50 kB of the
# built-in module). Skipped when wasm-bindgen's output did not change since the last run, so
# rebuilds stay fast (it takes ≈ 15 s per module here).
wasm="$out/${lib}_bg.wasm"
stamp="$CARGO_TARGET_DIR/${lib}.wasm-opt.sha256"
sum="$(sha256sum "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$lib.wasm" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ -f "$out/${lib}_bg.opt.wasm" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  cp "$out/${lib}_bg.opt.wasm" "$wasm"
else
  node_modules/.bin/wasm-opt -O3 --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$wasm" -o "$out/${lib}_bg.opt.wasm"
  cp "$out/${lib}_bg.opt.wasm" "$wasm"
  echo "$sum" > "$stamp"
fi
echo "built $out/$lib.js ($(wc -c < "$out/${lib}_bg.wasm") bytes of wasm, toolchain: $WASM_TOOLCHAIN)"
