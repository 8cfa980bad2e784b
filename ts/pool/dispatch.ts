/**
 * Runs on the page. Dispatch: hands queued chunks to workers and brings their answers back.
 * Owns the workers (started through the worker seam, backend.ts), the queue, in-flight
 * bookkeeping, per-chunk timeouts, and the replacement of workers that died, hung, or were
 * running an aborted call; how many workers it runs over time is elastic.ts's to say. Pure
 * logic: node tests drive it with scripted fake workers.
 */

import {
  KernelError,
  type PmapError,
  type PoolStartError,
  TimeoutError,
  WorkerCrashedError,
} from "../protocol/errors.js";
import { encodeRequest } from "../protocol/frames.js";
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { ExecutorRequest, FromWorker, ToWorker } from "../protocol/messages.js";
import type { SpawnWorker } from "./backend.js";
import { BufferPool } from "./buffers.js";
import type { Call, Task } from "./call.js";
import { Elastic, FIXED, type Limits } from "./elastic.js";
import type { DispatchStats } from "./options.js";
import { FairQueue } from "./schedule.js";
import { StartPolicy } from "./start-policy.js";
import { type WorkerInit, type WorkerRef, WorkerSlot } from "./worker-slot.js";

export interface DispatcherOptions {
  /** Starts a worker: the browser's (browser-worker.ts) or a test's fake. */
  spawn: SpawnWorker;
  /** What every worker is sent first; a function is asked anew for each worker spawned
   * (sync mode gives each executor its own ticket namespace). */
  init: WorkerInit | (() => WorkerInit);
  /** Worker names are `${name}-${index}`; the SyncExecutor is `name` itself. */
  name: string;
  /** Chunks posted ahead per worker (≥ 1). */
  depth: number;
  /** How long a worker may take to start (default READY_TIMEOUT_MS, worker-slot.ts). */
  readyTimeoutMs?: number;
  /** Called (synchronously) whenever the counters may have changed. */
  changed?: () => void;
  /** A worker's own requests (the SyncExecutor's `pipe` messages, handled by ts/sync/). */
  request?: (msg: ExecutorRequest, from: WorkerRef) => void;
  /** Size bounds (elastic.ts). Default: fixed, as many workers as `grow` asks for. */
  limits?: Limits;
  /** Called when `size` changed (`grow`, `shrink`). */
  resized?: () => void;
}

