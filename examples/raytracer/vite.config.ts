// The demo's Vite config: the one line a user adds (`wasmPmap()`), plus, inside this repo
// only, an alias of `wasm-pmap` to the repo's own build (dist/) so the demo runs what the
// repo builds. Copying the example: `npm i wasm-pmap` and delete `resolve`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { wasmPmap } from "wasm-pmap/vite"; // Node resolves the repo's own package name (self-reference)

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [wasmPmap()],
  resolve: {
    alias: [{ find: /^wasm-pmap$/, replacement: fileURLToPath(new URL("../../dist/index.js", import.meta.url)) }],
  },
  build: { outDir: "out/dist", emptyOutDir: true },
});
