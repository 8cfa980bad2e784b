/**
 * A real Dispatcher and real Calls (startCall), driven through the worker seam by the scripted
 * fake workers of fake-worker.ts, with fake timers: what the dispatcher's behaviour tests
 * (scheduling, timeouts, crashes, abort, start failures, …) share. The browser tests remain
 * the end-to-end proof.
 */

import type { Call } from "../../ts/pool/call.js";
import { Codec } from "../../ts/pool/codecs.js";
import { ArraySink, SettledSink } from "../../ts/pool/collect.js";
import { Dispatcher } from "../../ts/pool/dispatch.js";
import type { CallOptions } from "../../ts/pool/options.js";
import { type CallTarget, startCall } from "../../ts/pool/submit.js";
import type { WorkerRef } from "../../ts/pool/worker-slot.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import type { ExecutorRequest } from "../../ts/protocol/messages.js";
import { DOUBLE, Fleet, flush, type Job, SCALE, type Script } from "./fake-worker.js";

export interface HarnessOptions {
  /** Chunks in flight per worker (the dispatcher's `depth`). */
  depth?: number;
  readyTimeoutMs?: number;
  /** The pool's `maxQueue`, in chunks. */
  maxQueue?: number;
}

/** A dispatcher named "t" over a fleet of fake workers answering by `script`; calls get ids `pool:<n>`. */
export function harness(script: Script = {}, { depth = 2, readyTimeoutMs, maxQueue = Infinity }: HarnessOptions = {}) {
  const fleet = new Fleet(script);
  /** The transfer list of every run message, in posting order. */
  const transfers: Array<Transferable[] | undefined> = [];
  const spawn: typeof fleet.spawn = (name, events) => {
    const w = fleet.spawn(name, events);
    const post = w.post;
    w.post = (m, t) => {
      if (m.type === "run") transfers.push(t);
      post(m, t);
    };
    return w;
  };
  /** How many times the dispatcher called `changed()`. */
  const changes = { n: 0 };
  /** The executor's requests the dispatcher passed on, with the slot that sent each. */
  const requests: Array<[ExecutorRequest, WorkerRef]> = [];
  const dispatch = new Dispatcher({
    spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    name: "t",
    depth,
    readyTimeoutMs,
    changed: () => changes.n++,
    request: (msg, from) => requests.push([msg, from]),
  });
  let seq = 0;
  const target: CallTarget = { dispatch, maxQueue, nextId: () => `pool:${++seq}` };
  /** Starts a map call (an array result; `codec` Codec.job: the items are ready-made payloads). */
  const start = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE, codec = Codec.map): Call =>
    startCall(target, kernel, codec, items, opts, new ArraySink(items.length));
  const map = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE): Call =>
    start(items, opts, kernel);
  const mapSettled = (items: unknown[], opts: CallOptions = {}, kernel: KernelInfo = DOUBLE): Call =>
    startCall(target, kernel, Codec.map, items, opts, new SettledSink(items.length));
  const raw = (payloads: Uint8Array[]): Call => start(payloads, {}, DOUBLE, Codec.job);
  /** A mapSettled call of the context kernel SCALE, context 3 unless `opts` says otherwise. */
  const scaled = (items: unknown[], opts: CallOptions = {}): Call => mapSettled(items, { context: 3, ...opts }, SCALE);
  return { fleet, dispatch, target, start, map, mapSettled, raw, scaled, changes, requests, transfers };
}

export type Harness = ReturnType<typeof harness>;

/** A harness with `workers` workers started, one chunk in flight each; by default every chunk hangs. */
export async function started(workers: number, opts: HarnessOptions = {}, script: Script = { run: () => "hang" }) {
  const t = harness(script, { depth: 1, ...opts });
  const grown = t.dispatch.grow(workers);
  await flush();
  await grown;
  return t;
}

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export const doubled = (xs: number[]) => xs.map((x) => x * 2);
/** Is this the first time a worker started this chunk? (for scripts like "crash the first time") */
export const firstRun = (fleet: Fleet, job: Job) => fleet.runsOf(job.req.call, job.req.chunk).length === 1;
