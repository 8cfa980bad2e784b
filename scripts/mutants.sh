#!/usr/bin/env bash
# Mutation testing (`npm run mutants`; not part of `npm test`: a full run takes long).
#
#   scripts/mutants.sh               both: the Rust crates, then TypeScript
#   scripts/mutants.sh rust [args]   cargo-mutants on rust/pmap (wasm-pmap) and rust/pmap-macros
#   scripts/mutants.sh ts [args]     Stryker on the TypeScript package
#
# Rust: cargo-mutants (`cargo install cargo-mutants --locked`), configured in
# .cargo/mutants.toml (what is mutated, what is excluded and why). Extra arguments go to
# `cargo mutants`, e.g. `scripts/mutants.sh rust --iterate` (skips mutants caught last time)
# or `scripts/mutants.sh rust -F 'lenient\.rs'`. Jobs: $CARGO_MUTANTS_JOBS (default 2).
# Report: target/mutants/{pmap,macros}/mutants.out/ (missed.txt, caught.txt, …); the missed
# mutants are also printed.
#
# TypeScript: Stryker mutates the pool, protocol, sync and coordinator modules
# (scripts/stryker.config.mjs) and runs the node tests against each mutant
# (scripts/vitest.mutants.config.mjs). Extra arguments go to `stryker run`, e.g.
# `npm run mutants -- ts --incremental` (re-tests only what changed since the last run) or
# `npm run mutants -- ts --mutate ts/pool/locks.ts`. Arguments without a leading `rust`/`ts`
# also go to Stryker (and both run), as before this script knew Rust:
# `npm run mutants -- --incremental`.
# Report: reports/mutation/index.html; the surviving mutants are also printed.
#
# A test written to kill a surviving mutant goes into the test file of the behaviour it pins
# (tests/node/timeouts.test.ts, option-validation.test.ts, …; rust/pmap/tests/<topic>.rs), named
# for that behaviour: never into a file named after the tool that found the gap.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=both
case "${1:-}" in
rust | ts | both)
  mode="$1"
  shift
  ;;
esac

run_rust() {
  if ! command -v cargo-mutants >/dev/null; then
    echo "mutants.sh: cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
    return 1
  fi
  local jobs="${CARGO_MUTANTS_JOBS:-2}" out="$root/target/mutants" status=0
  # `--tests`: the unit and integration tests, not the doctests (each compiles on its own,
  # and they pin nothing the tests do not).
  #
  # wasm-pmap: the trybuild UI test (tests/compile_fail.rs) is skipped. It pins the
  # compile errors of `#[kernel]`, `par_fn!` and `sync_fn!`, which come from the macro crate
  # and from trait declarations here; a mutated function body in rust/pmap/src cannot change
  # one (it can only fail to build, which cargo-mutants reports as unviable), and trybuild
  # would rebuild every UI case for every mutant.
  cargo mutants --package wasm-pmap --jobs "$jobs" --output "$out/pmap" "$@" \
    -- --tests -- --skip user_errors_have_clear_messages || status=$?
  # wasm-pmap-macros: tested through wasm-pmap's tests (the generated code, and trybuild for
  # its errors; test_package in .cargo/mutants.toml). Explicit timeouts: cargo-mutants times
  # its baseline on the mutated package alone (the macro crate builds in seconds), so the
  # automatic ones would be far too short for building and running wasm-pmap's tests.
  cargo mutants --package wasm-pmap-macros --jobs "$jobs" --build-timeout 600 --timeout 600 \
    --output "$out/macros" "$@" -- --tests || status=$?
  return "$status"
}

run_ts() {
  [ -x node_modules/.bin/stryker ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install
  npx stryker run scripts/stryker.config.mjs "$@"
}

case "$mode" in
rust) run_rust "$@" ;;
ts) run_ts "$@" ;;
both)
  status=0
  run_rust || status=$?
  run_ts "$@" || status=$?
  exit "$status"
  ;;
esac
