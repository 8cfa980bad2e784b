// Sync mode's page side (ts/sync/sync-mode.ts) beyond sync-mode.test.ts: pipes the executor
// asks for without a ticket (answered by message), failures crossing as failure frames,
// re-run counting, a coordinator that never takes an answer, and what a job's end cancels.
// Found unpinned by the mutation run (npm run mutants).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Call } from "../../ts/pool/call.js";
import { newAnswerSlot, openWait, waitAnswer } from "../../ts/protocol/answer-slot.js";
import {
  AbortError,
  CoordinatorError,
  KernelError,
  PoolTerminatedError,
  QueueFullError,
} from "../../ts/protocol/errors.js";
import { decodeResponse } from "../../ts/protocol/frames.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import type { ToWorker } from "../../ts/protocol/messages.js";
import type { DeliverMessage } from "../../ts/protocol/routes.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { SyncMode } from "../../ts/sync/sync-mode.js";
import { fakeCoordinator } from "./fake-coordinator.js";
import { deferred, Fleet, type Job, track } from "./fake-worker.js";

const JOB: KernelInfo = { name: "squares", kind: "job", input: "number", output: "number[]" };

/** What the pool's `pipe` does for one request: resolve with bodies, reject, throw, or stay pending. */
type PipeOutcome =
  | { bodies: Uint8Array[] }
  | { later: Promise<Uint8Array[]> }
  | { reject: unknown }
  | { throw: unknown }
  | "pending";

function setup(
  opts: {
    status?: number | undefined;
    pipe?: (label: string) => PipeOutcome;
    workers?: { n: number };
    /** No coordinator: the cross-origin-isolated page's sync mode (answer slots). */
    noLink?: boolean;
  } = {},
) {
  const status = "status" in opts ? opts.status : 204;
  const { link, received } = fakeCoordinator(status);
  const blocked = deferred<void>();
  let running: Job | undefined;
  const fleet = new Fleet(
    {
      run: async (j) => {
        running = j;
        await blocked.promise;
        return { outputs: [j.items[0]] };
      },
    },
    [JOB],
  );
  /** Every message the page posted to the executor (init first). */
  const toExecutorAll: ToWorker[] = [];
  const spawn: typeof fleet.spawn = (name, events) => {
    const w = fleet.spawn(name, events);
    const post = w.post;
    w.post = (m: ToWorker) => {
      toExecutorAll.push(m);
      post(m);
    };
    return w;
  };
  const cancelled: Array<[Call, unknown]> = [];
  const pipes: Call[] = [];
  const workers = opts.workers ?? { n: 2 };
  const sync = new SyncMode({
    link: opts.noLink ? undefined : link,
    spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    workers: () => workers.n,
    changed: () => {},
    nextId: (() => {
      let n = 0;
      return () => `pool:${++n}`;
    })(),
    pipe: (label) => {
      const out = opts.pipe?.(label) ?? { bodies: [Uint8Array.of(0x80)] };
      if (out !== "pending" && "throw" in out) throw out.throw;
      const call = {
        label,
        promise:
          out === "pending"
            ? new Promise(() => {})
            : "later" in out
              ? out.later
              : "reject" in out
                ? Promise.reject(out.reject)
                : Promise.resolve(out.bodies),
      } as unknown as Call;
      call.promise.catch(() => {});
      pipes.push(call);
      return call;
    },
    cancel: (c, err) => cancelled.push([c, err]),
  });
  const start = () => sync.start();
  /** What the page answered the executor's requests (neither init nor jobs). */
  const toExecutor = {
    filter: (f: (m: ToWorker) => boolean) => toExecutorAll.filter((m) => m.type === "pipe-result").filter(f),
  };
  const executor = () => {
    if (!running) throw new Error("no job is running");
    return running.worker;
  };
  return {
    sync,
    fleet,
    received,
    cancelled,
    pipes,
    toExecutor,
    toExecutorAll,
    start,
    executor,
    finish: () => blocked.resolve(),
  };
}

