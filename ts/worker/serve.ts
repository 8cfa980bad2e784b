/**
 * Runs inside a worker. What the worker entry (entry.ts) runs, and the Rust runtime's worker
 * role (ts/rust/runtime.ts): instantiates the pool's shared
 * `WebAssembly.Module` with its wasm-bindgen glue, then forwards each request frame to the
 * module's one run export and the response frame back. It never looks inside a frame, so
 * it loads no CBOR code.
 *
 * The pool's SyncExecutor runs it too, given the host that Rust's `collect_vec_sync()` blocks
 * on (executor-host.ts), which it installs when its init message says so.
 */
import { type KernelGlue, runFrame } from "../protocol/kernel-module.js";
import type { ExecutorSetup, FromWorker, ToWorker } from "../protocol/messages.js";
import type * as ExecutorHost from "./executor-host.js";

// The DOM and WebWorker libs cannot both be loaded; this is the slice of the worker scope used here.
declare const self: {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(msg: FromWorker, transfer: Transferable[]): void;
  close(): void;
};

let glue: KernelGlue | undefined;
// The glue import a `load` message started before `init` arrived.
let loading: { url: string; glue: Promise<KernelGlue> } | undefined;
// What serveWorker was given to be the SyncExecutor with (executor-entry.ts, the Rust runtime).
let hostModule: typeof ExecutorHost | undefined;
// The SyncExecutor's host, once installed; compute workers have none.
let executorHost: ReturnType<typeof ExecutorHost.installExecutorHost> | undefined;
// Messages that arrive while the glue is still loading wait here, in order.
let pending: ToWorker[] | undefined = [];

const post = (msg: FromWorker, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

/**
 * Makes this worker a pool worker: it answers the pool's messages from now on. `executor`:
 * the executor host module, for a script that may be the SyncExecutor. Why passed in, not
 * imported here on demand: a bundler then put the host in a chunk that imported modules back
 * from the worker's entry chunk, and WebKit evaluates a worker's main script again when it is
 * imported back (serving.ts); the executor's own entry imports it statically instead.
 */
export function serveWorker(executor?: typeof ExecutorHost): void {
  hostModule = executor;
  self.onmessage = (e: MessageEvent<ToWorker>) => {
    const msg = e.data;
    if (msg.type === "load") loading = { url: msg.glue, glue: importGlue(msg.glue) };
    else if (msg.type === "init") void init(msg.module, msg.glue, msg.executor);
    else if (pending) pending.push(msg);
    else handle(msg);
  };
}

function importGlue(url: string): Promise<KernelGlue> {
  const p = import(/* @vite-ignore */ /* webpackIgnore: true */ url) as Promise<KernelGlue>;
  p.catch(() => {}); // reported by init, which awaits it
  return p;
}

function handle(msg: ToWorker): void {
  if (msg.type === "pipe-result") executorHost?.pipeResult(msg);
  else if (msg.type === "workers") executorHost?.setWorkers(msg.n);
  else run(msg);
}

async function init(module: WebAssembly.Module, glueUrl: string, executor: ExecutorSetup | undefined): Promise<void> {
  try {
    // Why a dynamic import: the glue belongs to whichever kernel module the pool was given
    // (the built-in one or a user's), so it cannot be a static import of this file.
    const g = await (loading?.url === glueUrl ? loading.glue : importGlue(glueUrl));
    if (typeof g.__wasmPmapRun !== "function") {
      throw new Error(
        `${glueUrl} is not a wasm-pmap kernel module (no __wasmPmapRun export; built with an older wasm-pmap?)`,
      );
    }
    if (typeof g.__wasmPmapRunSlice !== "function") {
      throw new Error(
        `${glueUrl} was built with an older wasm-pmap (no __wasmPmapRunSlice export): rebuild it with this version's crate`,
      );
    }
    g.initSync({ module });
    if (executor) {
      // Only the executor carries the coordinator protocol: compute workers' script has none.
      if (!hostModule) throw new Error("this worker's script is a compute worker's, not the SyncExecutor's");
      hostModule.checkExecutor(executor);
      executorHost = hostModule.installExecutorHost(executor, (m) => post(m));
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
  const g = glue;
  const startedAt = performance.timeOrigin + performance.now();
  const data = msg.data;
  const out = data
    ? runFrame(g, () => g.__wasmPmapRunSlice(new Uint8Array(msg.frame), new Uint8Array(data), true))
    : runFrame(g, () => g.__wasmPmapRun(new Uint8Array(msg.frame)));
  if (!(out instanceof Uint8Array) && !Array.isArray(out)) {
    post({ type: "trap", id: msg.id, message: out.message, panicked: out.panicked, recovered: out.recovered });
    if (!out.recovered) self.close();
    return;
  }
  const finishedAt = performance.timeOrigin + performance.now();
  const [bytes, output] = Array.isArray(out) ? out : [out];
  const frame = own(bytes);
  const raw = output && own(output);
  const memoryBytes = g.__wasmPmapMemoryBytes();
  post(
    { type: "done", id: msg.id, frame, data: raw, startedAt, finishedAt, memoryBytes },
    raw ? [frame, raw] : [frame],
  );
}

/** `bytes`' own buffer, to transfer. The glue hands out fresh copies owned by JS (it copies
 * out of linear memory), so this is their buffer; guard anyway in case one is a view of
 * something bigger. */
function own(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}
