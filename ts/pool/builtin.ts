/**
 * Runs on the page. Where the package's built-in kernel module lives. Why a file of its own:
 * bundlers turn these literal `new URL(…, import.meta.url)` into emitted assets, which only
 * the npm package's pool wants (not the Rust runtime, ts/rust/, which runs the app's module).
 */
import type { KernelModule } from "./module.js";

/** The module compiled into this package: the built-in kernels (see `rust/kernels`). */
export const builtinModule: KernelModule = {
  wasm: new URL("../../pkg/wasm_pmap_kernels_bg.wasm", import.meta.url),
  glue: new URL("../../pkg/wasm_pmap_kernels.js", import.meta.url),
};
