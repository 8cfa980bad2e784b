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
  /** Runs one slice-kernel chunk given as raw bytes beside its frame: returns the response
   * frame and, for a typed output, the output's bytes (see rust/pmap/src/slice.rs) —
   * written over `data` itself when `inPlace` and the output is exactly as long. */
  __wasmPmapRunSlice(frame: Uint8Array, data: Uint8Array, inPlace?: boolean): [Uint8Array, Uint8Array?];
  __wasmPmapKernels(): KernelInfo[];
  __wasmPmapMemoryBytes(): number;
  /** Present when built with `--experimental-reset-state-function` (scripts/build-wasm.sh):
   * re-instantiates the module from the same compiled Module after a trap. */
  __wbg_reset_state?: () => void;
}

/** Where the panic hook of `rust/pmap/src/entry.rs` leaves a panic's message before the trap. */
export const PANIC_GLOBAL = "__wasmPmapPanic";

/** What running a frame can end in besides a response frame (see `runFrame`). */
export interface Trap {
  message: string;
  /** A wasm trap (a panic, memory exhausted): the instance's state is unknown. False for a JS
   * exception thrown through Rust (a failed non-`try_` terminal in a job). */
  panicked: boolean;
  /** The instance was re-created in place; false: the caller must drop it. */
  recovered: boolean;
}

/**
 * Runs `run` (one of the glue's run exports), turning a trap into a message a user can act
 * on. Why one helper: a trapped instance must never run again — the worker entry and the
 * main-thread instance (local.ts) recover the same way, re-instantiating in place when the
 * glue can.
 */
export function runFrame<T>(glue: KernelGlue, run: () => T): T | Trap {
  try {
    return run();
  } catch (err) {
    const g = globalThis as Record<string, unknown>;
    const panic = g[PANIC_GLOBAL] as string | undefined;
    g[PANIC_GLOBAL] = undefined;
    const trapped = err instanceof WebAssembly.RuntimeError;
    let message: string;
    if (panic) message = `panicked: ${panic}`;
    else if (trapped) message = trapMessage(glue, err);
    else message = err instanceof Error ? `${err.name}: ${err.message}` : `threw ${String(err)}`;
    // A JS exception is not a trap, but the instance is re-created anyway: cheap, never wrong.
    let recovered = false;
    if (glue.__wbg_reset_state) {
      try {
        glue.__wbg_reset_state(); // re-instantiates from the same compiled Module
        recovered = true;
      } catch {
        recovered = false;
      }
    }
    return { message, panicked: !!panic || trapped, recovered };
  }
}

/** Why: a trap without a panic message is nearly always an allocation that failed (Rust
 * aborts on it, and the abort only says "unreachable"): say so, with the memory figure. */
function trapMessage(glue: KernelGlue, err: Error): string {
  let mib = "";
  try {
    mib = ` (the instance had ${Math.round(glue.__wasmPmapMemoryBytes() / 2 ** 20)} MiB of linear memory; wasm32 allows 4096 MiB)`;
  } catch {
    // the figure is a nicety
  }
  return `trapped without a panic message ("${err.message}"): most likely the wasm memory was exhausted${mib}`;
}

/**
 * Where Rust's parallel iterators find the pool from inside wasm (rust/pmap/src/par/host.rs):
 * `globalThis[HOST_KEY]`, set by `Pool.exposeToRust()` on the page and by the SyncExecutor.
 */
export const HOST_KEY = Symbol.for("wasm-pmap.host");
/** The hosts installed on this thread, oldest first (shared by every copy of this code in
 * the realm: the npm package's and a Rust app's runtime.js). */
const HOSTS_KEY = Symbol.for("wasm-pmap.hosts");

interface Installed {
  host: object;
  /** Its pool ended: it stays only until another host takes over, to say why calls fail. */
  retired: boolean;
}

/** How one host leaves (see {@link installHost}). */
export interface HostHandle {
  /** Removes it; the newest host still installed takes over again (none: Rust has no pool). */
  uninstall(): void;
  /**
   * Its pool ended: the newest live host below it takes over; if there is none, it stays the
   * thread's host — so Rust's next call fails with the pool's own error (why it ended), not
   * with "no pool" — until another host is installed.
   */
  retire(): void;
}

/**
 * Makes `host` the one Rust's parallel iterators on this thread reach. Why a stack and not a
 * plain assignment: with two pools on one thread, ending the first must never take the
 * second's host away (nor leave Rust pointing at an ended pool when a live one is there).
 */
export function installHost(host: object): HostHandle {
  const g = globalThis as Record<symbol, unknown>;
  g[HOSTS_KEY] ??= [];
  const stack = g[HOSTS_KEY] as Installed[];
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.retired) stack.splice(i, 1);
  const me: Installed = { host, retired: false };
  stack.push(me);
  g[HOST_KEY] = host;
  const top = () => {
    const live = stack.filter((e) => !e.retired);
    const next = live[live.length - 1] ?? stack[stack.length - 1];
    if (next) g[HOST_KEY] = next.host;
    else delete g[HOST_KEY];
  };
  return {
    uninstall() {
      const i = stack.indexOf(me);
      if (i < 0) return;
      stack.splice(i, 1);
      top();
    },
    retire() {
      me.retired = true;
      top();
    },
  };
}
