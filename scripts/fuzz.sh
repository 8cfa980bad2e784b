#!/usr/bin/env bash
# Coverage-guided fuzzing of the wasm entry (`entry::run`, the frame decoder and every
# kernel decoder behind it): `scripts/fuzz.sh [seconds]`, default 60, split evenly between
# the targets of rust/pmap/fuzz (cargo-fuzz layout):
#   entry_run     arbitrary bytes as a request frame, seeded from tests/vectors/wire.json
#   entry_frames  well-formed frames built with `arbitrary` (fuzz/src/frames.rs)
# Installs cargo-fuzz if missing, replays fuzz/regressions/<target>/, then fuzzes each
# target under AddressSanitizer with libFuzzer's memory bounds, and prints one summary
# line per target. Exits 1 if any input panicked, aborted, timed out or allocated past the
# bounds; such inputs are in rust/pmap/fuzz/artifacts/<target>/ (minimise one with
# `RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> <file>` in rust/pmap/fuzz and commit it
# under regressions/<target>/).
set -euo pipefail
secs="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/rust/pmap/fuzz"
targets=(entry_run entry_frames)
# A finding: a single allocation over 256 MB, 512 MB resident, or 10 s for one input.
limits=(-rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10)

# Why RUSTC_BOOTSTRAP, for cargo-fuzz only: it passes -Z flags (sanitizer, sancov
# instrumentation) that only nightly accepts, and the machine has the stable toolchain
# (whose rust-std ships the ASan runtime).
fuzz_cargo() { (cd "$fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz "$@"); }

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz@0.13.2 --locked --quiet
  echo "   (${SECONDS}s)"
fi

echo "== building the fuzz targets (ASan)"
if ! build="$(fuzz_cargo build --sanitizer address 2>&1)"; then
  grep -v '^\s*Compiling' <<<"$build" | head -60
  echo "fuzz: the targets do not build" >&2
  exit 1
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="$fuzz/target/$triple/release"
for t in "${targets[@]}"; do
  [ -x "$bin/$t" ] || { echo "fuzz target $t did not build" >&2; exit 1; }
done
echo "   (${SECONDS}s)"

# Seeds: the request frames of the shared vectors (hex there, raw bytes here). And a
# dictionary for the byte-level target: every kernel name and field name of the kernels
# it links (read from their sources, camelCase as the macro and serde spell them), as
# CBOR text, plus the CBOR heads a frame is made of (typed-array tags, long lengths).
mkdir -p "$fuzz/corpus/entry_run"
dict="$fuzz/corpus/entry_run.dict"
node -e '
  const fs = require("fs"), path = require("path");
  const [vectors, dir, dict, ...sources] = process.argv.slice(1);
  for (const r of JSON.parse(fs.readFileSync(vectors, "utf8")).requests)
    fs.writeFileSync(path.join(dir, `wire-${r.name}`), Buffer.from(r.hex, "hex"));
  const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  const words = new Set();
  for (const f of sources) {
    const src = fs.readFileSync(f, "utf8");
    for (const m of src.matchAll(/#\[wasm_pmap::kernel[^\]]*\]\s*pub fn (\w+)/g)) words.add(camel(m[1]));
    for (const m of src.matchAll(/^\s*pub (\w+): /gm)) words.add(camel(m[1]));
  }
  const hex = (b) => [...b].map((x) => "\\x" + x.toString(16).padStart(2, "0")).join("");
  const lines = [...words].map((w) => `"${hex(Buffer.concat([Buffer.from([0x60 + w.length]), Buffer.from(w)]))}"`);
  for (let t = 64; t <= 87; t++) lines.push(`"\\xd8${hex([t])}"`);
  lines.push(`"\\x87\\x01"`, `"\\xf6"`, `"\\x9a\\xff\\xff\\xff\\xff"`, `"\\x5a\\xff\\xff\\xff\\xff"`, `"\\x9b\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00"`, `"\\x9f"`, `"\\xff"`);
  fs.writeFileSync(dict, lines.join("\n") + "\n");
' "$root/tests/vectors/wire.json" "$fuzz/corpus/entry_run" "$dict" \
  "$root/rust/kernels/src/lib.rs" "$fuzz/src/kernels.rs"

failed=0
summary=()
per=$(( secs / ${#targets[@]} > 0 ? secs / ${#targets[@]} : 1 ))
for t in "${targets[@]}"; do
  corpus="$fuzz/corpus/$t" artifacts="$fuzz/artifacts/$t" log="$fuzz/artifacts/$t.log"
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)

  regressions=("$fuzz/regressions/$t"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== $t: replaying ${#regressions[@]} regression input(s)"
    for r in "${regressions[@]}"; do
      if ! "$bin/$t" "${limits[@]}" "$r" >"$log" 2>&1; then
        echo "regression $r fails:" && grep -m3 -E 'panicked|ERROR|out-of-memory|timeout' "$log"
        failed=1
      fi
    done
  fi

  echo "== $t: fuzzing ${per}s"
  # Fork mode: a crash ends one child, not the run, so the whole time is spent and every
  # distinct finding is kept; the parent counts them (oom/timeout/crash).
  extra=()
  [ "$t" = entry_run ] && extra=(-dict="$dict")
  (cd "$fuzz" && "$bin/$t" "${limits[@]}" "${extra[@]}" -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
    -ignore_timeouts=1 -max_total_time="$per" -artifact_prefix="$artifacts/" \
    "$corpus") >"$log" 2>&1 || true
  last="$(grep -E '^#[0-9]+: cov:' "$log" | tail -1)"
  found=$(( $(find "$artifacts" -type f | wc -l) - before ))
  if [ -z "$last" ]; then
    summary+=("$t: did not run (see $log)")
    failed=1
    continue
  fi
  # "#N: cov: C ft: F corp: K exec/s: E oom/timeout/crash: O/T/X time: Ss job: J ..."
  read -r execs cov ft corp eps otc < <(sed -E \
    's/^#([0-9]+): cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+) exec\/s: ([0-9]+) oom\/timeout\/crash: ([0-9\/]+).*/\1 \2 \3 \4 \5 \6/' \
    <<<"$last")
  IFS=/ read -r ooms timeouts crashes <<<"$otc"
  summary+=("$t: ${execs} execs (${eps}/s), cov ${cov}, ft ${ft}, corpus ${corp}, crashes $(( crashes + ooms + timeouts )) (crash ${crashes}, oom ${ooms}, timeout ${timeouts}), new artifacts ${found}")
  if (( crashes + ooms + timeouts + found > 0 )); then failed=1; fi
done

echo "== fuzz summary (${SECONDS}s in all)"
printf '%s\n' "${summary[@]}"
if (( failed )); then
  echo "fuzz: findings, see rust/pmap/fuzz/artifacts/ (logs: artifacts/<target>.log)"
  exit 1
fi
