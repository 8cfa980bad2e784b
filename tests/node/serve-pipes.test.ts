// The one sync-serving path (ts/sync/serve-pipes.ts), which the page's sync mode and an
// app-owned executor's relay both use, driven as the relay drives it: an executor that is
// always current, a coordinator reached as the relay reaches it (a transport that answers
// each message with a status: `fetchLink`'s shape). What it pins: a blocking call the executor gave up
// (`pipe-abandoned`: its callTimeoutMs passed) is never answered again and its ticket is
// forgotten at the coordinator — the relay used to re-deliver such an answer every 2 s until
// the next blocking call, and the coordinator held it (review finding N2).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeliverMessage, ForgetMessage } from "../../ts/protocol/routes.js";
import type { PipeResult } from "../../ts/sync/answer.js";
import { CoordinatorLink } from "../../ts/sync/link.js";
import { PipeServer } from "../../ts/sync/serve-pipes.js";
import { deferred } from "./fake-worker.js";

beforeEach(() => vi.useFakeTimers());

/** A coordinator that answers every message `status` (`undefined`: never answers, as a
 * request that times out: status 0). */
function fakeCoordinator(status: number | undefined) {
  const received: Array<DeliverMessage | ForgetMessage> = [];
  const link = new CoordinatorLink(undefined, "https://app.test/__wasm_pmap__/", async (msg) => {
    received.push(msg);
    return status ?? 0;
  });
  const deliveries = (t: string) => received.filter((m) => m.wasmPmap === "deliver" && m.ticket === t);
  return { link, received, deliveries };
}
afterEach(() => vi.useRealTimers());

const TICKET = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";

function setup(status = 204) {
  const { link, received, deliveries } = fakeCoordinator(status);
  const bodies = deferred<Uint8Array[]>();
  const runs: string[] = [];
  const server = new PipeServer({
    run: (label) => {
      runs.push(label);
      return bodies.promise;
    },
    link,
  });
  const posted: PipeResult[] = [];
  const undelivered: unknown[] = [];
  const executor = {
    current: () => true,
    post: (m: PipeResult) => posted.push(m),
    undelivered: (e: unknown) => undelivered.push(e),
  };
  const forgets = () => received.filter((m) => m.wasmPmap === "forget");
  return { server, bodies, runs, posted, undelivered, executor, received, deliveries, forgets };
}

const pipe = (ticket?: string) => ({
  type: "pipe" as const,
  id: 1,
  ticket,
  label: "square",
  payloads: [Uint8Array.of(1)],
});

