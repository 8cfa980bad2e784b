// Bundles the Rust-side init API's JavaScript runtime (ts/rust/runtime.ts: pool, worker
// entry and coordinator) into one self-contained, minified ES module,
// rust/pmap/js/runtime.js, that the `wasm-pmap` crate ships as a wasm-bindgen snippet
// (rust/pmap/src/init.rs). Generated (gitignored), listed in the crate's `include`.
// Why the file is only rewritten when its bytes change: cargo rebuilds every crate that
// embeds the snippet when its mtime moves.
// Usage: node scripts/build-runtime.mjs   (prints the size, minified and gzipped)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, minify } from "vite";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "rust/pmap/js/runtime.js");

// A Rust app's items are encoded and decoded by its Rust: the runtime needs no codec for
// JavaScript values, so ts/protocol/values.ts (cbor-x, a third of the bundle) is swapped for
// ts/rust/no-values.ts, whose functions say so if anything ever reaches them.
const values = join(root, "ts/protocol/values.ts");
const noValues = join(root, "ts/rust/no-values.ts");
const rustOnlyCodecs = {
  name: "wasm-pmap-rust-only-codecs",
  enforce: "pre",
  async resolveId(source, importer, options) {
    if (!source.endsWith("/values.js") || !importer) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    return resolved?.id === values ? noValues : null;
  },
};

const result = await build({
  configFile: false,
  root,
  logLevel: "warn",
  plugins: [rustOnlyCodecs],
  build: {
    write: false,
    target: "es2022",
    minify: true,
    copyPublicDir: false,
    lib: { entry: join(root, "ts/rust/runtime.ts"), formats: ["es"], fileName: () => "runtime.js" },
    // One file: wasm-bindgen copies snippets file by file, so no shared or lazy chunks
    // (the executor's dynamic import of its host is inlined).
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
const chunks = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
const files = chunks.filter((c) => c.type === "chunk" || c.fileName.endsWith(".js"));
if (files.length !== 1 || chunks.length !== 1) {
  throw new Error(`build-runtime: expected one file, got ${chunks.map((c) => c.fileName).join(", ")}`);
}
// Why a minify pass of its own: Vite's library mode keeps an ES bundle's whitespace.
const min = await minify("runtime.js", files[0].code, { module: true, compress: true, mangle: true });
if (min.errors.length) throw new Error(`build-runtime: minify failed: ${JSON.stringify(min.errors)}`);
const code = min.code;
if (/\bblob:|new Function\(|\beval\(/.test(code))
  throw new Error("build-runtime: the bundle must not use blob:, eval or new Function");
// The package's own worker script and built-in module are literal URLs a bundler inlines (as
// data: URLs, in library mode): the runtime must reach neither (ts/pool/browser-worker.ts,
// ts/pool/builtin.ts) — it starts pools with startPool and its own spawner (ts/rust/init.ts).
if (/worker\/entry\.js|wasm_pmap_kernels|["'`]data:/.test(code)) {
  throw new Error("build-runtime: the bundle includes the npm package's worker script or built-in module");
}
// cbor-x's own error text: present only if the JS-value codec leaked back into the bundle.
if (code.includes("Data read, but end of buffer not reached")) {
  throw new Error("build-runtime: the bundle includes cbor-x (ts/protocol/values.ts); the Rust runtime must not");
}
let before = "";
try {
  before = readFileSync(out, "utf8");
} catch {}
if (before !== code) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
}
console.log(
  `[build-runtime] ${out}: ${code.length} bytes minified, ${gzipSync(code).length} gzipped${before === code ? " (unchanged)" : ""}`,
);
