/**
 * Worker entry: instantiates the pool's shared `WebAssembly.Module` with its wasm-bindgen
 * glue, then forwards each request frame to the module's one dispatch export and the
 * response frame back. It never looks inside a frame.
 *
 * The same script is the pool's SyncExecutor when its init message says so: it then also
 * installs the host Rust's `collect_vec_sync()` blocks on (sync-host.ts).
 */
import type { KernelGlue } from "./kernels.js";
import { installExecutorHost, pingCoordinator } from "./sync-host.js";
import type { ExecutorSetup, FromWorker, ToWorker } from "./wire.js";

// The DOM and WebWorker libs cannot both be loaded; this is the slice of the worker scope used here.
declare const self: {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: FromWorker, transfer: Transferable[]): void;
  close(): void;
  __wasmPmapPanic?: string;
};

let glue: KernelGlue | undefined;
let onPipeResult: ((msg: Extract<ToWorker, { type: "pipe-result" }>) => void) | undefined;
// Messages that arrive while the glue is still loading wait here, in order.
let pending: ToWorker[] | undefined = [];

const post = (msg: FromWorker, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "init") void init(msg.module, msg.glue, msg.executor);
  else if (pending) pending.push(msg);
  else handle(msg);
};

function handle(msg: ToWorker): void {
  if (msg.type === "pipe-result") onPipeResult?.(msg);
  else run(msg);
}

async function init(module: WebAssembly.Module, glueUrl: string, executor: ExecutorSetup | undefined): Promise<void> {
  try {
    // Why a dynamic import: the glue belongs to whichever kernel module the pool was given
    // (the built-in one or a user's), so it cannot be a static import of this file.
    const g = (await import(/* @vite-ignore */ glueUrl)) as KernelGlue;
    if (typeof g.__wasmPmapDispatch !== "function") {
      throw new Error(`${glueUrl} is not a wasm-pmap kernel module (no __wasmPmapDispatch export)`);
    }
    g.initSync({ module });
    if (executor) {
      pingCoordinator(executor);
      onPipeResult = installExecutorHost(executor, (m) => post(m));
    }
    glue = g;
    post({ type: "ready", kernels: g.__wasmPmapKernels() });
  } catch (err) {
    post({ type: "init-error", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  const queued = pending ?? [];
  pending = undefined;
  for (const m of queued) handle(m);
}

function run(msg: ToWorker): void {
  if (msg.type !== "run" || !glue) return;
  const startedAt = performance.timeOrigin + performance.now();
  let out: Uint8Array;
  try {
    out = glue.__wasmPmapDispatch(new Uint8Array(msg.frame));
  } catch (err) {
    // A panic is a trap: the instance's state is unknown and must never run again. (A JS
    // exception thrown through Rust — a failed non-`try_` terminal — is not, but the
    // instance is re-created anyway: cheap, and never wrong.)
    const message = self.__wasmPmapPanic
      ? `panicked: ${self.__wasmPmapPanic}`
      : `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    self.__wasmPmapPanic = undefined;
    let recovered = false;
    if (glue.__wbg_reset_state) {
      try {
        glue.__wbg_reset_state(); // re-instantiates from the same compiled Module
        recovered = true;
      } catch {
        recovered = false;
      }
    }
    post({ type: "trap", id: msg.id, message, recovered });
    if (!recovered) self.close();
    return;
  }
  const finishedAt = performance.timeOrigin + performance.now();
  // `out` is a fresh copy owned by JS (wasm-bindgen copies out of linear memory), so its
  // buffer can be transferred. Guard anyway in case it is a view of something bigger.
  const frame = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.slice().buffer;
  const memoryBytes = glue.__wasmPmapMemoryBytes();
  post({ type: "done", id: msg.id, frame: frame as ArrayBuffer, startedAt, finishedAt, memoryBytes }, [frame as ArrayBuffer]);
}
