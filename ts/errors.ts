import type { Failure, FailureKind } from "./wire.js";

/**
 * Every error wasm-pmap rejects with. All extend {@link PmapError}, so
 * `err instanceof PmapError` tells ours from anything else.
 */

/** Base class of all wasm-pmap errors. */
export class PmapError extends Error {
  override name = "PmapError";
}

/** A kernel returned `Err(..)` or panicked. */
export class KernelError extends PmapError {
  override name = "KernelError";
  constructor(
    /** Kernel name as called from TypeScript. */
    readonly kernel: string,
    message: string,
    /** Index of the chunk within the call. */
    readonly chunk: number,
    /** Index of the failing item within the whole call, when known. */
    readonly item?: number,
    /** True when the kernel panicked (its worker's wasm instance was re-created). */
    readonly panicked = false,
  ) {
    super(`kernel "${kernel}"${item === undefined ? "" : ` (item ${item})`}: ${message}`);
  }
}

/** An item (or the whole typed-array input) does not decode as the kernel's input type. */
export class DecodeError extends PmapError {
  override name = "DecodeError";
  constructor(
    readonly kernel: string,
    /** The expected input type, as TypeScript spells it. */
    readonly expected: string,
    message: string,
    /** Index of the failing item within the whole call, when known. */
    readonly item?: number,
  ) {
    super(message);
  }
}

/** No kernel of that name exists in the pool's module. */
export class UnknownKernelError extends PmapError {
  override name = "UnknownKernelError";
  constructor(
    readonly kernel: string,
    /** The kernels the module does register. */
    readonly known: readonly string[],
  ) {
    super(`no kernel named "${kernel}"; known kernels: ${known.join(", ")}`);
  }
}

/** A chunk ran longer than the call's `timeoutMs` (counted from when it started running). */
export class TimeoutError extends PmapError {
  override name = "TimeoutError";
  constructor(
    readonly kernel: string,
    readonly chunk: number,
    readonly timeoutMs: number,
  ) {
    super(`kernel "${kernel}": chunk ${chunk} ran longer than ${timeoutMs} ms; its worker was replaced`);
  }
}

/** The call's `AbortSignal` fired. `reason` is the signal's reason. */
export class AbortError extends PmapError {
  override name = "AbortError";
  constructor(
    message = "aborted",
    readonly reason?: unknown,
  ) {
    super(message);
  }
}

/** The pool's queue already holds `maxQueue` chunks. */
export class QueueFullError extends PmapError {
  override name = "QueueFullError";
  constructor(readonly maxQueue: number) {
    super(`the pool's queue is full (maxQueue ${maxQueue} chunks); retry later or raise maxQueue`);
  }
}

/** A worker died (script error, out of memory) and its chunk could not be completed. */
export class WorkerCrashedError extends PmapError {
  override name = "WorkerCrashedError";
}

/** The pool was terminated before (or while) the call ran. */
export class PoolTerminatedError extends PmapError {
  override name = "PoolTerminatedError";
  constructor() {
    super("the wasm-pmap pool has been terminated");
  }
}

/** The module could not be loaded or compiled, or a worker could not start. */
export class PoolStartError extends PmapError {
  override name = "PoolStartError";
}

/**
 * Sync mode: the coordinator service worker is not there, does not control the
 * SyncExecutor (its scope must contain the worker scripts), or lost a job twice.
 */
export class CoordinatorError extends PmapError {
  override name = "CoordinatorError";
}

/** Sync mode is needed (`pool.execute` on a pool created without `sync`), or a blocking
 * call was made where it cannot block. */
export class SyncModeError extends PmapError {
  override name = "SyncModeError";
}

// ---- errors across the coordinator: a sync job's pipe fails on the pool's side, the
// executor (blocked in Rust) learns it from a failure frame ----

const KIND_OF_CLASS: Record<string, FailureKind> = {
  KernelError: "kernel",
  DecodeError: "decode",
  UnknownKernelError: "unknownKernel",
  TimeoutError: "timeout",
  AbortError: "aborted",
  WorkerCrashedError: "crashed",
};
const CLASS_OF_KIND: Record<string, string> = Object.fromEntries(Object.entries(KIND_OF_CLASS).map(([c, k]) => [k, c]));

/** A pool error as a failure frame's body. */
export function toFailure(err: unknown, label: string): Failure {
  const e = err as Partial<KernelError> & Error;
  const f: Failure = {
    kind: KIND_OF_CLASS[e?.name] ?? "pool",
    kernel: typeof e?.kernel === "string" ? e.kernel : label,
    message: e?.message ?? String(err),
  };
  if (typeof e?.item === "number") f.index = e.item;
  return f;
}

/** The error a failure frame stands for; its `name` is the class name Rust maps to a
 * `PmapError` kind (rust/pmap/src/error.rs). */
export function fromFailure(f: Failure): PmapError {
  const err = new PmapError(f.message);
  err.name = CLASS_OF_KIND[f.kind] ?? "PmapError";
  Object.assign(err, { kernel: f.kernel, item: f.index });
  return err;
}
