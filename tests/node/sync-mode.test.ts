// Sync mode's page side (ts/sync/): SyncMode and its CoordinatorLink, driven from node with
// a scripted fake executor (the worker seam) and a fake service worker registration that
// answers messages as the coordinator would. The real protocol runs in tests/browser.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Call } from "../../ts/pool/call.js";
import { decodeResponse, Mode } from "../../ts/protocol/frames.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import type { DeliverMessage } from "../../ts/protocol/routes.js";
import { decodeValue, encodeValue } from "../../ts/protocol/values.js";
import { SyncMode } from "../../ts/sync/sync-mode.js";
import { fakeCoordinator } from "./fake-coordinator.js";
import { deferred, Fleet, type Job, track } from "./fake-worker.js";

const JOB: KernelInfo = { name: "squares", kind: "job", input: "number", output: "number[]" };
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CoordinatorLink.answer", () => {
  it("stops as soon as the executor read the answer, without waiting out the re-delivery sleep", async () => {
    const { link, deliveries } = fakeCoordinator(204);
    const read = track(link.answer("t:1", { bodies: [Uint8Array.of(1)] }, () => true));
    await flush();
    expect(deliveries("t:1")).toHaveLength(1);
    link.taken("t:1");
    await flush();
    expect(read.state).toBe("resolved");
    expect(read.value).toEqual({ read: true });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deliveries("t:1")).toHaveLength(1);
  });

  it("re-delivers an unread answer every few seconds while it is waited for, and stops when it is not", async () => {
    const { link, deliveries } = fakeCoordinator(204);
    let waiting = true;
    const read = track(link.answer("t:2", { bodies: [] }, () => waiting));
    await vi.advanceTimersByTimeAsync(4_100);
    expect(deliveries("t:2").length).toBeGreaterThanOrEqual(2);
    waiting = false;
    await vi.advanceTimersByTimeAsync(2_100);
    expect(read.state).toBe("resolved");
    const n = deliveries("t:2").length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deliveries("t:2")).toHaveLength(n);
  });
});

describe("SyncMode", () => {
  /** A SyncMode whose executor runs jobs by a script; pipes resolve with one body each. */
  function setup(run: (job: Job) => Promise<unknown>) {
    const coordinator = fakeCoordinator(204);
    const fleet = new Fleet({ run: async (j) => ({ outputs: [await run(j)] }) }, [JOB]);
    const cancelled: string[] = [];
    const sync = new SyncMode({
      link: coordinator.link,
      spawn: fleet.spawn,
      init: { module: {} as WebAssembly.Module, glue: "fake" },
      workers: () => 2,
      changed: () => {},
      nextId: (() => {
        let n = 0;
        return () => `pool:${++n}`;
      })(),
      pipe: () => ({ promise: Promise.resolve([Uint8Array.of(0x80)]) }) as unknown as Call,
      cancel: (c) => cancelled.push(String(c)),
    });
    return { ...coordinator, fleet, sync };
  }

  /** The executor blocks on a ticket: it asks for a pipe and, later, reports it read the answer. */
  function pipe(job: Job, ticket: string) {
    job.worker.events.message({ type: "pipe", id: 1, ticket, label: "square", payloads: [Uint8Array.of(0x80)] });
    return () => job.worker.events.message({ type: "pipe-taken", ticket });
  }

  it("an answer read by its job is never re-delivered, and never touches the job that runs next (issue 9 #3)", async () => {
    const second = deferred<number>();
    const t = setup(async (j) => {
      if (j.req.call === "pool:1") {
        const taken = pipe(j, "exec:1");
        await vi.advanceTimersByTimeAsync(10);
        taken();
        return 1;
      }
      return second.promise; // the next job keeps the executor busy for a long time
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
    const t = setup(async (j) => {
      pipe(j, "exec:9");
      return new Promise(() => {}); // blocked for good: only the timeout ends it
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

  it("a job Rust started (execute_async) reaches the executor as a pipe, its payload untouched; one from TS as a map chunk", async () => {
    const t = setup(async () => 1);
    await t.sync.start();
    const rustPayload = encodeValue([[[0, "squares"]], 0, encodeValue([3])]);
    await Promise.all([t.sync.run(JOB, rustPayload, {}, true), t.sync.run(JOB, encodeValue([3]), {}, false)]);
    const [fromRust, fromTs] = t.fleet.posted.map((j) => j.req);
    expect(fromRust).toMatchObject({ kernel: "squares", mode: Mode.Pipe });
    expect(Array.from(fromRust!.payload)).toEqual(Array.from(rustPayload));
    expect(fromTs).toMatchObject({ kernel: "squares", mode: Mode.Map });
  });
});
