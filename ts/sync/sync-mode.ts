/**
 * Runs on the page. Sync mode, the page's side, as one object the pool delegates to: the
 * SyncExecutor (a one-worker dispatcher where `#[kernel(job)]` functions run), the
 * executor's requests to run parallel iterators on the compute workers, and the answers
 * that go back to it: through the coordinator (link.ts), or on a cross-origin-isolated page
 * straight into the executor's answer slot (ts/protocol/answer-slot.ts).
 */

import type { SpawnWorker } from "../pool/backend.js";
import type { Call } from "../pool/call.js";
import { ArraySink } from "../pool/collect.js";
import { Dispatcher } from "../pool/dispatch.js";
import type { JobOptions } from "../pool/options.js";
import { startCall } from "../pool/submit.js";
import type { WorkerInit, WorkerRef } from "../pool/worker-slot.js";
import { type AnswerSlot, MAX_ANSWER_BYTES, writeAnswer } from "../protocol/answer-slot.js";
import { AbortError, CoordinatorError, type PmapError, SyncModeError, toFailure } from "../protocol/errors.js";
import { encodeResponse, encodeValue, Mode } from "../protocol/frames.js";
import { randomUuid } from "../protocol/ids.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { ExecutorRequest, ExecutorSetup } from "../protocol/messages.js";
import type { CoordinatorLink } from "./link.js";

export interface SyncModeSetup {
  /** The coordinator (the `"xhr"` wait); none on a cross-origin-isolated page, where the
   * executor blocks in `Atomics.wait` and the answers go into its answer slot. */
  link: CoordinatorLink | undefined;
  spawn: SpawnWorker;
  /** The pool's compiled module and glue (the executor runs the same module). */
  init: Omit<WorkerInit, "executor">;
  /** Compute workers in the pool now (Rust chunks a parallel iterator for them). */
  workers: () => number;
  changed: () => void;
  /** The pool's call ids (one namespace for calls and jobs). */
  nextId: () => string;
  /** Runs a parallel iterator's chunks (pipe payloads) on the compute workers. */
  pipe: (label: string, payloads: Uint8Array[]) => Call;
  /** Cancels a call on the compute workers. */
  cancel: (call: Call, err: PmapError) => void;
}

export class SyncMode {
  readonly #setup: SyncModeSetup;
  readonly #executor: Dispatcher;
  /** Pipe calls made by the executor's current job: dropped when the job ends. */
  readonly #jobPipes = new Set<Call>();
  /** Tickets whose answer the executor has not read yet: forgotten when the job ends. */
  readonly #tickets = new Set<string>();
  /** The ticket namespaces of the executors spawned and not voided yet; the last is the live one. */
  readonly #namespaces: string[] = [];
  #reruns = 0;

