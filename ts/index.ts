/**
 * wasm-pmap: run Rust kernels compiled to WebAssembly in parallel over a pool of Web
 * Workers, with no SharedArrayBuffer and no COOP/COEP headers.
 *
 * @example
 * ```ts
 * import { pmap } from "wasm-pmap";
 * const doubled = await pmap("double", [1, 2, 3]); // [2, 4, 6], typed number[]
 * ```
 * @packageDocumentation
 *
 * Runs on the page: the package's entry. Where each folder's code runs: pool/ and sync/ on
 * the page, worker/ inside a worker, coordinator/ in the service worker, vite/ in the build
 * tool, protocol/ wherever it is imported (the vocabulary all of them share).
 */

import { createPool } from "./pool/create.js";
import type { BuiltinKernels, Input, ItemKernel, Output, ReduceKernel, SliceKernel } from "./pool/module.js";
import type { CallOptions, SliceOptions } from "./pool/options.js";
import type { Pool } from "./pool/pool.js";

export { builtinModule } from "./pool/builtin.js";
export type { Progress } from "./pool/call.js";
export type { Indexed, Settled } from "./pool/collect.js";
export { createPool } from "./pool/create.js";
export { Mutex, type Release, Semaphore } from "./pool/locks.js";
export type {
  BuiltinKernels,
  Context,
  ImageSpec,
  Input,
  ItemKernel,
  JobKernel,
  KernelInfo,
  KernelModule,
  Output,
  ReduceKernel,
  RowSpec,
  SliceKernel,
} from "./pool/module.js";
export type { CallOptions, JobOptions, OptionsFor, PoolOptions, PoolStats, SliceOptions } from "./pool/options.js";
export { Pool } from "./pool/pool.js";
export { outputs, type Source } from "./pool/source.js";
export {
  AbortError,
  CoordinatorError,
  DecodeError,
  KernelError,
  NoPoolError,
  PmapError,
  PoolStartError,
  PoolTerminatedError,
  QueueFullError,
  SourceError,
  SyncModeError,
  TimeoutError,
  UnknownKernelError,
  WorkerCrashedError,
} from "./protocol/errors.js";
export type { SyncOptions } from "./sync/link.js";
export type { WorkerPool, WorkerPoolOptions } from "./worker/app-executor.js";
export { initPoolSyncFromWorker } from "./worker/from-worker.js";

let defaultPool: Promise<Pool<BuiltinKernels>> | undefined;

/** The lazily created pool behind {@link pmap} and {@link preduce} (built-in kernels). */
function getDefaultPool(): Promise<Pool<BuiltinKernels>> {
  if (!defaultPool) {
    defaultPool = createPool<BuiltinKernels>();
    defaultPool.catch(() => (defaultPool = undefined)); // let a later call retry
  }
  return defaultPool;
}

/**
 * `pool.map` on the default pool (`navigator.hardwareConcurrency` workers running the
 * built-in kernels; grown if `opts.concurrency` asks for more).
 *
 * @example
 * ```ts
 * const rows = await pmap("mandelbrotRow", specs, { concurrency: 2 }); // Uint8Array[]
 * ```
 */
export function pmap<N extends ItemKernel<BuiltinKernels>>(
  kernel: N,
  items: ArrayLike<Input<BuiltinKernels, N>>,
  opts?: CallOptions,
): Promise<Output<BuiltinKernels, N>[]>;
export function pmap<N extends SliceKernel<BuiltinKernels>>(
  kernel: N,
  items: Input<BuiltinKernels, N>,
  opts?: SliceOptions,
): Promise<Output<BuiltinKernels, N>>;
export async function pmap(kernel: string, items: unknown, opts?: CallOptions): Promise<unknown> {
  const pool = await getDefaultPool();
  if (opts?.concurrency && opts.concurrency > pool.size) await pool.grow(opts.concurrency);
  return (pool.map as (k: string, i: unknown, o?: CallOptions) => Promise<unknown>)(kernel, items, opts);
}

/** `pool.reduce` on the default pool. */
export async function preduce<N extends ReduceKernel<BuiltinKernels>>(
  kernel: N,
  init: Output<BuiltinKernels, N>,
  items: ArrayLike<Output<BuiltinKernels, N>>,
  opts?: CallOptions,
): Promise<Output<BuiltinKernels, N>> {
  const pool = await getDefaultPool();
  if (opts?.concurrency && opts.concurrency > pool.size) await pool.grow(opts.concurrency);
  return pool.reduce(kernel, init, items, opts);
}

/** Terminates the default pool (pending calls on it reject); the next `pmap` makes a new one. */
export async function disposeDefaultPool(): Promise<void> {
  const p = defaultPool;
  defaultPool = undefined;
  if (p) (await p.catch(() => undefined))?.terminate();
}
