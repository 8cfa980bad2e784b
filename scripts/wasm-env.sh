# Sourced by the build scripts: picks how to compile for wasm32-unknown-unknown.
# - rustup with the wasm32 target installed → plain `cargo build --target wasm32-unknown-unknown`;
# - otherwise Debian's rustc-web + rust-web-src (see shared TOOLCHAIN.md): build std from
#   source with nightly flags enabled by RUSTC_BOOTSTRAP, linked by wasm-ld from lld-19.
# Exports WASM_CARGO (a command prefix) and WASM_CARGO_FLAGS.
# PMAP_WASM_TOOLCHAIN=debian forces the second path (to test what a fresh machine does).
if [ "${PMAP_WASM_TOOLCHAIN:-}" != debian ] && command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  WASM_CARGO="cargo"
  WASM_CARGO_FLAGS=""
  WASM_TOOLCHAIN="rustup"
else
  export RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-19/bin/wasm-ld
  WASM_CARGO="/usr/bin/cargo"
  WASM_CARGO_FLAGS="-Zbuild-std=std,panic_abort"
  WASM_TOOLCHAIN="debian-build-std"
fi
# Why a separate target dir: build-std and a different rustc would otherwise invalidate
# the host `cargo test` artifacts on every switch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_WASM:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/wasm}"
