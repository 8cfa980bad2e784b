/**
 * Vite plugin for apps that use wasm-pmap.
 *
 * ```ts
 * // vite.config.ts
 * import { wasmPmap } from "wasm-pmap/vite";
 * export default defineConfig({ plugins: [wasmPmap()] });
 * ```
 *
 * What it does, and why:
 * - keeps `wasm-pmap` out of dependency pre-bundling (but pre-bundles its CommonJS cbor-x): the pre-bundler moves code into
 *   `.vite/deps/`, which breaks the `new URL("./worker.js", import.meta.url)` and
 *   `new URL("../pkg/…_bg.wasm", import.meta.url)` references the package relies on;
 * - builds workers as ES modules (the pool starts them with `{ type: "module" }`);
 * - serves `.wasm` as `application/wasm` in dev and preview, so `compileStreaming` works.
 * The worker script, the kernel glue and the wasm are then emitted by Vite's own handling
 * of those `new URL(…, import.meta.url)` references: no blob: or data: URLs anywhere, so a
 * `worker-src 'self'` CSP suffices.
 */
import type { Plugin } from "vite";

export interface WasmPmapPluginOptions {
  /** Extra packages built on wasm-pmap (your own kernel package) to keep out of pre-bundling. */
  exclude?: string[];
}

export function wasmPmap(opts: WasmPmapPluginOptions = {}): Plugin {
  const wasmMime = (req: { url?: string }, res: { setHeader(k: string, v: string): void }, next: () => void) => {
    if (req.url?.split("?")[0]?.endsWith(".wasm")) res.setHeader("Content-Type", "application/wasm");
    next();
  };
  return {
    name: "wasm-pmap",
    config() {
      return {
        optimizeDeps: {
          exclude: ["wasm-pmap", ...(opts.exclude ?? [])],
          // An excluded package's CommonJS dependencies must still be pre-bundled to ESM.
          include: ["wasm-pmap > cbor-x/index-no-eval"],
        },
        worker: { format: "es" },
      };
    },
    configureServer(server) {
      server.middlewares.use(wasmMime);
    },
    configurePreviewServer(server) {
      server.middlewares.use(wasmMime);
    },
  };
}

export default wasmPmap;
