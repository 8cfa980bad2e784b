#!/usr/bin/env bash
# Installs what building and testing wasm-pmap needs, on a fresh Debian machine or a dev
# box. Idempotent: every step checks first and skips what is already there (≈ 1 s then).
#   - a Rust toolchain able to target wasm32-unknown-unknown, with rustfmt and clippy (rustup's target if present,
#     else Debian's rustc-web + rust-web-src + lld-19 with build-std, see scripts/wasm-env.sh)
#   - wasm-bindgen-cli at exactly the version Cargo.toml pins
#   - Chromium for the browser tests and the bench (Debian's; PMAP_CHROMIUM overrides)
#   - Firefox for the browser tests (Debian's firefox-esr; PMAP_FIREFOX overrides) and
#     geckodriver built from crates.io (PMAP_GECKODRIVER overrides): no driver download
#   - npm dependencies (never downloading Playwright's own browsers)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { echo "[setup] $*"; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[setup] missing: $* (no apt-get here; install them by hand)" >&2
    exit 1
  fi
  # Why the lock timeout: fresh machines often run package jobs at boot, and apt-get fails at
  # once on a held dpkg lock unless told to wait (bounded: 10 min, then it fails as before).
  local wait=(-o DPkg::Lock::Timeout=600)
  [ -n "$apt_updated" ] || { $SUDO apt-get "${wait[@]}" update -qq; apt_updated=1; }
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${wait[@]}" install -y -qq "$@" >/dev/null
}

# 1. Rust → wasm32.
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "rustup has wasm32-unknown-unknown"
elif command -v rustup >/dev/null 2>&1 && rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  log "added rustup target wasm32-unknown-unknown"
else
  need=()
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || need+=(rustc-web cargo-web)
  [ -d /usr/lib/rustlib/src/rust/library ] || need+=(rust-web-src)
  [ -x /usr/lib/llvm-19/bin/wasm-ld ] || need+=(lld-19)
  if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; else log "Debian rustc-web + rust-src + wasm-ld present"; fi
fi

# 1b. rustfmt and clippy (the test command checks format and lints).
if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    if rustup component list --installed 2>/dev/null | grep -q "^$c"; then :; else
      log "rustup component add $c"
      rustup component add "$c" >/dev/null
    fi
  done
fi

# 2. wasm-bindgen-cli matching the `=`-pinned crate.
want_wb="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)"
have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wb" = "$want_wb" ]; then
  log "wasm-bindgen $want_wb present"
else
  log "cargo install wasm-bindgen-cli $want_wb (a few minutes, once)"
  # No --locked: its lockfile names a crate version some registry mirrors lack.
  cargo install -q wasm-bindgen-cli --version "$want_wb"
fi

# 3. Chromium.
chromium="${PMAP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then log "chromium present ($chromium)"; else apt_install chromium; fi

# 3b. Firefox and geckodriver (the browser suite runs in both; scripts/firefox.mjs finds them).
firefox="${PMAP_FIREFOX:-/usr/bin/firefox-esr}"
if [ -x "$firefox" ]; then log "firefox present ($firefox)"; else apt_install firefox-esr; fi
geckodriver="${PMAP_GECKODRIVER:-${CARGO_HOME:-$HOME/.cargo}/bin/geckodriver}"
if [ -x "$geckodriver" ]; then
  log "geckodriver present ($geckodriver)"
elif [ -n "${PMAP_GECKODRIVER:-}" ]; then
  echo "[setup] PMAP_GECKODRIVER=$PMAP_GECKODRIVER is not an executable" >&2
  exit 1
else
  # From crates.io, not the npm `geckodriver` package: that one downloads a binary from
  # GitHub in an install script (npm here runs none, and nothing may download from GitHub).
  log "cargo install geckodriver (a few minutes, once)"
  cargo install -q --locked geckodriver
fi

# 3c. WebKit: WebKitGTK's WebDriver and MiniBrowser (the engine Safari shares), and Xvfb, since
# MiniBrowser has no headless mode (scripts/webkit.mjs finds them; tests/e2e drive them).
if command -v WebKitWebDriver >/dev/null 2>&1 && command -v xvfb-run >/dev/null 2>&1; then
  log "WebKitWebDriver and xvfb-run present"
else
  apt_install webkit2gtk-driver xvfb xauth
fi

# 4. npm dependencies (reinstalled when package-lock.json changed since the last install).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: npm 11 leaves cbor-extract's optional platform packages
  # (cbor-x's native add-on, unused here) out of the lockfile, and `npm ci` then refuses it.
  log "npm install"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
else
  log "node_modules up to date"
fi