describe("PipeServer (the relay's and the page's one serving path)", () => {
  it("a blocking call's answer goes to the coordinator and is re-delivered until the executor takes it", async () => {
    const t = setup();
    t.server.handle(pipe(TICKET), t.executor);
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.deliveries(TICKET)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_100);
    expect(t.deliveries(TICKET)).toHaveLength(3); // not read yet: delivered again every 2 s
    t.server.handle({ type: "pipe-taken", ticket: TICKET }, t.executor);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.deliveries(TICKET)).toHaveLength(3);
    expect(t.forgets()).toEqual([]); // taken: nothing to forget
    expect(t.posted).toEqual([]);
  });

  it("a call abandoned before its answer came is never delivered, and the coordinator forgets its ticket", async () => {
    const t = setup();
    t.server.handle(pipe(TICKET), t.executor);
    t.server.handle({ type: "pipe-abandoned", ticket: TICKET }, t.executor);
    expect(t.forgets()).toEqual([{ wasmPmap: "forget", ticket: TICKET }]); // the wait it opened
    t.bodies.resolve([Uint8Array.of(7)]); // the late answer
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.deliveries(TICKET)).toEqual([]);
    expect(t.undelivered).toEqual([]);
  });

  it("a call abandoned while its answer was being re-delivered: re-delivery stops, and the ticket is forgotten after the last send", async () => {
    const t = setup();
    t.server.handle(pipe(TICKET), t.executor);
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(2_100);
    expect(t.deliveries(TICKET)).toHaveLength(2);
    t.server.handle({ type: "pipe-abandoned", ticket: TICKET }, t.executor);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(t.deliveries(TICKET)).toHaveLength(2);
    // Once when abandoned, once more after the delivery loop ended (a send in flight may
    // have crossed the first forget and stored the answer again).
    expect(t.forgets().length).toBeGreaterThanOrEqual(1);
    expect(t.forgets().at(-1)).toEqual({ wasmPmap: "forget", ticket: TICKET });
    const lastForget = t.received.lastIndexOf(t.forgets().at(-1)!);
    const lastDeliver = t.received.lastIndexOf(t.deliveries(TICKET).at(-1)!);
    expect(lastForget).toBeGreaterThan(lastDeliver);
  });

  it("a request without a ticket (the executor is not blocked) is answered by message, failures as failures", async () => {
    const { link } = fakeCoordinator(204);
    const boom = Object.assign(new Error("boom"), { name: "KernelError", kernel: "square" });
    const server = new PipeServer({ run: () => Promise.reject(boom), link });
    const t = { posted: [] as PipeResult[], received: [] as unknown[] };
    server.handle(pipe(), { current: () => true, post: (m) => t.posted.push(m) });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.posted).toEqual([
      { type: "pipe-result", id: 1, bodies: undefined, error: { kind: "kernel", kernel: "square", message: "boom" } },
    ]);
    expect(t.received).toEqual([]);
  });

  it("a coordinator that never answers: the ticket is forgotten (so the executor's wait ends) and the executor end hears why", async () => {
    const { link, received } = fakeCoordinator(undefined);
    const server = new PipeServer({ run: async () => [Uint8Array.of(1)], link });
    const undelivered: Error[] = [];
    server.handle(pipe(TICKET), { current: () => true, post: () => {}, undelivered: (e) => undelivered.push(e) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(received.filter((m) => m.wasmPmap === "forget")).toEqual([{ wasmPmap: "forget", ticket: TICKET }]);
    expect(undelivered).toMatchObject([{ name: "CoordinatorError", message: expect.stringMatching(/did not take/) }]);
  });

  it("an answer over the coordinator's maxBytes (413): a failure frame saying so is sent instead, and if that is refused too the executor end hears why", async () => {
    const t = setup(413);
    t.server.handle(pipe(TICKET), t.executor);
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.deliveries(TICKET)).toHaveLength(2); // the bodies once, then the failure once
    expect(t.forgets()).toEqual([{ wasmPmap: "forget", ticket: TICKET }]);
    expect(t.undelivered).toMatchObject([
      { name: "CoordinatorError", message: expect.stringMatching(/refused .*HTTP 413/) },
    ]);
  });

  it("a blocking call on the answer slot, abandoned: nothing goes to the coordinator (it never saw the ticket)", async () => {
    const t = setup();
    const slot = { ctrl: new SharedArrayBuffer(12), data: new SharedArrayBuffer(0) };
    t.server.handle({ ...pipe(TICKET), slot }, t.executor);
    t.server.handle({ type: "pipe-abandoned", ticket: TICKET }, t.executor);
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.received).toEqual([]);
    expect(new Int32Array(slot.ctrl)[0]).toBe(0); // and nothing was written
  });

  it("abandonAll (the page's job ended): open coordinator tickets are forgotten and never answered; the executor end hears nothing", async () => {
    const t = setup();
    t.server.handle(pipe(TICKET), t.executor);
    t.server.abandonAll();
    expect(t.forgets()).toEqual([{ wasmPmap: "forget", ticket: TICKET }]);
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.deliveries(TICKET)).toEqual([]);
    expect(t.undelivered).toEqual([]);
  });

  it("an executor that is no longer current (the page replaced it) gets no pipe-result", async () => {
    const t = setup();
    let current = true;
    t.server.handle(pipe(), { ...t.executor, current: () => current });
    current = false;
    t.bodies.resolve([Uint8Array.of(7)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.posted).toEqual([]);
  });
});
