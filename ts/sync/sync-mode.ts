/**
 * Runs on the page. Sync mode, the page's side, as one object the pool delegates to: the
 * SyncExecutor (a one-worker dispatcher where `#[kernel(job)]` functions run), the
 * executor's requests to run parallel iterators on the compute workers, and the answers
 * that go back to it: through the coordinator (link.ts), or on a cross-origin-isolated page
 * straight into the executor's answer slot (ts/protocol/answer-slot.ts).
 */

import { EXECUTOR_NAME, type SpawnWorker } from "../pool/backend.js";
import type { Call } from "../pool/call.js";
import { Codec } from "../pool/codecs.js";
import { ArraySink } from "../pool/collect.js";
import { Dispatcher } from "../pool/dispatch.js";
import type { JobOptions } from "../pool/options.js";
import { startCall } from "../pool/submit.js";
import type { WorkerInit, WorkerRef } from "../pool/worker-slot.js";
import { AbortError, type PmapError } from "../protocol/errors.js";
import { randomUuid } from "../protocol/ids.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { ExecutorRequest, ExecutorSetup } from "../protocol/messages.js";
import type { CoordinatorLink } from "./link.js";
import { PipeServer } from "./serve-pipes.js";

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
  /** Runs the executor's pipes and answers them (serve-pipes.ts, shared with the relay). */
  readonly #pipes: PipeServer;
  /** The ticket namespaces of the executors spawned and not voided yet; the last is the live one. */
  readonly #namespaces: string[] = [];
  #reruns = 0;

  constructor(setup: SyncModeSetup) {
    this.#setup = setup;
    this.#pipes = new PipeServer({
      run: (label, payloads) => {
        const call = setup.pipe(label, payloads);
        this.#jobPipes.add(call);
        return call.promise.finally(() => this.#jobPipes.delete(call)) as Promise<Uint8Array[]>;
      },
      link: setup.link,
    });
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
      name: EXECUTOR_NAME,
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
    const codec = fromRust ? Codec.pipe : Codec.job;
    const call = startCall(target, info, codec, [payload], opts, new ArraySink(1));
    const [out] = (await call.promise.finally(() => this.#jobEnded())) as Uint8Array[];
    return out!;
  }

  close(err: PmapError): void {
    this.#executor.close(err);
    this.#pipes.abandonAll();
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
    this.#pipes.abandonAll();
    // An executor replaced during the job (abort, timeout, crash) may have opened a ticket
    // the page never heard of, or be about to: void its whole namespace.
    this.#voidNamespaces(this.#namespaces.length - 1);
  }

  /** The executor asks for a pipe to run (or says it read or gave up an answer). */
  #onRequest(msg: ExecutorRequest, from: WorkerRef): void {
    if (msg.type === "pipe" && msg.rerun) this.#reruns++;
    // The job that asked: its answers are for it alone, and only while it runs.
    const job = from.current;
    this.#pipes.handle(msg, {
      current: () => !from.dead && job !== undefined && from.current === job,
      post: (m) => from.post(m),
      // The page can end a blocked job that cannot get its answer: it replaces the executor.
      undelivered: (err) => job && this.#executor.cancel(job, err),
    });
  }
}
