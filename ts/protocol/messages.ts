/**
 * Protocol (types only). The postMessage envelopes between the pool (ts/pool/) and a worker
 * (ts/worker/). Types only: the frames inside them are bytes (frames.ts), never parsed by
 * the worker.
 */
import type { AnswerSlot } from "./answer-slot.js";
import type { Failure } from "./frames.js";
import type { KernelInfo } from "./kernel-module.js";

/** What makes a worker the pool's SyncExecutor (see ts/worker/executor-host.ts). */
export interface ExecutorSetup {
  /**
   * How `collect_vec_sync()` blocks. `"xhr"`: a synchronous XHR to the coordinator service
   * worker at `coordinator` (routes.ts). `"atomics"`: `Atomics.wait` on an answer slot
   * (answer-slot.ts), on cross-origin-isolated pages; no service worker.
   */
  wait: "xhr" | "atomics";
  /** Absolute URL of the coordinator's prefix, ending in `/` (the `"xhr"` wait). */
  coordinator?: string;
  /** Compute workers in the pool (Rust chunks for about four per worker). */
  workers: number;
  /** A blocking call with no answer after this long fails with `TimeoutError` (default: no
   * limit). For executors the app owns, which nothing else can replace. */
  callTimeoutMs?: number;
  /** This executor's ticket namespace (a fresh random UUID per executor worker): its ticket
   * ids are `<namespace>:<n>`. The page picks it, so it can void all of them at once when it
   * replaces the executor (see routes.ts `forget`). */
  namespace: string;
  /** The answer key (routes.ts KEY_HEADER) this executor's waits carry, when its answers come
   * by POST from a relay (an executor the app owns); absent for a page's executor. */
  answerKey?: string;
  /** An app-owned executor's relay, as its blocked waits watch it: its lease (`"xhr"`, the
   * Web Lock name, routes.ts LEASE_PREFIX) or its heartbeat (`"atomics"`, answer-slot.ts). */
  relay?: { lease?: string; beat?: SharedArrayBuffer };
}

/** Pool → worker. */
export type ToWorker =
  /** Instantiate the shared, already compiled module with its wasm-bindgen glue; with
   * `executor`, also become the SyncExecutor. */
  | { type: "init"; module: WebAssembly.Module; glue: string; executor?: ExecutorSetup }
  /** Start importing the glue now: `init` (with the module, still compiling) follows. */
  | { type: "load"; glue: string }
  /** Run one request frame; `id` is the pool's task id. `data`: a slice-kernel chunk's raw
   * bytes, beside a slice-mode frame (rust/pmap/src/slice.rs); transferred, never cloned. */
  | { type: "run"; id: number; frame: ArrayBuffer; data?: ArrayBuffer }
  /** The SyncExecutor: the pool has this many compute workers now (after `pool.grow`), so
   * Rust chunks parallel iterators for them (`current_num_workers()`). */
  | { type: "workers"; n: number }
  /** The outcome of an async `pipe` request the executor made. */
  | { type: "pipe-result"; id: number; bodies?: Uint8Array[]; error?: Failure };

/** The executor's requests to the pool (handled by ts/sync/, not by dispatch). */
export type ExecutorRequest =
  /**
   * The SyncExecutor asks the pool to run a parallel iterator's chunks (pipe payloads).
   * `ticket` set: the executor is blocked waiting on the coordinator, so the outcome goes
   * there under that ticket; else it comes back as a `pipe-result` with this `id`.
   * `slot` set (the `"atomics"` wait): the executor is blocked in `Atomics.wait`, and the
   * outcome is written into that slot (answer-slot.ts) as ticket `ticket`'s frame.
   * `rerun`: how many times the coordinator lost this pipe's ticket before (it restarted).
   */
  | {
      type: "pipe";
      id: number;
      ticket?: string;
      slot?: AnswerSlot;
      label: string;
      payloads: Uint8Array[];
      rerun?: number;
    }
  /** The executor read ticket `ticket`'s answer: stop re-delivering it. */
  | { type: "pipe-taken"; ticket: string }
  /** The executor stopped waiting for ticket `ticket` (its `callTimeoutMs` passed, or the
   * coordinator lost the ticket and the pipe re-runs under a new one): never answer it, and
   * have the coordinator forget it. */
  | { type: "pipe-abandoned"; ticket: string };

/** Worker → pool. */
export type FromWorker =
  | { type: "ready"; kernels: KernelInfo[] }
  | { type: "init-error"; message: string }
  /** `startedAt`/`finishedAt` are epoch milliseconds (comparable across workers). */
  | {
      type: "done";
      id: number;
      frame: ArrayBuffer;
      /** A slice kernel's typed output, as raw bytes (its frame's body is then empty). */
      data?: ArrayBuffer;
      startedAt: number;
      finishedAt: number;
      memoryBytes: number;
    }
  /** The run threw: a wasm trap (`panicked`: a panic, memory exhausted) or a JS exception
   * thrown through Rust. `recovered`: the instance was re-created in place. */
  | { type: "trap"; id: number; message: string; panicked: boolean; recovered: boolean }
  | ExecutorRequest;

/**
 * A pool run from an app's own worker (`initPoolSyncFromWorker`, ts/worker/from-worker.ts):
 * that worker (the executor) → its relay (ts/worker/relay.ts), which owns the compute
 * workers. After `relay-init`, the executor sends `ExecutorRequest`s, as to the page.
 */
export type ToRelay =
  | {
      type: "relay-init";
      module: WebAssembly.Module;
      glue: string;
      concurrency: number;
      /** The coordinator's prefix (the `"xhr"` wait); absent: answers go into answer slots. */
      coordinator?: string;
      /** The executor's answer key, sent with every POST (routes.ts KEY_HEADER). */
      answerKey?: string;
      /** What the relay keeps up while it lives: a Web Lock of this name, or a heartbeat in
       * this memory (ExecutorSetup.relay). */
      lease?: string;
      beat?: SharedArrayBuffer;
    }
  | { type: "relay-grow"; n: number }
  | ExecutorRequest;

/** Relay → executor. `pipe-result` answers an async `pipe`, as the page does. */
export type FromRelay =
  | { type: "relay-ready"; workers: number }
  | { type: "relay-error"; message: string }
  /** How far the relay's start got (what a start timeout reports: which step never ended). */
  | { type: "relay-progress"; step: string }
  | Extract<ToWorker, { type: "pipe-result" | "workers" }>;
