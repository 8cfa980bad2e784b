/**
 * Runs on the page. `createPool`: a pool on the package's own worker script
 * (browser-worker.ts), running the built-in kernels unless told otherwise.
 */

import { spawnBrowserWorker } from "./browser-worker.js";
import { builtinModule } from "./builtin.js";
import type { BuiltinKernels } from "./module.js";
import type { PoolOptions } from "./options.js";
import type { Pool } from "./pool.js";
import { startPool } from "./start.js";

/**
 * Creates a pool of workers, each running the same kernel module, compiled once here.
 *
 * @example
 * ```ts
 * import { createPool } from "wasm-pmap";
 * await using pool = await createPool({ concurrency: 4 });
 * const rows = await pool.map("mandelbrotRow", specs); // Uint8Array[]
 * ```
 * With your own kernels (a wasm-bindgen / wasm-pack `--target web` build):
 * ```ts
 * import type { Kernels } from "./pkg/my_kernels.js";
 * const pool = await createPool<Kernels>({ module: {
 *   wasm: new URL("./pkg/my_kernels_bg.wasm", import.meta.url),
 *   glue: new URL("./pkg/my_kernels.js", import.meta.url) } });
 * ```
 */
export async function createPool<K extends object = BuiltinKernels>(opts: PoolOptions = {}): Promise<Pool<K>> {
  return startPool<K>(opts.module ?? builtinModule, opts, spawnBrowserWorker);
}