  constructor(setup: SyncModeSetup) {
    this.#setup = setup;
    this.#executor = new Dispatcher({
      spawn: setup.spawn,
      init: () => {
        // A fresh ticket namespace per executor worker: when one is replaced, all its
        // tickets can be voided at once (#jobEnded), even those the page never heard of.
        const namespace = randomUuid();
        this.#namespaces.push(namespace);
        const workers = setup.workers();
        const executor: ExecutorSetup = setup.link
          ? { wait: "xhr", coordinator: setup.link.base, workers, namespace }
          : { wait: "atomics", workers, namespace };
        return { ...setup.init, executor };
      },
      name: "wasm-pmap-executor",
      // Depth 1: a job blocks its worker, so a second one could only wait behind it.
      depth: 1,
      changed: setup.changed,
      request: (msg, from) => this.#onRequest(msg, from),
    });
  }

  /** Times a job's parallel iterator was re-run because the coordinator lost its ticket. */
  get reruns(): number {
    return this.#reruns;
  }

  /** The pool's compute workers changed (`pool.grow`): tell the executor, whose Rust
   * chunks parallel iterators by that count. (A replaced executor gets it in its init.) */
  resize(): void {
    this.#executor.broadcast({ type: "workers", n: this.#setup.workers() });
  }

  /** Starts the executor; resolves when it is ready (it has pinged the coordinator). */
  async start(): Promise<void> {
    await this.#executor.grow(1);
  }

  /**
   * Runs job `info` on the executor: `payload` is its one chunk's ready-made payload, and its
   * body comes back undecoded. When it settles, the pipes the job started are dropped and the
   * coordinator forgets the tickets nobody will read.
   *
   * `fromRust`: Rust's `execute_async` wraps the job as a pipe's one map stage (Mode.Pipe), so
   * the executor knows its output goes back to Rust and encodes integers at full range;
   * `pool.execute` sends `[input]`'s CBOR as a map chunk (Mode.Map), read by TypeScript.
   */
  async run(info: KernelInfo, payload: Uint8Array, opts: JobOptions, fromRust: boolean): Promise<Uint8Array> {
    const target = { dispatch: this.#executor, maxQueue: Infinity, nextId: this.#setup.nextId };
    const mode = fromRust ? Mode.Pipe : Mode.Map;
    const call = startCall(target, info, mode, [payload], { ...opts, chunkSize: 1 }, new ArraySink(1), true);
    const [out] = (await call.promise.finally(() => this.#jobEnded())) as Uint8Array[];
    return out!;
  }

  close(err: PmapError): void {
    this.#executor.close(err);
    this.#voidNamespaces(this.#namespaces.length);
  }

  /** Tells the coordinator to void the first `n` namespaces (executors that are gone). */
  #voidNamespaces(n: number): void {
    for (const namespace of this.#namespaces.splice(0, Math.max(0, n)))
      void this.#setup.link?.forgetNamespace(namespace);
  }

  #jobEnded(): void {
    const err = new AbortError("the job that started these chunks ended");
    for (const c of this.#jobPipes) this.#setup.cancel(c, err);
    this.#jobPipes.clear();
    for (const t of this.#tickets) void this.#setup.link?.forget(t);
    this.#tickets.clear();
    // An executor replaced during the job (abort, timeout, crash) may have opened a ticket
    // the page never heard of, or be about to: void its whole namespace.
    this.#voidNamespaces(this.#namespaces.length - 1);
  }

  /** The executor asks for a pipe to run: reply by message, or (a blocked job) through the coordinator. */
  #onRequest(msg: ExecutorRequest, from: WorkerRef): void {
    if (msg.type === "pipe-taken") {
      this.#tickets.delete(msg.ticket);
      this.#setup.link?.taken(msg.ticket);
      return;
    }
    if (msg.rerun) this.#reruns++;
    if (msg.ticket !== undefined && !msg.slot) this.#tickets.add(msg.ticket);
    let bodies: Promise<unknown>;
    try {
      const call = this.#setup.pipe(msg.label, msg.payloads);
      this.#jobPipes.add(call);
      bodies = call.promise.finally(() => this.#jobPipes.delete(call));
    } catch (err) {
      bodies = Promise.reject(err); // pool terminated, queue full, …: the job learns it
    }
    // The job that asked: its answer is for it alone, and only while it runs.
    const job = from.current;
    bodies.then(
      (b) => this.#answer(from, job, msg, { bodies: b as Uint8Array[] }),
      (err: unknown) => this.#answer(from, job, msg, { err }),
    );
  }

  async #answer(
    from: WorkerRef,
    job: Call | undefined,
    msg: Extract<ExecutorRequest, { type: "pipe" }>,
    out: { bodies?: Uint8Array[]; err?: unknown },
  ): Promise<void> {
    const waiting = () => !from.dead && job !== undefined && from.current === job;
    if (!waiting()) return; // the job ended or was cancelled: nobody waits
    if (msg.slot && msg.ticket !== undefined) {
      writeSlot(msg.slot, msg.id, msg.ticket, msg.label, out);
      return;
    }
    if (msg.ticket === undefined || !this.#setup.link) {
      from.post({
        type: "pipe-result",
        id: msg.id,
        bodies: out.bodies,
        error: out.bodies ? undefined : toFailure(out.err, msg.label),
      });
      return;
    }
    const answer = out.bodies ? { bodies: out.bodies } : { failure: toFailure(out.err, msg.label) };
    const { read, refused } = await this.#setup.link.answer(msg.ticket, answer, waiting);
    if (!read && job && waiting()) {
      const what = refused
        ? `refused ticket ${msg.ticket}'s answer (HTTP ${refused})`
        : `did not take ticket ${msg.ticket}'s answer (3 tries)`;
      this.#executor.cancel(job, new CoordinatorError(`sync mode: the coordinator ${what}`));
    }
  }
}

/** The `"atomics"` wait: writes the answer into the executor's slot and wakes it. */
export function writeSlot(
  slot: AnswerSlot,
  id: number,
  ticket: string,
  label: string,
  out: { bodies?: Uint8Array[]; err?: unknown },
) {
  const frame = out.bodies
    ? encodeResponse({ call: ticket, chunk: 0, ok: true, body: encodeValue(out.bodies) })
    : encodeResponse({ call: ticket, chunk: 0, ok: false, failure: toFailure(out.err, label) });
  if (writeAnswer(slot, id, frame)) return;
  const big = new SyncModeError(
    `sync mode: the parallel iterator's results (${frame.byteLength} bytes) exceed the answer slot's ${MAX_ANSWER_BYTES} bytes`,
  );
  writeAnswer(slot, id, encodeResponse({ call: ticket, chunk: 0, ok: false, failure: toFailure(big, label) }));
}
