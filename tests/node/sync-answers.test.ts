// How the page answers the executor's pipe requests (ts/sync/sync-mode.ts): into the
// executor's answer slot when there is no coordinator (a cross-origin-isolated page), by a
// pipe-result message when the executor is not blocked (no ticket), through the coordinator as
// the ticket's response frame otherwise; failures cross as failure frames, and an answer that
// comes after its job ended goes nowhere.
import { describe, expect, it, vi } from "vitest";
import { newAnswerSlot, openWait, waitAnswer } from "../../ts/protocol/answer-slot.js";
import { KernelError, QueueFullError } from "../../ts/protocol/errors.js";
import { decodeResponse } from "../../ts/protocol/frames.js";
import type { ToWorker } from "../../ts/protocol/messages.js";
import type { DeliverMessage } from "../../ts/protocol/routes.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { JOB, type PipeOutcome, pipeMsg, syncHarness } from "./fake-sync-mode.js";
import { deferred, track, useFakeTimers } from "./fake-worker.js";

useFakeTimers();

describe("without a coordinator: answers go into the executor's answer slot", () => {
  it("the executor is told to block in Atomics.wait; the answer (or failure) lands in its slot, never at a coordinator", async () => {
    const outcomes: PipeOutcome[] = [
      { bodies: [Uint8Array.of(1, 2, 3)] },
      { reject: new KernelError("square", "boom", 0) },
    ];
    const t = syncHarness({ noLink: true, pipe: () => outcomes.shift()! });
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
    const first = decodeResponse(waitAnswer(slot, 1)!);
    expect(first).toMatchObject({ call: ticket, chunk: 0, ok: true });
    expect(decodeValue((first as { body: Uint8Array }).body)).toEqual([Uint8Array.of(1, 2, 3)]);
    openWait(slot, 2);
    t.executor().events.message(pipeMsg({ id: 2, ticket: `${init.executor!.namespace}:2`, slot }));
    await vi.advanceTimersByTimeAsync(0);
    expect(decodeResponse(waitAnswer(slot, 2)!)).toMatchObject({
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
    const t = syncHarness({ noLink: true, pipe: () => ({ later }) });
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

describe("pipes without a ticket (the executor is not blocked)", () => {
  it("answers with a pipe-result message carrying the bodies", async () => {
    const t = syncHarness();
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
    const t = syncHarness({ pipe: () => outcomes.shift()! });
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
    const t = syncHarness({ pipe: () => ({ later: late.promise }) });
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

describe("pipes with a ticket", () => {
  it("a ticketed pipe that fails delivers the ticket's failure frame", async () => {
    const t = syncHarness({ pipe: () => ({ reject: new KernelError("square", "negative", 0) }) });
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
});
