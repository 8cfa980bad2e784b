// Sync mode's page side (ts/sync/sync-mode.ts): the SyncExecutor as a one-worker dispatcher
// running jobs, and what a job's end does at the coordinator — its unread tickets forgotten,
// its pipes cancelled, a replaced executor's namespace voided, nothing touching the next
// job. Driven from node with a scripted fake executor and a fake coordinator
// (fake-sync-mode.ts); the real protocol runs in tests/browser.
import { describe, expect, it, vi } from "vitest";
import { AbortError, CoordinatorError, PoolTerminatedError } from "../../ts/protocol/errors.js";
import { decodeResponse, Mode } from "../../ts/protocol/frames.js";
import type { DeliverMessage } from "../../ts/protocol/routes.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { JOB, type PipeOutcome, pipeMsg, syncHarness } from "./fake-sync-mode.js";
import { deferred, flush, type Job, track, useFakeTimers } from "./fake-worker.js";

useFakeTimers();

describe("the executor and its jobs", () => {
  it("the executor is a one-deep worker named wasm-pmap-executor, told the coordinator and the compute workers", async () => {
    const t = syncHarness();
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

  it("resize() tells the live executor the pool's worker count now; a replacement gets it in its init", async () => {
    const workers = { n: 2 };
    const t = syncHarness({ workers });
    await t.start();
    workers.n = 5;
    t.sync.resize();
    expect(t.toExecutorAll.at(-1)).toEqual({ type: "workers", n: 5 });
  });

  it("close() fails the running job with the given error", async () => {
    const t = syncHarness();
    await t.start();
    const job = track(t.sync.run(JOB, encodeValue([1]), {}, false));
    await vi.advanceTimersByTimeAsync(0);
    t.sync.close(new PoolTerminatedError());
    await vi.advanceTimersByTimeAsync(0);
    expect(job.error).toBeInstanceOf(PoolTerminatedError);
  });

  it("a job Rust started (execute_async) reaches the executor as a pipe, its payload untouched; one from TS as a map chunk", async () => {
    const t = syncHarness({ run: async () => 1 });
    await t.sync.start();
    const rustPayload = encodeValue([[[0, "squares"]], 0, encodeValue([3])]);
    await Promise.all([t.sync.run(JOB, rustPayload, {}, true), t.sync.run(JOB, encodeValue([3]), {}, false)]);
    const [fromRust, fromTs] = t.fleet.posted.map((j) => j.req);
    expect(fromRust).toMatchObject({ kernel: "squares", mode: Mode.Pipe });
    expect(Array.from(fromRust!.payload)).toEqual(Array.from(rustPayload));
    expect(fromTs).toMatchObject({ kernel: "squares", mode: Mode.Map });
  });

  it("counts re-runs: each pipe request that says the coordinator lost its ticket before", async () => {
    const t = syncHarness();
    await t.start();
    void t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.sync.reruns).toBe(0);
    t.executor().events.message(pipeMsg({ id: 1 }));
    t.executor().events.message(pipeMsg({ id: 2, rerun: 1 }));
    t.executor().events.message(pipeMsg({ id: 3, rerun: 2 }));
    expect(t.sync.reruns).toBe(2);
  });
});

describe("a job's end and its tickets", () => {
  /** The executor blocks on a ticket: it asks for a pipe and, later, reports it read the answer. */
  function pipe(job: Job, ticket: string) {
    job.worker.events.message({ type: "pipe", id: 1, ticket, label: "square", payloads: [Uint8Array.of(0x80)] });
    return () => job.worker.events.message({ type: "pipe-taken", ticket });
  }

  it("an answer read by its job is never re-delivered, and never touches the job that runs next (issue 9 #3)", async () => {
    const second = deferred<number>();
    const t = syncHarness({
      run: async (j) => {
        if (j.req.call === "pool:1") {
          const taken = pipe(j, "exec:1");
          await vi.advanceTimersByTimeAsync(10);
          taken();
          return 1;
        }
        return second.promise; // the next job keeps the executor busy for a long time
      },
    });
    await t.sync.start();
    const a = t.sync.run(JOB, encodeValue([1]), {}, false);
    await vi.advanceTimersByTimeAsync(50);
    expect(decodeValue(await a)).toEqual([1]);
    const b = track(t.sync.run(JOB, encodeValue([2]), {}, false));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.deliveries("exec:1")).toHaveLength(1);
    expect(b.state).toBe("pending"); // not cancelled for "not taking" the first job's answer
    second.resolve(2);
    await flush();
    expect(decodeValue(b.value as Uint8Array)).toEqual([2]);
  });

  it("a job that ends with an unread ticket (aborted, timed out) makes the coordinator forget it", async () => {
    const t = syncHarness({
      run: async (j) => {
        pipe(j, "exec:9");
        return new Promise(() => {}); // blocked for good: only the timeout ends it
      },
    });
    await t.sync.start();
    const job = track(t.sync.run(JOB, encodeValue([1]), { timeoutMs: 1_000 }, false));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(job.state).toBe("rejected");
    await flush();
    const forgets = t.received.filter((m) => m.wasmPmap === "forget");
    expect(forgets.filter((m) => "ticket" in m).map((m) => (m as { ticket: string }).ticket)).toEqual(["exec:9"]);
    // The timed-out executor was replaced: its whole ticket namespace is voided, and only its.
    const voided = forgets.filter((m) => "namespace" in m).map((m) => (m as { namespace: string }).namespace);
    expect(voided).toEqual([t.fleet.inits[0]!.init?.executor?.namespace]);
    const frame = (t.deliveries("exec:9")[0] as DeliverMessage | undefined)?.frame;
    if (frame) expect(decodeResponse(frame).call).toBe("exec:9");
  });

  it("a ticket the executor reported read is not forgotten when the job ends; an unread one is", async () => {
    const t = syncHarness();
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
    const t = syncHarness();
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

  it("a blocked job whose answer the coordinator never takes (three silent tries) fails with CoordinatorError", async () => {
    const t = syncHarness({ status: undefined });
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

  it("the job's pipes still running when it ends are cancelled with an AbortError; finished ones are not", async () => {
    const outcomes: PipeOutcome[] = [{ bodies: [] }, "pending"];
    const t = syncHarness({ pipe: () => outcomes.shift()! });
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
});
