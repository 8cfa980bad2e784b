/**
 * A scripted fake of the worker seam (ts/pool/backend.ts), for driving a real Dispatcher
 * from node. Behaves like ts/worker/entry.ts as the pool sees it: it answers `init` once,
 * then runs its `run` messages one after the other, in posting order, answering each
 * asynchronously (a microtask, or `ms` of timer time) — a chunk waits behind the one
 * before it, a hung chunk blocks the chunks behind it, `terminate()` silences it for good.
 *
 * What to answer is a per-test script: `init(worker)` and `run(job)`.
 */
import { afterEach, beforeEach, vi } from "vitest";
import type { PoolWorker, SpawnWorker, WorkerEvents } from "../../ts/pool/backend.js";
import { decodeRequest, encodeResponse, type Failure, type Request, type Response } from "../../ts/protocol/frames.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import type { ToWorker } from "../../ts/protocol/messages.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";

export const DOUBLE: KernelInfo = { name: "double", kind: "map", input: "number", output: "number" };
/** A `#[kernel(context)]`: multiplies each item by the call's context. */
export const SCALE: KernelInfo = { name: "scale", kind: "map", input: "number", output: "number", context: "number" };

/** How a worker answers `init`. */
export type InitReply =
  | { ready: KernelInfo[] }
  | { initError: string }
  /** The script failed to load (a 404, a syntax error): the worker's `error` event, which
   * a browser fires as a task (`ms` of timer time, default 1), never as a microtask. */
  | { scriptError: string; ms?: number }
  /** Never answers. */
  | "silent";

/** How a worker answers one chunk. */
export type RunReply =
  /** A success frame with these outputs. */
  | { outputs: unknown; ms?: number }
  /** A failure frame. */
  | { failure: Failure; ms?: number }
  /** Any response frame, as given (e.g. one naming another call or chunk). */
  | { response: Response; ms?: number }
  /** Raw bytes as the frame. */
  | { frame: Uint8Array; ms?: number }
  /** The kernel panicked. */
  | { trap: string; recovered: boolean; ms?: number }
  /** The worker dies (its `error` event) while running it. */
  | { crash: string; ms?: number }
  /** Never answers: the worker is stuck in it (and so are the chunks behind it). */
  | "hang";

/** One chunk as a worker received it. */
export interface Job {
  worker: FakeWorker;
  /** The pool's task id of the `run` message. */
  id: number;
  req: Request;
  /** The decoded payload (the chunk's items). */
  items: unknown[];
  /** The context bytes' decoded value, when the frame carried them. */
  context: unknown;
  /** Whether the frame carried the context's bytes (`[id, bytes]`) rather than `[id, null]`. */
  contextBytes: boolean;
  /** A slice chunk (its bytes came beside the frame; typed outputs go back the same way). */
  slice: boolean;
  /** A slice chunk's buffer as posted (the real worker writes a same-length output over it). */
  data: ArrayBuffer | undefined;
  started: boolean;
  answered: boolean;
}

export interface Script {
  init?(worker: FakeWorker): InitReply;
  /** Called when the worker starts running the job (not when it was posted). May return
   * a promise: the worker stays busy with this job until it settles. */
  run?(job: Job): RunReply | Promise<RunReply>;
}

export class FakeWorker implements PoolWorker {
  terminated = false;
  crashed = false;
  /** The init message it was sent. */
  init: Extract<ToWorker, { type: "init" }> | undefined;
  /** Every chunk posted to it, in posting order. */
  readonly posted: Job[] = [];
  /** The ids of the contexts this worker holds (as Rust's per-worker cache would). */
  readonly contextCache = new Map<string, unknown>();
  readonly #queue: Job[] = [];
  #busy = false;

  constructor(
    readonly fleet: Fleet,
    /** 0-based position in spawn order, across the whole dispatcher. */
    readonly seq: number,
    readonly name: string,
    readonly events: WorkerEvents,
  ) {}

