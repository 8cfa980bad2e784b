// Who may do what at the coordinator: the POST routes are the relay's (a worker the service
// worker controls), a ticket has one reader (the client whose wait opened it), and a page's
// requests create nothing. Driven with real Request objects, as coordinator.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Coordinator, type Requester, setupCoordinator } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { fakeServiceWorker, swScope as scope, swUrl as url } from "./fake-service-worker.js";

const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:1";
const ns = ticket.slice(0, ticket.indexOf(":"));
const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x80) });

/** Requesters as setupCoordinator knows them: the client id, and its type once looked up. */
type From = Requester | undefined;
const exec = { id: "exec", type: "worker" };
const relay = { id: "relay", type: "worker" };
const intruder = { id: "intruder", type: "worker" };
const page = { id: "page", type: "window" };

const wait = (c: Coordinator, t: string, from: From, open = false) =>
  c.handle(new Request(url(`tickets/${t}/wait?ms=0${open ? "&open=1" : ""}`)), from)!;
function post(c: Coordinator, path: string, from: From, body?: Uint8Array) {
  const req = new Request(url(path), { method: "POST", body: body as BodyInit | undefined });
  return { req, res: c.handle(req, from)! };
}
async function held(c: Coordinator): Promise<{ tickets: number; bytes: number }> {
  const res = await c.handle(new Request(url("ping")), undefined)!;
  return JSON.parse((await res.text()).replace("wasm-pmap coordinator ", ""));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the POST routes are the relay's", () => {
  it("a page's (or an unknown client's) POST is refused with 403 before its body is read, and changes nothing", async () => {
    const c = new Coordinator(scope);
    expect((await wait(c, ticket, exec, true)).status).toBe(204); // the executor's ticket, open and unanswered
    const routes: Array<[string, Uint8Array | undefined]> = [
      [`tickets/${ticket}/answer`, answer(ticket)],
      [`tickets/${ticket}/forget`, undefined],
      [`namespaces/${ns}/forget`, undefined],
    ];
    for (const [path, body] of routes) {
      for (const from of [page, undefined]) {
        const { req, res } = post(c, path, from, body);
        const r = await res;
        expect(r.status, `${path} from ${from?.type}`).toBe(403);
        expect(await r.text()).toMatch(/only the relay/);
        expect(req.bodyUsed).toBe(false);
      }
    }
    expect(await held(c)).toEqual({ tickets: 1, bytes: 0 });
    expect((await wait(c, ticket, exec)).status).toBe(204); // not answered, not forgotten, not voided
    // The relay, a worker, is heard.
    expect((await post(c, `tickets/${ticket}/answer`, relay, answer(ticket)).res).status).toBe(204);
    expect((await wait(c, ticket, exec)).status).toBe(200);
  });

  it("a POST is taken on what clients.get() says, never on the Firefox guess: pending is 503 (retry), a page 403", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let settle: (c: { type: string }) => void = () => {};
    const pending = new Promise<{ type: string }>((r) => {
      settle = r;
    });
    const s = fakeServiceWorker({ relay: { type: "worker" }, tab: pending });
    setupCoordinator(s.sw);
    // Firefox never settles clients.get() for a client blocked in a sync XHR: an opening
    // wait from one is guessed a worker after 50 ms — a page blocked in its own sync XHR too.
    const open = s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "tab");
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(10); // the guess, then the wait's own 0 ms
    expect((await open)!.status).toBe(204);
    // Its POST is not taken on that guess (a relay is never blocked: its lookup settles).
    const posted = s.fetch(`tickets/${other}/answer`, "tab", { method: "POST", body: answer(other) as BodyInit });
    await vi.advanceTimersByTimeAsync(5_000);
    const r = (await posted)!;
    expect(r.status).toBe(503);
    expect(await r.text()).toMatch(/clients\.get\(\)/);
    settle({ type: "window" });
    await vi.advanceTimersByTimeAsync(0);
    const again = await s.fetch(`tickets/${other}/answer`, "tab", { method: "POST", body: answer(other) as BodyInit });
    expect(again!.status).toBe(403);
    expect(await s.held()).toEqual({ tickets: 1, bytes: 0 }); // only the guessed wait's ticket
    const byRelay = await s.fetch(`tickets/${other}/answer`, "relay", {
      method: "POST",
      body: answer(other) as BodyInit,
    });
    expect(byRelay!.status).toBe(204);
  });
});

describe("one reader per ticket", () => {
  it("only the client that opened a ticket reads it: any other's wait gets 403 and leaves the answer", async () => {
    const c = new Coordinator(scope);
    expect((await wait(c, ticket, exec, true)).status).toBe(204);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(204);
    for (const from of [intruder, page, undefined]) {
      for (const open of [false, true]) {
        expect((await wait(c, ticket, from, open)).status, `${from?.id} open=${open}`).toBe(403);
      }
    }
    expect(await (await wait(c, ticket, intruder)).text()).toMatch(/opened by another client/);
    const mine = await wait(c, ticket, exec);
    expect(mine.status).toBe(200);
  });

  it("an answer delivered ahead is read by the client whose opening wait adopts it", async () => {
    const c = new Coordinator(scope);
    c.deliver(ticket, answer(ticket));
    expect((await wait(c, ticket, intruder)).status).toBe(404); // not opened: unknown, as before
    expect((await wait(c, ticket, exec, true)).status).toBe(200);
  });

  it("an unknown ticket is 404 whoever asks (what a restarted coordinator answers)", async () => {
    const c = new Coordinator(scope);
    for (const from of [exec, intruder, undefined]) expect((await wait(c, ticket, from)).status).toBe(404);
  });
});

describe("a page's requests create nothing", () => {
  it("a window client's fetches (opening wait, answer, forget) open no ticket and leave no answer", async () => {
    const s = fakeServiceWorker({ tab: { type: "window" }, exec: { type: "worker" } });
    setupCoordinator(s.sw);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "tab"))!.status).toBe(403);
    expect(
      (await s.fetch(`tickets/${ticket}/answer`, "tab", { method: "POST", body: answer(ticket) as BodyInit }))!.status,
    ).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/forget`, "tab", { method: "POST" }))!.status).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0`, "tab"))!.status).toBe(404);
    expect(await s.held()).toEqual({ tickets: 0, bytes: 0 });
    // The executor's ticket holds no answer the page planted.
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "exec"))!.status).toBe(204);
  });
});
