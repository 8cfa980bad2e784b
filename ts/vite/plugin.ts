/**
 * Runs in the build tool (Node.js). The Vite plugin for apps that use wasm-pmap.
 *
 * ```ts
 * // vite.config.ts
 * import { wasmPmap } from "wasm-pmap/vite";
 * export default defineConfig({ plugins: [wasmPmap()] });
 * ```
 *
 * What it does, and why:
 * - keeps `wasm-pmap` out of dependency pre-bundling (but pre-bundles its CommonJS cbor-x): the pre-bundler moves code into
 *   `.vite/deps/`, which breaks the `new URL("../worker/entry.js", import.meta.url)` and
 *   `new URL("../../pkg/…_bg.wasm", import.meta.url)` references the package relies on;
 * - builds workers as ES modules (the pool starts them with `{ type: "module" }`);
 * - serves `.wasm` as `application/wasm` in dev and preview, so `compileStreaming` works.
 * - sync mode: serves (dev) and emits (build) the coordinator service worker, bundled, as
 *   `<base>wasm-pmap-sw.js` — at the root, so its scope can contain the worker scripts
 *   wherever Vite puts them: `createPool({ sync: { serviceWorker: import.meta.env.BASE_URL + "wasm-pmap-sw.js" } })`.
 * The worker script, the kernel glue and the wasm are then emitted by Vite's own handling
 * of those `new URL(…, import.meta.url)` references: no blob: or data: URLs anywhere, so a
 * `worker-src 'self'` CSP suffices.
 * - minifies the kernel modules' wasm-bindgen glue in production builds: Vite emits a
 *   `new URL("….js", import.meta.url)` file as a plain asset, unminified, and every worker
 *   loads it (built-in kernels: 5.8 kB gzip as generated, 3.4 kB minified). Vite ≥ 8 (its
 *   `minify`); older ones ship the glue as generated.
 */
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

/** File name of the coordinator service worker the plugin serves and emits. */
export const SERVICE_WORKER_FILE = "wasm-pmap-sw.js";

export interface WasmPmapPluginOptions {
  /** Extra packages built on wasm-pmap (your own kernel package) to keep out of pre-bundling. */
  exclude?: string[];
}

export function wasmPmap(opts: WasmPmapPluginOptions = {}): Plugin {
  const wasmMime = (req: { url?: string }, res: { setHeader(k: string, v: string): void }, next: () => void) => {
    if (req.url?.split("?")[0]?.endsWith(".wasm")) res.setHeader("Content-Type", "application/wasm");
    next();
  };
  // dist/sw.js: the ready-made coordinator service worker.
  const swSource = fileURLToPath(new URL("../sw.js", import.meta.url));
  let base = "/";
  let building = false;
  let minifyGlue = false;
  return {
    name: "wasm-pmap",
    config(_config, env) {
      building = env.command === "build" && !env.isSsrBuild;
      return {
        optimizeDeps: {
          exclude: ["wasm-pmap", ...(opts.exclude ?? [])],
          // An excluded package's CommonJS dependencies must still be pre-bundled to ESM.
          include: ["wasm-pmap > cbor-x/index-no-eval"],
        },
        worker: { format: "es" },
      };
    },
    configResolved(config) {
      base = config.base;
      minifyGlue = building && config.build.minify !== false;
    },
    async generateBundle(_options, bundle) {
      if (!minifyGlue) return;
      // Why a dynamic import: the app's own Vite (a peer dependency), and only when building.
      const { minify } = (await import("vite").catch(() => ({}))) as { minify?: Minify };
      if (!minify) return;
      for (const file of Object.values(bundle)) {
        if (file.type !== "asset" || !file.fileName.endsWith(".js")) continue;
        const source = typeof file.source === "string" ? file.source : new TextDecoder().decode(file.source);
        if (!isKernelGlue(source)) continue;
        const out = await minify(file.fileName, source, { module: true, compress: true, mangle: true });
        // A glue the minifier cannot parse is shipped as it is rather than broken.
        if (out.errors.length === 0) file.source = out.code;
      }
    },
    buildStart() {
      // Why an emitted chunk (not a copied file): sw.js imports the coordinator and cbor-x,
      // which Rollup must bundle; a fixed name keeps the URL the app registers stable.
      if (building) this.emitFile({ type: "chunk", id: swSource, fileName: SERVICE_WORKER_FILE });
    },
    configureServer(server) {
      server.middlewares.use(wasmMime);
      // In dev, a one-line module at the root that imports the real one through Vite.
      server.middlewares.use((req, res, next) => {
        if (req.url?.split("?")[0] !== `${base}${SERVICE_WORKER_FILE}`) return next();
        res.setHeader("Content-Type", "text/javascript");
        res.end(`import ${JSON.stringify(`/@fs${swSource}`)};\n`);
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(wasmMime);
    },
  };
}

/** Vite 8's `minify` (Oxc, from rolldown), the part used here. */
type Minify = (
  fileName: string,
  source: string,
  opts: { module: boolean; compress: boolean; mangle: boolean },
) => Promise<{ code: string; errors: unknown[] }>;

/** Is this emitted `.js` asset a wasm-pmap kernel module's wasm-bindgen glue? */
export function isKernelGlue(source: string): boolean {
  return source.includes("export function __wasmPmapRun(") && source.includes("function initSync(");
}

export default wasmPmap;
