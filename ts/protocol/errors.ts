/**
 * Protocol: runs wherever it is imported (page, worker). Every error wasm-pmap rejects
 * with, and the one table of error kinds (ERROR_KINDS) that failure frames carry across to
 * Rust and back. All classes extend {@link PmapError}, so `err instanceof PmapError` tells
 * ours from anything else. It loads no CBOR code.
 */
import type { KernelInfo } from "./kernel-module.js";

/** A failure frame's body: what went wrong with a chunk (`Failure` in error.rs). */
export interface Failure {
  /** One of the kinds of the error table (errors.ts, `tests/vectors/errors.json`). */
  kind: ErrorKind;
  kernel: string;
  message: string;
  expected?: string;
  index?: number;
  known?: string[];
}

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

/** Rust code reached for a pool on a thread that has none: call `pool.exposeToRust()`
 * there first, or run the code inside a job (`pool.execute`). Thrown by Rust's parallel
 * iterators (`NoPool` in rust/pmap/src/error.rs), never by the pool itself. */
export class NoPoolError extends PmapError {
  override name = "NoPoolError";
}

/**
 * A streaming input (an async iterable or `ReadableStream` given to `pool.map` or
 * `pool.stream`) threw, or its reader failed, while the pool read it. `item` is the index
 * the next item would have had; `cause` is what the source threw. The call stops: the
 * chunks in flight are cancelled and the source is not read again.
 */
export class SourceError extends PmapError {
  override name = "SourceError";
  constructor(
    readonly kernel: string,
    /** Index of the item that could not be read (items read before it: `item`). */
    readonly item: number,
    cause: unknown,
  ) {
    super(
      `kernel "${kernel}": the input source failed at item ${item}: ${(cause as Error)?.message ?? String(cause)}`,
      {
        cause,
      },
    );
  }
}

// ---- the error table ----

/**
 * Every error kind, by its wire name (a failure frame's `kind`), with the class an error
 * of that kind is thrown as. The twin of `ErrorKind` in rust/pmap/src/error.rs; both are
 * checked against `tests/vectors/errors.json`. Generic kinds share `PmapError`; any other
 * class stands for exactly one kind.
 */
export const ERROR_KINDS = {
  frame: "PmapError",
  unknownKernel: "UnknownKernelError",
  decode: "DecodeError",
  kernel: "KernelError",
  encode: "PmapError",
  contextMissing: "PmapError",
  timeout: "TimeoutError",
  aborted: "AbortError",
  workerCrashed: "WorkerCrashedError",
  queueFull: "QueueFullError",
  poolTerminated: "PoolTerminatedError",
  poolStart: "PoolStartError",
  coordinator: "CoordinatorError",
  syncMode: "SyncModeError",
  noPool: "NoPoolError",
  source: "SourceError",
  pool: "PmapError",
} as const;

/** A failure frame's `kind`. */
export type ErrorKind = keyof typeof ERROR_KINDS;

const KIND_OF_CLASS = new Map<string, ErrorKind>(
  (Object.entries(ERROR_KINDS) as [ErrorKind, string][]).filter(([, c]) => c !== "PmapError").map(([k, c]) => [c, k]),
);

/** The kind an error of class `name` travels as (`"pool"` for PmapError and anything else). */
export function kindOfClass(name: string | undefined): ErrorKind {
  return (name && KIND_OF_CLASS.get(name)) || "pool";
}

/** A pool error as a failure frame's body (a sync job's pipe failed on the pool's side). */
export function toFailure(err: unknown, label: string): Failure {
  const e = err as Partial<KernelError> & Error;
  const kernel = typeof e?.kernel === "string" ? e.kernel : label;
  const f: Failure = { kind: kindOfClass(e?.name), kernel, message: ownMessage(e?.message ?? String(err), kernel) };
  if (typeof e?.item === "number") f.index = e.item;
  return f;
}

/** Why: our messages start with `kernel "k":` (or `kernel "k" (item i):`), and the far side
 * names the kernel itself (Rust's `PmapError` shows `… in kernel "k": …`): say it once. */
function ownMessage(message: string, kernel: string): string {
  const prefix = `kernel "${kernel}"`;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length);
  const item = /^ \(item (\d+)\): /.exec(rest);
  if (item) return `item ${item[1]}: ${rest.slice(item[0].length)}`;
  return rest.startsWith(": ") ? rest.slice(2) : message;
}

/** Every class of the table by its name (a missing one is a type error). */
const CLASSES: Record<(typeof ERROR_KINDS)[ErrorKind], abstract new (...args: never[]) => PmapError> = {
  PmapError,
  UnknownKernelError,
  DecodeError,
  KernelError,
  TimeoutError,
  AbortError,
  WorkerCrashedError,
  QueueFullError,
  PoolTerminatedError,
  PoolStartError,
  CoordinatorError,
  SyncModeError,
  NoPoolError,
  SourceError,
};

/**
 * An error of the class the table gives `kind` (PmapError for a kind it does not know),
 * with `message` as is. Why `Reflect.construct`: a failure frame carries a message, a kernel
 * and an item, not the arguments some constructors take (a timeout's ms, a queue's bound);
 * the error is still an instance of its kind's class, so `instanceof` works on it.
 */
function errorOfKind(kind: ErrorKind, message: string): PmapError {
  const name = ERROR_KINDS[kind] ?? "PmapError";
  const err = Reflect.construct(PmapError, [message], CLASSES[name]) as PmapError;
  err.name = name;
  return err;
}

/** The error a failure frame stands for, as the executor throws it into Rust: the frame's
 * own message (Rust names the kernel itself), and the `name` of its kind's class, which Rust
 * maps back to its `ErrorKind`. */
export function fromFailure(f: Failure): PmapError {
  return Object.assign(errorOfKind(f.kind, f.message), { kernel: f.kernel, item: f.index });
}

/** The typed error for a failure frame from the Rust side; item indices made call-wide
 * (`at.start` is the chunk's first item within the call). */
export function failureError(f: Failure, kernel: KernelInfo, at: { chunk: number; start: number }): PmapError {
  const item = f.index === undefined ? undefined : at.start + f.index;
  const where = item === undefined ? "" : `item ${item} `;
  switch (f.kind) {
    case "decode":
      return new DecodeError(f.kernel, f.expected ?? kernel.input, `kernel "${f.kernel}": ${where}${f.message}`, item);
    case "kernel":
      return new KernelError(f.kernel, f.message, at.chunk, item);
    case "unknownKernel":
      return new UnknownKernelError(f.kernel, f.known ?? []);
    default:
      return errorOfKind(f.kind, `kernel "${f.kernel || kernel.name}": ${f.kind} error: ${f.message}`);
  }
}