const pipeMsg = (extra: { id?: number; ticket?: string; rerun?: number } = {}) => ({
  type: "pipe" as const,
  id: extra.id ?? 1,
  label: "square",
  payloads: [Uint8Array.of(0x80)],
  ...extra,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("SyncMode without a coordinator: answers go into the executor's answer slot", () => {
  it("the executor is told to block in Atomics.wait; the answer (or failure) lands in its slot, never at a coordinator", async () => {
    const outcomes: PipeOutcome[] = [
      { bodies: [Uint8Array.of(1, 2, 3)] },
      { reject: new KernelError("square", "boom") },
    ];
    const t = setup({ noLink: true, pipe: () => outcomes.shift()! });
    await t.start();
    const init = t.toExecutorAll[0] as Extract<ToWorker, { type: "init" }>;
    expect(init.executor).toEqual({ wait: "atomics", workers: 2, namespace: expect.any(String) });
    const ticket = `${init.executor!.namespace}:1`;
    const job = track(t.sync.run(JOB, encodeValue([5]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    const slot = newAnswerSlot();
    openWait(slot, 1); // as the executor does before it posts
    t.executor().events.message(pipeMsg({ id: 1, ticket, slot }));
    await vi.advanceTimersByTimeAsync(0);
    const first = decodeResponse(waitAnswer(slot, 1));
    expect(first).toMatchObject({ call: ticket, chunk: 0, ok: true });
    expect(decodeValue((first as { body: Uint8Array }).body)).toEqual([Uint8Array.of(1, 2, 3)]);
    openWait(slot, 2);
    t.executor().events.message(pipeMsg({ id: 2, ticket: `${init.executor!.namespace}:2`, slot }));
    await vi.advanceTimersByTimeAsync(0);
    expect(decodeResponse(waitAnswer(slot, 2))).toMatchObject({
      ok: false,
      failure: { kind: "kernel", kernel: "square", message: "boom" },
    });
    expect(t.toExecutor.filter(() => true)).toEqual([]); // no pipe-result messages: it is blocked
    expect(t.received).toEqual([]);
    t.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(decodeValue(job.value as Uint8Array)).toEqual([5]);
  });

  it("an answer for a job that ended is never written into the slot", async () => {
    let release: (b: Uint8Array[]) => void = () => {};
    const later = new Promise<Uint8Array[]>((r) => (release = r));
    const t = setup({ noLink: true, pipe: () => ({ later }) });
    await t.start();
    const ns = (t.toExecutorAll[0] as Extract<ToWorker, { type: "init" }>).executor!.namespace;
    const job = track(t.sync.run(JOB, encodeValue([5]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    const slot = newAnswerSlot();
    openWait(slot, 1); // the executor still waits: only the job's end stops the write
    t.executor().events.message(pipeMsg({ id: 1, ticket: `${ns}:1`, slot }));
    t.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(decodeValue(job.value as Uint8Array)).toEqual([5]);
    release([Uint8Array.of(9)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(new Int32Array(slot.ctrl)[0]).toBe(0); // nothing was written
  });
});

describe("SyncMode: pipes without a ticket (the executor is not blocked)", () => {
  it("answers with a pipe-result message carrying the bodies", async () => {
    const t = setup();
    await t.start();
    const job = track(t.sync.run(JOB, encodeValue([5]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ id: 7 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.toExecutor.filter(() => true)).toEqual([
      { type: "pipe-result", id: 7, bodies: [Uint8Array.of(0x80)], error: undefined },
    ]);
    expect(t.received).toEqual([]); // nothing through the coordinator
    t.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(decodeValue(job.value as Uint8Array)).toEqual([5]);
    expect(t.received.filter((m) => m.wasmPmap === "forget")).toEqual([]); // no ticket to forget
  });

  it("a pipe that fails, or cannot even start, answers its failure frame (kind, kernel, message)", async () => {
    const outcomes: PipeOutcome[] = [
      { reject: new KernelError("square", "negative", 0, 3) },
      { throw: new QueueFullError(4) },
    ];
    const t = setup({ pipe: () => outcomes.shift()! });
    await t.start();
    void t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ id: 1 }));
    t.executor().events.message(pipeMsg({ id: 2 }));
    await vi.advanceTimersByTimeAsync(0);
    const byId = t.toExecutor.filter(() => true).sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
    expect(byId).toEqual([
      {
        type: "pipe-result",
        id: 1,
        bodies: undefined,
        error: { kind: "kernel", kernel: "square", message: "item 3: negative", index: 3 },
      },
      {
        type: "pipe-result",
        id: 2,
        bodies: undefined,
        error: {
          kind: "queueFull",
          kernel: "square",
          message: "the pool's queue is full (maxQueue 4 chunks); retry later or raise maxQueue",
        },
      },
    ]);
  });

  it("an answer that comes after the job ended goes nowhere", async () => {
    const late = deferred<Uint8Array[]>();
    const t = setup({ pipe: () => ({ later: late.promise }) });
    await t.start();
    const job = t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg());
    t.finish();
    await job;
    late.resolve([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.toExecutor.filter((m) => m.type === "pipe-result")).toEqual([]);
  });
});

describe("SyncMode: a job's end and the coordinator", () => {
  it("counts re-runs: each pipe request that says the coordinator lost its ticket before", async () => {
    const t = setup();
    await t.start();
    void t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.sync.reruns).toBe(0);
    t.executor().events.message(pipeMsg({ id: 1 }));
    t.executor().events.message(pipeMsg({ id: 2, rerun: 1 }));
    t.executor().events.message(pipeMsg({ id: 3, rerun: 2 }));
    expect(t.sync.reruns).toBe(2);
  });

  it("the job's pipes still running when it ends are cancelled with an AbortError; finished ones are not", async () => {
    const outcomes: PipeOutcome[] = [{ bodies: [] }, "pending"];
    const t = setup({ pipe: () => outcomes.shift()! });
    await t.start();
    const job = t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ id: 1 }));
    t.executor().events.message(pipeMsg({ id: 2 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.cancelled).toEqual([]);
    t.finish();
    await job;
    expect(t.cancelled.map(([c]) => c)).toEqual([t.pipes[1]]);
    expect(t.cancelled[0]![1]).toBeInstanceOf(AbortError);
    expect((t.cancelled[0]![1] as Error).message).toBe("the job that started these chunks ended");
    // A second job does not cancel the first one's pipes again.
    const second = t.sync.run(JOB, encodeValue([2]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    await second;
    expect(t.cancelled).toHaveLength(1);
  });

  it("a blocked job whose answer the coordinator never takes (three silent tries) fails with CoordinatorError", async () => {
    const t = setup({ status: undefined });
    await t.start();
    const job = track(t.sync.run(JOB, encodeValue([1]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ ticket: "exec:1" }));
    await vi.advanceTimersByTimeAsync(3 * 5_100);
    expect(job.state).toBe("rejected");
    expect(job.error).toBeInstanceOf(CoordinatorError);
    expect((job.error as Error).message).toBe(
      "sync mode: the coordinator did not take ticket exec:1's answer (3 tries)",
    );
    expect(t.received.filter((m) => m.wasmPmap === "deliver")).toHaveLength(3);
  });

  it("a ticket the executor reported read is not forgotten when the job ends; an unread one is", async () => {
    const t = setup();
    await t.start();
    const job = t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ id: 1, ticket: "exec:1" }));
    t.executor().events.message(pipeMsg({ id: 2, ticket: "exec:2" }));
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message({ type: "pipe-taken", ticket: "exec:1" });
    t.finish();
    await job;
    await vi.advanceTimersByTimeAsync(0);
    expect(t.received.filter((m) => m.wasmPmap === "forget").map((m) => (m as { ticket: string }).ticket)).toEqual([
      "exec:2",
    ]);
    // What was delivered: each ticket's response frame with the pipe's bodies.
    const frame = (t.received.find((m) => m.wasmPmap === "deliver" && m.ticket === "exec:1") as DeliverMessage).frame;
    const resp = decodeResponse(frame);
    expect(resp).toMatchObject({ call: "exec:1", chunk: 0, ok: true });
    expect(decodeValue<Uint8Array[]>((resp as { body: Uint8Array }).body).map((b) => Array.from(b))).toEqual([[0x80]]);
    // The next job's end forgets nothing of the last one's.
    const next = t.sync.run(JOB, encodeValue([2]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    await next;
    expect(t.received.filter((m) => m.wasmPmap === "forget")).toHaveLength(1);
  });

  it("a ticket the executor abandoned (its coordinator lost it: it re-runs under a new one) is forgotten at once and never re-delivered", async () => {
    const t = setup();
    await t.start();
    const job = t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ id: 1, ticket: "exec:1" }));
    await vi.advanceTimersByTimeAsync(100);
    const delivered = t.received.filter((m) => m.wasmPmap === "deliver").length;
    // Why: the dispatcher passed the executor only "pipe" and "pipe-taken", so the page kept
    // re-delivering an abandoned ticket every 2 s until the job ended.
    t.executor().events.message({ type: "pipe-abandoned", ticket: "exec:1" });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.received.filter((m) => m.wasmPmap === "forget")).toEqual([{ wasmPmap: "forget", ticket: "exec:1" }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.received.filter((m) => m.wasmPmap === "deliver")).toHaveLength(delivered);
    t.finish();
    await job;
  });

  it("a ticketed pipe that fails delivers the ticket's failure frame", async () => {
    const t = setup({ pipe: () => ({ reject: new KernelError("square", "negative", 0) }) });
    await t.start();
    void t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    t.executor().events.message(pipeMsg({ ticket: "exec:3" }));
    await vi.advanceTimersByTimeAsync(0);
    const frame = (t.received.find((m) => m.wasmPmap === "deliver") as DeliverMessage).frame;
    expect(decodeResponse(frame)).toEqual({
      call: "exec:3",
      chunk: 0,
      ok: false,
      failure: { kind: "kernel", kernel: "square", message: "negative" },
    });
    t.executor().events.message({ type: "pipe-taken", ticket: "exec:3" });
  });

  it("close() fails the running job with the given error", async () => {
    const t = setup();
    await t.start();
    const job = track(t.sync.run(JOB, encodeValue([1]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    t.sync.close(new PoolTerminatedError());
    await vi.advanceTimersByTimeAsync(0);
    expect(job.error).toBeInstanceOf(PoolTerminatedError);
  });

  it("resize() tells the live executor the pool's worker count now; a replacement gets it in its init", async () => {
    const workers = { n: 2 };
    const t = setup({ workers });
    await t.start();
    workers.n = 5;
    t.sync.resize();
    expect(t.toExecutorAll.at(-1)).toEqual({ type: "workers", n: 5 });
  });

  it("the executor is a one-deep worker named wasm-pmap-executor, told the coordinator and the compute workers", async () => {
    const t = setup();
    await t.start();
    expect(t.fleet.workers.map((w) => w.name)).toEqual(["wasm-pmap-executor"]);
    expect(t.toExecutorAll[0]).toEqual({
      type: "init",
      module: {},
      glue: "fake",
      executor: {
        wait: "xhr",
        coordinator: "https://app.test/__wasm_pmap__/",
        workers: 2,
        namespace: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      },
    });
    void t.sync.run(JOB, encodeValue([1]), {}, false);
    void t.sync.run(JOB, encodeValue([2]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.fleet.posted).toHaveLength(1); // the second job waits: a job blocks its worker
  });
});
