/**
 * Protocol: runs wherever it is imported (page, every worker). What a kernel module's
 * wasm-bindgen glue exports to wasm-pmap: the contract with `rust/pmap/src/entry.rs` — plus
 * the one helper every instance runs frames through. Loads no CBOR code: a compute worker
 * imports this and nothing else of the package.
 */

/** A kernel as the module reports it at start-up. */
export interface KernelInfo {
  name: string;
  kind: "map" | "slice" | "reduce" | "job";
  /** Input and output types as TypeScript spells them. */
  input: string;
  output: string;
  /** For a `#[kernel(context)]`: the broadcast context's type. */
  context?: string;
}

/** What wasm-pmap uses of a kernel module's wasm-bindgen glue (`--target web`). */
export interface KernelGlue {
  initSync(opts: { module: WebAssembly.Module }): unknown;
  /** Runs one request frame, returns the response frame (see frames.ts). */
  __wasmPmapRun(frame: Uint8Array): Uint8Array;
  __wasmPmapKernels(): KernelInfo[];
  __wasmPmapMemoryBytes(): number;
  /** Present when built with `--experimental-reset-state-function` (scripts/build-wasm.sh):
   * re-instantiates the module from the same compiled Module after a trap. */
  __wbg_reset_state?: () => void;
}

/** Where the panic hook of `rust/pmap/src/entry.rs` leaves a panic's message before the trap. */
export const PANIC_GLOBAL = "__wasmPmapPanic";

/**
 * Runs one frame through the glue, turning a trap into its panic message. Why one helper:
 * a panic is a trap, the instance's state is unknown and it must never run again — the
 * worker entry and the main-thread instance (local.ts) recover the same way.
 * Returns the response frame, or `{ trap, recovered }` after re-instantiating in place
 * (`recovered: false` when the glue cannot reset: the caller must drop the instance).
 */
export function runFrame(glue: KernelGlue, frame: Uint8Array): Uint8Array | { trap: string; recovered: boolean } {
  try {
    return glue.__wasmPmapRun(frame);
  } catch (err) {
    // A JS exception thrown through Rust (a failed non-`try_` terminal) is not a trap, but
    // the instance is re-created anyway: cheap, and never wrong.
    const g = globalThis as Record<string, unknown>;
    const panic = g[PANIC_GLOBAL] as string | undefined;
    g[PANIC_GLOBAL] = undefined;
    const trap = panic
      ? `panicked: ${panic}`
      : `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    let recovered = false;
    if (glue.__wbg_reset_state) {
      try {
        glue.__wbg_reset_state(); // re-instantiates from the same compiled Module
        recovered = true;
      } catch {
        recovered = false;
      }
    }
    return { trap, recovered };
  }
}

/**
 * Where Rust's parallel iterators find the pool from inside wasm (rust/pmap/src/par/host.rs):
 * `globalThis[HOST_KEY]`, set by `Pool.exposeToRust()` on the page and by the SyncExecutor.
 */
export const HOST_KEY = Symbol.for("wasm-pmap.host");
