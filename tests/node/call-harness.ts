/**
 * One call (ts/pool/call.ts) driven directly, no dispatcher: what the call tests (chunk
 * payloads, chunk results, mapSettled narrowing) share.
 */

import { Call, type CallSpec, type Progress, type Task } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink } from "../../ts/pool/collect.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";

export const K: KernelInfo = { name: "double", kind: "map", input: "number", output: "number" };

/** A map call `pool:1` of K over `items` (chunks of 4, concurrency 2), recording what it re-queues and reports. */
export function makeCall(items: ArrayLike<unknown>, over: Partial<CallSpec> = {}) {
  const requeued: Array<Array<[number, number, number]>> = [];
  const progress: Progress[] = [];
  const call = new Call({
    id: "pool:1",
    kernel: K,
    codec: Codec.map,
    items,
    chunkSize: 4,
    concurrency: 2,
    sink: new ArraySink(items.length),
    requeue: (tasks) => requeued.push(tasks.map((t) => [t.chunk, t.start, t.end])),
    onProgress: (p) => progress.push(p),
    ...over,
  });
  return { call, requeued, progress };
}

/** Chunk `chunk` of `call`, items [start, end), as the dispatcher would hand it out. */
export const task = (call: Call, chunk: number, start: number, end: number): Task => ({
  id: 0,
  call,
  chunk,
  start,
  end,
  crashes: 0,
  resends: 0,
});
