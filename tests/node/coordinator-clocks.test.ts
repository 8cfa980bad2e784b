// The coordinator's clocks and its byte accounting: wait caps, ticket and answer expiry, a
// voided namespace's 10 minutes, answers counted once against maxBytes; driven with real
// Request objects under fake timers.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Coordinator, type Requester } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { swScope as scope, swUrl as url } from "./fake-service-worker.js";

const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:2";
const ns = ticket.slice(0, ticket.indexOf(":"));
const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x80) });
const executor = { id: "exec", type: "worker" };

async function get(c: Coordinator, path: string, from: Requester | undefined = executor): Promise<Response> {
  return (await c.handle(new Request(url(path)), from))!;
}
/** A wait under fake timers: lets its `ms` pass, then returns its status. */
async function waited(c: Coordinator, path: string, ms = 0): Promise<number> {
  const res = get(c, path);
  await vi.advanceTimersByTimeAsync(ms);
  return (await res).status;
}
async function held(c: Coordinator): Promise<{ tickets: number; bytes: number }> {
  return JSON.parse((await (await get(c, "ping")).text()).replace("wasm-pmap coordinator ", ""));
}

/** Fake timers and Date only: fetch's Response reads its body on real microtasks and immediates. */
const fakeClock = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
afterEach(() => {
  vi.useRealTimers();
});

describe("Coordinator clocks and accounting", () => {
  it("a voided namespace is remembered for 10 minutes, then its ids may open tickets again", async () => {
    fakeClock();
    const c = new Coordinator(scope);
    c.forgetNamespace(ns);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await waited(c, `tickets/${ticket}/wait?ms=0&open=1`)).toBe(410);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(410);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect(await waited(c, `tickets/${ticket}/wait?ms=0&open=1`)).toBe(204);
  });

  it("a wait without `ms` is held for the cap; a negative or unreadable `ms` answers at once", async () => {
    fakeClock();
    const c = new Coordinator(scope, { maxWaitMs: 3_000 });
    expect(await waited(c, `tickets/${ticket}/wait?ms=0&open=1`)).toBe(204);
    let status = 0;
    void get(c, `tickets/${ticket}/wait`).then((r) => (status = r.status));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(status).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(status).toBe(204);
    for (const ms of ["-5", "soon"]) {
      let s = 0;
      void get(c, `tickets/${ticket}/wait?ms=${ms}`).then((r) => (s = r.status));
      await vi.advanceTimersByTimeAsync(0);
      expect(s).toBe(204);
    }
  });

  it("maxWaitMs above the protocol's 10 s is capped at 10 s", async () => {
    fakeClock();
    const c = new Coordinator(scope, { maxWaitMs: 60_000 });
    await waited(c, `tickets/${ticket}/wait?ms=0&open=1`);
    let status = 0;
    void get(c, `tickets/${ticket}/wait?ms=60000`).then((r) => (status = r.status));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(status).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(status).toBe(204);
  });

  it("an answer that arrives while a wait is held ends that wait, and the timer it left does not answer again", async () => {
    fakeClock();
    const c = new Coordinator(scope);
    await waited(c, `tickets/${ticket}/wait?ms=0&open=1`);
    const responses: number[] = [];
    void get(c, `tickets/${ticket}/wait?ms=1000`).then((r) => responses.push(r.status));
    await vi.advanceTimersByTimeAsync(10);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(204);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(responses).toEqual([200]);
    expect(await held(c)).toEqual({ tickets: 0, bytes: 0 }); // handed over, nothing kept
  });

  it("a wait that timed out leaves no waiter behind: a later answer is stored for the next wait", async () => {
    fakeClock();
    const c = new Coordinator(scope);
    await waited(c, `tickets/${ticket}/wait?ms=0&open=1`);
    void get(c, `tickets/${ticket}/wait?ms=100`);
    await vi.advanceTimersByTimeAsync(100);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(204);
    expect((await held(c)).tickets).toBe(1);
    expect(await waited(c, `tickets/${ticket}/wait?ms=0`)).toBe(200);
  });

  it("a re-delivered answer is held once: its bytes are not counted twice", async () => {
    const c = new Coordinator(scope);
    c.deliver(ticket, answer(ticket));
    c.deliver(ticket, answer(ticket));
    expect(await held(c)).toEqual({ tickets: 1, bytes: answer(ticket).byteLength });
  });

  it("an answer exactly filling maxBytes is kept; one byte more is refused", () => {
    const size = answer(ticket).byteLength;
    expect(new Coordinator(scope, { maxBytes: size }).deliver(ticket, answer(ticket)).status).toBe(204);
    expect(new Coordinator(scope, { maxBytes: size - 1 }).deliver(ticket, answer(ticket)).status).toBe(503);
  });

  it("a ticket untouched for ticketTtlMs is forgotten; one touched meanwhile, or with a wait held, is kept", async () => {
    fakeClock();
    const c = new Coordinator(scope, { ticketTtlMs: 1_000 });
    await waited(c, `tickets/${ticket}/wait?ms=0&open=1`);
    await waited(c, `tickets/${other}/wait?ms=0&open=1`);
    await vi.advanceTimersByTimeAsync(600);
    await waited(c, `tickets/${other}/wait?ms=0`); // touched
    await vi.advanceTimersByTimeAsync(600);
    expect((await held(c)).tickets).toBe(1);
    expect(await waited(c, `tickets/${ticket}/wait?ms=0`)).toBe(404);
    expect(await waited(c, `tickets/${other}/wait?ms=0`)).toBe(204);
    // A wait held past the ttl keeps its ticket.
    const waiting = get(c, `tickets/${other}/wait?ms=5000`);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await held(c)).tickets).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await waiting).status).toBe(204);
  });

  it("a ticket is kept for exactly its ttl: forgotten only once it is older", async () => {
    fakeClock();
    const c = new Coordinator(scope, { ticketTtlMs: 1_000 });
    await waited(c, `tickets/${ticket}/wait?ms=0&open=1`);
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await held(c)).tickets).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await held(c)).tickets).toBe(0);
  });

  it("an unopened answer expires after 60 s even when tickets live longer; an opened ticket does not", async () => {
    fakeClock();
    const c = new Coordinator(scope); // default ttl: 5 min
    c.deliver(ticket, answer(ticket));
    await waited(c, `tickets/${other}/wait?ms=0&open=1`);
    await vi.advanceTimersByTimeAsync(60_001);
    expect(await held(c)).toEqual({ tickets: 1, bytes: 0 }); // the answer went, its bytes freed
    expect(await waited(c, `tickets/${other}/wait?ms=0`)).toBe(204);
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 1);
    expect((await held(c)).tickets).toBe(0);
  });

  it("deliver sweeps too: an expired answer frees its bytes for the next delivery", async () => {
    fakeClock();
    const size = answer(ticket).byteLength;
    const c = new Coordinator(scope, { maxBytes: size });
    c.deliver(ticket, answer(ticket));
    expect(c.deliver(other, answer(other)).status).toBe(503);
    await vi.advanceTimersByTimeAsync(60_001);
    expect(c.deliver(other, answer(other)).status).toBe(204);
  });

  it("a wait that fails inside the coordinator is a 500 naming the cause, never a rejected respondWith", async () => {
    const c = new Coordinator(scope);
    const bad = { url: url(`tickets/${ticket}/wait?ms=0&open=1`), method: "GET", mode: "cors" } as unknown as Request;
    Object.defineProperty(bad, "destination", {
      get() {
        throw new Error("boom");
      },
    });
    const res = (await c.handle(bad, executor))!;
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("coordinator error: boom");
  });
});
