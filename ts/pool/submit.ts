/**
 * Runs on the page. Starting a call: checks its options, builds the `Call` (call.ts) and
 * hands its chunks to a dispatcher. Shared by the pool's calls and sync mode's jobs.
 */
import { AbortError, PmapError, QueueFullError } from "../protocol/errors.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import { encodeValue } from "../protocol/values.js";
import { Call } from "./call.js";
import type { ChunkCodec } from "./codecs.js";
import type { Sink } from "./collect.js";
import type { Dispatcher } from "./dispatch.js";
import type { CallOptions } from "./options.js";
import { resolveChunkSize } from "./schedule.js";

/** Where a call goes. */
export interface CallTarget {
  readonly dispatch: Dispatcher;
  /** Most chunks the dispatcher's queue may hold (Infinity: unbounded). */
  readonly maxQueue: number;
  /** A fresh call id. Why random per pool: ids must never collide across pools, tabs or reloads. */
  nextId(): string;
}

/** A call's own arguments (what `startCall` takes beside its target). */
export type CallArgs = [
  info: KernelInfo,
  codec: ChunkCodec,
  items: ArrayLike<unknown>,
  opts: CallOptions & { first?: { item: number; chunk: number } },
  sink: Sink,
];

/**
 * Starts a call of kernel `info` over `items`, encoded and decoded by `codec` (codecs.ts).
 * Throws (a `RangeError`, `TypeError`,
 * `AbortError` or `QueueFullError`) before anything is queued.
 */
export function startCall(to: CallTarget, ...[info, codec, items, opts, sink]: CallArgs): Call {
  const { dispatch } = to;
  const concurrency = opts.concurrency ?? dispatch.size;
  positiveInt("concurrency", concurrency);
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0))
    throw new RangeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
  if (info.context !== undefined && opts.context === undefined) {
    throw new TypeError(`kernel "${info.name}" is a context kernel: pass opts.context (a ${info.context})`);
  }
  if (info.context === undefined && opts.context !== undefined) {
    throw new TypeError(`kernel "${info.name}" takes no context; opts.context is only for #[kernel(context)] kernels`);
  }
  const { signal } = opts;
  if (signal?.aborted) throw new AbortError(`kernel "${info.name}": aborted before it started`, signal.reason);
  const call: Call = new Call({
    id: to.nextId(),
    kernel: info,
    codec,
    items,
    chunkSize: resolveChunkSize(
      opts.chunkSize,
      items.length,
      Math.min(concurrency, dispatch.size),
      codec.itemBytes(items),
    ),
    concurrency,
    timeoutMs: opts.timeoutMs,
    onProgress: opts.onProgress,
    sink,
    context: opts.context === undefined ? undefined : encodeContext(info, opts.context),
    requeue: (tasks) => dispatch.requeue(tasks),
    first: opts.first,
  });
  if (call.settled) return call;
  const tasks = call.tasks();
  if (dispatch.queued + tasks.length > to.maxQueue) throw new QueueFullError(to.maxQueue);
  if (signal) {
    const onAbort = () => dispatch.cancel(call, new AbortError(`kernel "${info.name}": aborted`, signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    call.promise.finally(() => signal.removeEventListener("abort", onAbort)).catch(() => {});
  }
  dispatch.submit(call, tasks);
  return call;
}

function encodeContext(info: KernelInfo, context: unknown): Uint8Array {
  try {
    return encodeValue(context);
  } catch (err) {
    throw new PmapError(`kernel "${info.name}": the context could not be encoded: ${(err as Error)?.message ?? err}`);
  }
}

export function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}