  post(msg: ToWorker): void {
    if (this.terminated) throw new Error(`post to terminated worker ${this.name}#${this.seq}`);
    if (msg.type === "init") {
      this.init = msg;
      this.fleet.inits.push(this);
      const reply = this.fleet.script.init?.(this) ?? { ready: this.fleet.kernels };
      if (reply === "silent") return;
      if ("scriptError" in reply) {
        this.#later(() => this.terminated || this.#die(reply.scriptError), reply.ms ?? 1);
        return;
      }
      this.#later(() => {
        if (this.terminated) return;
        if ("ready" in reply) this.events.message({ type: "ready", kernels: reply.ready });
        else this.events.message({ type: "init-error", message: reply.initError });
      });
      return;
    }
    if (msg.type !== "run") return;
    const req = decodeRequest(new Uint8Array(msg.frame));
    const job: Job = {
      worker: this,
      id: msg.id,
      req,
      // A slice chunk: raw bytes beside the frame, whose payload names the typed array.
      items: msg.data
        ? (new (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown[]>)[
            new TextDecoder().decode(req.payload)
          ]!(msg.data) as unknown[])
        : decodeValue<unknown[]>(req.payload),
      slice: msg.data !== undefined,
      data: msg.data,
      context: req.context?.bytes ? decodeValue(req.context.bytes) : undefined,
      contextBytes: !!req.context?.bytes,
      started: false,
      answered: false,
    };
    this.posted.push(job);
    this.fleet.posted.push(job);
    // A worker receives its messages asynchronously, like any postMessage.
    queueMicrotask(() => {
      this.#queue.push(job);
      this.#next();
    });
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Chunks posted to it and not answered (what the pool has in flight on it). */
  get outstanding(): Job[] {
    return this.posted.filter((j) => !j.answered);
  }

  #next(): void {
    if (this.#busy || this.terminated || this.crashed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#busy = true;
    job.started = true;
    this.fleet.started.push(job);
    if (job.req.context?.bytes) this.contextCache.set(job.req.context.id, job.context);
    void Promise.resolve(this.fleet.script.run?.(job) ?? { outputs: job.items.map((x) => (x as number) * 2) }).then(
      (reply) => {
        if (reply === "hang") return;
        this.#later(() => {
          if (this.terminated || this.crashed) return;
          job.answered = true;
          if ("crash" in reply) return this.#die(reply.crash);
          if ("trap" in reply) {
            this.events.message({
              type: "trap",
              id: job.id,
              message: reply.trap,
              panicked: true,
              recovered: reply.recovered,
            });
          } else {
            // A slice chunk's typed output travels as raw bytes beside an empty body —
            // written over the chunk's own buffer when as long, as the real worker does
            // (`__wasmPmapRunSlice` with `inPlace`).
            const out =
              job.slice && "outputs" in reply && ArrayBuffer.isView(reply.outputs) ? reply.outputs : undefined;
            let data: ArrayBuffer | undefined;
            if (out && job.data && out.byteLength === job.data.byteLength) {
              new Uint8Array(job.data).set(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
              data = job.data;
            } else if (out) data = (out as unknown as Uint8Array).slice().buffer;
            const frame =
              "frame" in reply
                ? reply.frame
                : encodeResponse(
                    "response" in reply
                      ? reply.response
                      : "failure" in reply
                        ? { call: job.req.call, chunk: job.req.chunk, ok: false, failure: reply.failure }
                        : {
                            call: job.req.call,
                            chunk: job.req.chunk,
                            ok: true,
                            body: data ? new Uint8Array(0) : encodeValue(reply.outputs),
                          },
                  );
            const now = Date.now();
            this.events.message({
              type: "done",
              id: job.id,
              frame: frame.buffer as ArrayBuffer,
              data,
              startedAt: now,
              finishedAt: now,
              memoryBytes: 65536,
            });
          }
          this.#busy = false;
          this.#next();
        }, reply.ms);
      },
    );
  }

  #die(reason: string): void {
    this.crashed = true;
    this.events.error(reason);
  }

  /** Answers as a real worker would: never synchronously. */
  #later(f: () => void, ms?: number): void {
    if (ms === undefined) queueMicrotask(f);
    else setTimeout(f, ms);
  }
}

/** Every worker a dispatcher spawned, and what they ran. */
export class Fleet {
  readonly workers: FakeWorker[] = [];
  readonly inits: FakeWorker[] = [];
  /** Every chunk posted / started, across workers, in order. */
  readonly posted: Job[] = [];
  readonly started: Job[] = [];
  /** Called after every post, to check invariants at that moment. */
  onPost?: (job: Job) => void;

  constructor(
    public script: Script = {},
    readonly kernels: KernelInfo[] = [DOUBLE, SCALE],
  ) {}

  readonly spawn: SpawnWorker = (name, events) => {
    const w = new FakeWorker(this, this.workers.length, name, events);
    this.workers.push(w);
    const post = w.post.bind(w);
    w.post = (msg) => {
      post(msg);
      if (msg.type === "run") this.onPost?.(w.posted.at(-1)!);
    };
    return w;
  };

  get terminated(): FakeWorker[] {
    return this.workers.filter((w) => w.terminated);
  }

  /** Workers not terminated (nor crashed). */
  get live(): FakeWorker[] {
    return this.workers.filter((w) => !w.terminated && !w.crashed);
  }

  /** Chunk `chunk` of call `call`, each time a worker started running it. */
  runsOf(call: string, chunk: number): Job[] {
    return this.started.filter((j) => j.req.call === call && j.req.chunk === chunk);
  }
}

/** A promise's state, observable without awaiting it. */
export function track<T>(p: Promise<T>): {
  readonly state: "pending" | "resolved" | "rejected";
  value?: T;
  error?: unknown;
} {
  const t: { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } = { state: "pending" };
  p.then(
    (v) => Object.assign(t, { state: "resolved", value: v }),
    (e) => Object.assign(t, { state: "rejected", error: e }),
  );
  return t;
}

/** A promise with its resolver outside. */
export function deferred<T>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the promise to reject");
}

/** The error a function throws (fails the test if it returns). */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected it to throw");
}

/** Lets every queued microtask and due timer run (fake timers). */
export const flush = () => vi.advanceTimersByTimeAsync(0);

/** Every test of the calling file runs under fake timers. */
export function useFakeTimers(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