export class Dispatcher {
  readonly #queue = new FairQueue<Task>();
  readonly #calls = new Map<string, Call>();
  readonly #counts = { completed: 0, failed: 0, respawned: 0 };
  /** Last wasm memory size each worker reported, by slot index. */
  readonly #memory = new Map<number, number>();
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Per-slot back-off after failed starts, and giving up when no slot can start (start-policy.ts). */
  readonly #starts = new StartPolicy();
  readonly #elastic: Elastic;
  readonly #opts: DispatcherOptions;
  readonly #depth: number;
  readonly #changed: () => void;
  #taskSeq = 0;
  #closed = false;
  /** Slice chunks' buffers, reused between chunks and calls (buffers.ts). */
  readonly buffers = new BufferPool();

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    this.#depth = Math.max(1, opts.depth);
    this.#changed = opts.changed ?? (() => {});
    this.#elastic = new Elastic(opts.limits ?? FIXED, {
      spawn: (index) => this.#spawn(index),
      resized: () => opts.resized?.(),
      released: (slot) => {
        this.#memory.delete(slot.index);
        this.#starts.forget(slot.index);
        this.#changed();
      },
    });
  }

  /** Most workers it runs (a fixed dispatcher's worker count); `stats().workers`: how many now. */
  get size(): number {
    return this.#elastic.max;
  }

  /** Chunks waiting for a worker. */
  get queued(): number {
    return this.#queue.size;
  }

  stats(): DispatchStats {
    const live = this.#elastic.slots().filter((s) => !s.dead);
    let inflight = 0;
    for (const s of live) inflight += s.inflight.size;
    let wasmMemoryBytes = 0;
    for (const b of this.#memory.values()) wasmMemoryBytes += b;
    return {
      workers: live.length,
      idle: live.filter((s) => s.isReady && s.inflight.size === 0).length,
      starting: live.filter((s) => !s.isReady).length,
      released: this.#elastic.released,
      queued: this.#queue.size,
      inflight,
      ...this.#counts,
      wasmMemoryBytes,
      startFailures: this.#starts.total,
      startError: (this.#starts.gaveUp ?? this.#starts.last)?.message,
    };
  }

  /** Adds workers up to `n` (and grows on demand up to `n` at least); resolves with the
   * module's kernels once they are ready. */
  async grow(n: number): Promise<KernelInfo[]> {
    const added = this.#elastic.raise(n);
    this.#changed();
    const lists = await Promise.all(added);
    this.pump();
    return lists.find((l) => l.length > 0) ?? [];
  }

  /** Releases workers down to `n` and grows on demand up to `n` at most (elastic.ts);
   * resolves once the busy ones among them are gone too. */
  shrink(n: number): Promise<void> {
    const done = this.#elastic.shrink(n);
    this.#changed();
    return done;
  }

  /** Queues a call's chunks (or fails the call at once while the pool has given up starting workers). */
  submit(call: Call, tasks: Task[]): void {
    if (this.#starts.gaveUp) {
      call.fail(this.#starts.gaveUp);
      this.#counts.failed++;
      return;
    }
    this.#calls.set(call.id, call);
    call.promise
      .then(
        () => this.#counts.completed++,
        () => this.#counts.failed++,
      )
      .finally(() => {
        this.#calls.delete(call.id);
        this.#queue.drop(call.id); // chunks a failed call will never need
        for (const s of this.#elastic.slots()) s.contexts.delete(call.id);
        this.#changed();
      });
    this.requeue(tasks);
  }

  /** Puts tasks on the queue (at the back of their call's line) and pumps. */
  requeue(tasks: Task[]): void {
    if (tasks.length === 0) return;
    this.#queue.push(tasks[0]!.call.id, tasks);
    this.pump();
  }

  /**
   * Aborts a call: its queued chunks are dropped at once, and the workers running its
   * chunks are terminated and replaced (their other chunks go back to the queue).
   */
  cancel(call: Call, err: PmapError): void {
    call.fail(err);
    this.#queue.drop(call.id);
    for (const slot of this.#elastic.slots()) {
      if ([...slot.inflight.values()].some((t) => t.call === call)) this.#replace(slot, "aborted", false);
    }
    this.pump();
  }

  /** Posts `msg` to every live worker (one not started yet reads it after its init). */
  broadcast(msg: ToWorker): void {
    for (const s of this.#elastic.slots()) if (!s.dead) s.post(msg);
  }

  /** Stops every worker; every pending call fails with `err`. */
  close(err: PmapError): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#starts.clear();
    for (const call of [...this.#calls.values()]) call.fail(err);
    this.#elastic.clear();
    this.#memory.clear();
    this.buffers.clear();
    this.#changed();
  }

  /** Hands queued chunks to workers, breadth first: every worker gets one before any gets two. */
  pump(): void {
    if (this.#closed) return;
    let sent = false;
    for (let depth = 1; depth <= this.#depth && this.#queue.size > 0; depth++) {
      for (const slot of this.#elastic.slots()) {
        if (!slot.isReady || slot.dead || slot.leaving || slot.inflight.size >= depth) continue;
        // Skip chunks of calls that ended meanwhile, and keep going past a chunk that could
        // not be encoded (it failed on the spot): this worker still has room for one.
        for (;;) {
          const task = this.#queue.next((id) => this.#calls.get(id)?.canUse(slot.index) ?? true);
          if (!task) break;
          if (task.call.settled || !this.#send(slot, task)) continue;
          sent = true;
          break;
        }
      }
    }
    if (this.#queue.size > 0 && !this.#starts.gaveUp) this.#growOnDemand();
    this.#elastic.rest();
    if (sent) this.#changed();
  }

  /** Chunks wait that no worker is free to take: adds as many workers as could take them now
   * (a call capped by its `concurrency` wants no more than that), up to the pool's ceiling. */
  #growOnDemand(): void {
    let demand = 0;
    for (const [id, waiting] of this.#queue.waiting()) {
      const call = this.#calls.get(id);
      if (call && !call.settled) demand += Math.max(0, Math.min(waiting, call.concurrency - call.workers.size));
    }
    if (this.#elastic.more(demand) > 0) this.#changed();
  }

  /** Posts a chunk to a worker; false if it could not be encoded (it failed its call there). */
  #send(slot: WorkerSlot, task: Task): boolean {
    const { call } = task;
    let frame: Uint8Array;
    let data: ArrayBuffer | undefined;
    try {
      // The context's bytes go with the first chunk of the call this worker gets.
      const context = call.context ? { id: call.id, bytes: slot.contexts.has(call.id) ? null : call.context } : null;
      frame = encodeRequest({
        call: call.id,
        chunk: task.chunk,
        kernel: call.kernel.name,
        mode: call.codec.mode,
        payload: call.payload(task),
        context,
      });
      data = call.data(task, this.buffers);
      if (call.context) slot.contexts.add(call.id);
    } catch (err) {
      call.chunkFailed(task, call.encodeError(task, err));
      return false;
    }
    task.id = ++this.#taskSeq;
    slot.inflight.set(task.id, task);
    call.workers.set(slot.index, (call.workers.get(slot.index) ?? 0) + 1);
    const buffer = frame.buffer as ArrayBuffer;
    slot.post({ type: "run", id: task.id, frame: buffer, data }, data ? [buffer, data] : [buffer]);
    if (slot.inflight.size === 1) this.#startClock(slot, task);
    return true;
  }

  /**
   * Why here: a worker runs its chunks one after the other, so a chunk starts when it is
   * sent to an idle worker or when the chunk before it on that worker finishes. That is
   * when `timeoutMs` starts counting, not when the chunk was queued or posted.
   */
  #startClock(slot: WorkerSlot, task: Task): void {
    const ms = task.call.timeoutMs;
    if (ms === undefined || !Number.isFinite(ms)) return;
    this.#timers.set(
      task.id,
      setTimeout(() => {
        this.#timers.delete(task.id);
        if (slot.inflight.get(task.id) !== task) return;
        this.#untrack(slot, task.id);
        task.call.chunkFailed(task, new TimeoutError(task.call.kernel.name, task.chunk, ms));
        this.#replace(slot, "timed out", false); // the only way to stop a running wasm call
        this.pump();
      }, ms),
    );
  }

  /** Removes a task from its worker's books; returns it if it was still in flight. */
  #untrack(slot: WorkerSlot, id: number): Task | undefined {
    const task = slot.inflight.get(id);
    if (!task) return undefined;
    slot.inflight.delete(id);
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
    const left = (task.call.workers.get(slot.index) ?? 1) - 1;
    if (left > 0) task.call.workers.set(slot.index, left);
    else task.call.workers.delete(slot.index);
    return task;
  }

  #onMessage(slot: WorkerSlot, msg: FromWorker): void {
    if (msg.type === "pipe" || msg.type === "pipe-taken" || msg.type === "pipe-abandoned") {
      this.#opts.request?.(msg, slot);
      return;
    }
    if (msg.type === "done" || msg.type === "trap") {
      const task = this.#untrack(slot, msg.id);
      // The worker moves on to its next chunk now: start that chunk's clock.
      const next = slot.inflight.values().next().value;
      if (next) this.#startClock(slot, next);
      if (msg.type === "done") {
        this.#memory.set(slot.index, msg.memoryBytes);
        if (task && !task.call.settled && task.call.answered(task, msg, slot.index)) {
          // The worker evicted the context (it caches a few): send the bytes again.
          slot.contexts.delete(task.call.id);
          this.#queue.unshift(task.call.id, task);
        }
      } else {
        task?.call.chunkFailed(
          task,
          new KernelError(task.call.kernel.name, msg.message, task.chunk, undefined, msg.panicked),
        );
        if (!msg.recovered) this.#replace(slot, "closed after a kernel panic", false);
      }
    }
    this.pump();
    this.#changed();
  }

  /**
   * Replaces a worker. Its in-flight chunks go back to the head of their queues; with
   * `ranThem` (it died on its own) the one it was running may have caused it, so that one
   * gets one retry, then fails its call with `WorkerCrashedError`.
   */
  #replace(slot: WorkerSlot, reason: string, ranThem: boolean): void {
    if (this.#closed || !this.#elastic.holds(slot)) return;
    slot.terminate();
    // Only the first in-flight chunk was running; the others were waiting behind it.
    const running = slot.inflight.values().next().value;
    for (const task of [...slot.inflight.values()].reverse()) {
      this.#untrack(slot, task.id);
      if (task.call.settled) continue;
      if (ranThem && task === running && ++task.crashes > 1) {
        task.call.chunkFailed(
          task,
          new WorkerCrashedError(
            `kernel "${task.call.kernel.name}": chunk ${task.chunk} crashed its worker twice (${reason})`,
          ),
        );
      } else {
        this.#queue.unshift(task.call.id, task);
      }
    }
    this.#memory.delete(slot.index);
    this.#elastic.forget(slot);
    // A worker that was leaving (shrink) is not replaced: its chunks are requeued as above.
    if (slot.leaving) this.#elastic.release(slot);
    else this.#respawn(slot.index);
  }

  /** Puts a fresh worker in slot `index`. */
  #respawn(index: number): void {
    this.#elastic.put(this.#spawn(index));
    this.#counts.respawned++;
    this.#changed();
  }

  #spawn(index: number): WorkerSlot {
    const { spawn, name, readyTimeoutMs } = this.#opts;
    const init = typeof this.#opts.init === "function" ? this.#opts.init() : this.#opts.init;
    const events = {
      message: (s: WorkerSlot, m: FromWorker) => this.#onMessage(s, m),
      crash: (s: WorkerSlot, reason: string) => {
        this.#replace(s, reason, true);
        this.pump();
      },
    };
    const slot = new WorkerSlot(index, spawn, init.executor ? name : `${name}-${index}`, init, events, readyTimeoutMs);
    slot.ready.then(
      () => {
        this.#starts.started(index);
        this.pump();
        this.#changed();
      },
      (err: PoolStartError) => this.#startFailed(slot, err),
    );
    return slot;
  }

  /** A worker failed to start (the slot terminated it): back off and replace it; or, when no
   * slot can start one, give up and fail every call — no call waits on workers that will never
   * run it (start-policy.ts). */
  #startFailed(slot: WorkerSlot, err: PoolStartError): void {
    if (this.#closed || !this.#elastic.holds(slot)) return;
    const slots = this.#elastic.slots().map((s) => s.index);
    const gaveUp = this.#starts.failed(slot.index, slots, err, () => {
      if (!this.#closed && this.#elastic.holds(slot)) this.#respawn(slot.index);
    });
    this.#changed();
    if (gaveUp) for (const call of [...this.#calls.values()]) call.fail(gaveUp);
  }
}
