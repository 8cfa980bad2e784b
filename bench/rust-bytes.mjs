// What a Rust app pays in bytes (`npm run bench`, not --quick): the JavaScript runtime the
// crate ships as a wasm-bindgen snippet (rust/pmap/js/runtime.js), and the wasm of the
// smallest wasm-par-mq-style app (tests/size-probe: one kernel registered with register_fn!)
// built as README "From Rust" says — then what one more kernel, a first input type with
// floats and one more struct input type add. Each build is the same cargo + wasm-bindgen
// --target web --remove-name-section a user runs; gzip -9 as a server would.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const gz = (b) => gzipSync(b, { level: 9 }).length;

/** The probe's variants, each adding to the one before. */
const VARIANTS = [
  ["one_kernel", "one kernel, u32 → u32 (wasm-par-mq's README app)", ""],
  ["second_kernel", "+ a second kernel of the same types", "second-kernel"],
  ["first_float_type", "+ a struct input with f64 fields (the first floats)", "new-input-type"],
  ["another_type", "+ one more struct input type (u32 fields)", "another-input-type"],
];

/** Builds each variant and measures it; the runtime snippet too. */
export function measureRustBytes() {
  const runtime = readFileSync("rust/pmap/js/runtime.js");
  const out = { rust_runtime_bytes: runtime.length, rust_runtime_gzip: gz(runtime) };
  const target = process.env.CARGO_TARGET_DIR_WASM || join(process.cwd(), "target/wasm");
  const dir = mkdtempSync(join(tmpdir(), "wasm-pmap-size-probe-"));
  try {
    for (const [key, , features] of VARIANTS) {
      // Via scripts/wasm-env.sh: the same toolchain choice (rustup target or build-std) as every build.
      execFileSync(
        "bash",
        [
          "-c",
          `source scripts/wasm-env.sh && $WASM_CARGO build --quiet --release --target wasm32-unknown-unknown -p wasm-pmap-size-probe ${features ? `--features ${features}` : ""} $WASM_CARGO_FLAGS`,
        ],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      const wasm = join(target, "wasm32-unknown-unknown/release/probe.wasm");
      execFileSync("wasm-bindgen", ["--target", "web", "--remove-name-section", "--out-dir", dir, wasm]);
      const bytes = readFileSync(join(dir, "probe_bg.wasm"));
      out[`rust_wasm_${key}_bytes`] = bytes.length;
      out[`rust_wasm_${key}_gzip`] = gz(bytes);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export function printRustBytes(r) {
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log("\nWhat a Rust app pays (wasm-bindgen --target web --remove-name-section, no wasm-opt; gzip -9)");
  console.log(`  ${"".padEnd(58)}${"raw".padStart(10)}${"gzip".padStart(10)}${"added".padStart(12)}`);
  console.log(
    `  ${"JS runtime snippet (pool, workers, relay, coordinator)".padEnd(58)}${kb(r.rust_runtime_bytes).padStart(10)}${kb(r.rust_runtime_gzip).padStart(10)}`,
  );
  let before;
  for (const [key, label] of VARIANTS) {
    const bytes = r[`rust_wasm_${key}_bytes`];
    const added = before === undefined ? "" : `+${kb(bytes - before)}`;
    console.log(
      `  ${`wasm: ${label}`.padEnd(58)}${kb(bytes).padStart(10)}${kb(r[`rust_wasm_${key}_gzip`]).padStart(10)}${added.padStart(12)}`,
    );
    before = bytes;
  }
}
