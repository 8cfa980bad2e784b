#!/usr/bin/env bash
# Builds the wasm-bindgen-rayon peer into bench/rayon-peer/pkg (bench-only; run by
# bench/run.mjs). Threads in wasm need a std compiled with atomics: `-Zbuild-std` on the
# stable compiler (RUSTC_BOOTSTRAP=1) with rustup's rust-src, or Debian's rustc-web +
# rust-web-src where rustup has no wasm32 target (the same switch as scripts/wasm-env.sh).
# Cached: cargo and a hash stamp make a rebuild with nothing changed take about a second.
# On failure it exits non-zero and the last line of stderr says why (the bench prints it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/pkg"
export CARGO_TARGET_DIR="$root/target/rayon-peer"

source "$root/scripts/wasm-env.sh"
# wasm-env.sh points CARGO_TARGET_DIR at target/wasm; this build must not share it (its
# std is built with different target features).
export CARGO_TARGET_DIR="$root/target/rayon-peer"
export RUSTC_BOOTSTRAP=1
if [ "$WASM_TOOLCHAIN" = rustup ]; then
  if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    rustup component add rust-src >&2 || { echo "rustup component add rust-src failed" >&2; exit 1; }
  fi
elif [ ! -d /usr/lib/rustlib/src/rust/library ]; then
  echo "no std sources for -Zbuild-std (rustup's rust-src or Debian's rust-web-src)" >&2
  exit 1
fi

# The recipe of wasm-bindgen-rayon's README: atomics + bulk-memory (+ mutable-globals, which
# the TLS globals need), one imported shared memory every thread instantiates with, and the
# TLS exports wasm-bindgen's thread transform calls in each new thread.
export RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals \
  -C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
$WASM_CARGO build --quiet --release --target wasm32-unknown-unknown \
  --manifest-path "$here/Cargo.toml" -Zbuild-std=panic_abort,std

wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wasm_pmap_rayon_peer.wasm"
stamp="$out/.built-from.sha256"
sum="$(sha256sum "$wasm" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -f "$out/package.json" ]; then
  exit 0
fi
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name wasm_pmap_rayon_peer "$wasm"
# The same optimiser settings as scripts/build-wasm.sh gives the wasm-pmap kernels, plus
# threads (shared memory, atomics).
"$root/node_modules/.bin/wasm-opt" -O3 --strip-debug --strip-producers --enable-threads \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/wasm_pmap_rayon_peer_bg.wasm" -o "$out/wasm_pmap_rayon_peer_bg.wasm"
# Why: the helper wasm-bindgen-rayon ships spawns each thread from
# pkg/snippets/<crate>/src/workerHelpers.js and imports the glue as `../../..`, the way
# wasm-pack's package directory resolves; wasm-bindgen alone writes no package.json.
echo '{ "type": "module", "main": "wasm_pmap_rayon_peer.js" }' > "$out/package.json"
echo "$sum" > "$stamp"
