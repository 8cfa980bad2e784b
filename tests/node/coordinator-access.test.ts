// Who may do what at the coordinator: the POST routes are the relay's, which proves it by its
// executor's answer key (routes.ts KEY_HEADER) — the Clients API cannot tell a relay apart —
// a ticket has one reader (the client whose wait opened it) and takes answers only with the
// key it was opened with, and a page's requests create nothing. Driven with real Request
// objects, as coordinator.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Coordinator, type Requester, setupCoordinator } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { frameFromHeader } from "../../ts/protocol/inline-frame.js";
import { FRAME_HEADER, KEY_HEADER } from "../../ts/protocol/routes.js";
import { fakeServiceWorker, swScope as scope, swUrl as url } from "./fake-service-worker.js";

const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:1";
const ns = ticket.slice(0, ticket.indexOf(":"));
const nth = (n: number) => `${ns}:${n}`;
const answer = (t: string, b = 0x80) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(b) });
/** The executor's answer key (its relay's too), and one that is not it. */
const KEY = "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f";
const WRONG = "c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e9f";
const keyed = (key?: string): Record<string, string> => (key === undefined ? {} : { [KEY_HEADER]: key });

/** Requesters as setupCoordinator knows them: the client id, and its type once looked up. */
type From = Requester | undefined;
const exec = { id: "exec", type: "worker" };
const relay = { id: "relay", type: "worker" };
const intruder = { id: "intruder", type: "worker" };
const page = { id: "page", type: "window" };

const wait = (c: Coordinator, t: string, from: From, open = false, key?: string, ms = 0) =>
  c.handle(new Request(url(`tickets/${t}/wait?ms=${ms}${open ? "&open=1" : ""}`), { headers: keyed(key) }), from)!;
function post(c: Coordinator, path: string, from: From, body?: Uint8Array, key?: string) {
  const req = new Request(url(path), { method: "POST", body: body as BodyInit | undefined, headers: keyed(key) });
  return { req, res: c.handle(req, from)! };
}
async function held(c: Coordinator): Promise<{ tickets: number; bytes: number }> {
  const res = await c.handle(new Request(url("ping")), undefined)!;
  return JSON.parse((await res.text()).replace("wasm-pmap coordinator ", ""));
}
/** The answer frame a 200 wait carries (inline in its header, or its body). */
async function frameOf(r: Response): Promise<number[]> {
  const inline = r.headers.get(FRAME_HEADER);
  return Array.from(inline !== null ? frameFromHeader(inline) : new Uint8Array(await r.arrayBuffer()));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the POST routes are the relay's", () => {
  it("a page's POST (even with the key) and a POST without the key are 403 before the body is read, and change nothing", async () => {
    const c = new Coordinator(scope);
    expect((await wait(c, ticket, exec, true, KEY)).status).toBe(204); // the executor's ticket: open, keyed, unanswered
    const routes: Array<[string, Uint8Array | undefined]> = [
      [`tickets/${ticket}/answer`, answer(ticket)],
      [`tickets/${other}/answer`, answer(other)], // not opened: it would be held ahead
      [`tickets/${ticket}/forget`, undefined],
      [`namespaces/${ns}/forget`, undefined],
    ];
    const senders: Array<[string, From, string | undefined, RegExp]> = [
      ["a page with the key", page, KEY, /only the relay/],
      ["a page", page, undefined, /only the relay/],
      ["a worker without the key", relay, undefined, /answer key \(x-wasm-pmap-key\): none was sent/],
      ["an unknown client without the key", undefined, undefined, /answer key \(x-wasm-pmap-key\): none was sent/],
    ];
    for (const [path, body] of routes) {
      for (const [who, from, key, why] of senders) {
        const { req, res } = post(c, path, from, body, key);
        const r = await res;
        expect(r.status, `${path} from ${who}`).toBe(403);
        expect(await r.text(), `${path} from ${who}`).toMatch(why);
        expect(req.bodyUsed, `${path} from ${who}`).toBe(false);
      }
    }
    expect(await held(c)).toEqual({ tickets: 1, bytes: 0 }); // nothing held ahead for `other`
    expect((await wait(c, ticket, exec)).status).toBe(204); // not answered, not forgotten (404), not voided (410)
    expect((await wait(c, other, exec, true)).status).toBe(204); // opened now: nothing was planted for it
    // The relay, with the key, is heard.
    expect((await post(c, `tickets/${ticket}/answer`, relay, answer(ticket), KEY).res).status).toBe(204);
    expect((await wait(c, ticket, exec)).status).toBe(200);
  });

  it("a POST is taken on its key whatever clients.get() says; a wrong key is 403 before the body is read", async () => {
    // The relay is a worker started by a worker: Chromium's clients.get() does not know it
    // (null), Firefox's may never settle; a fetch may come with no client id at all.
    const s = fakeServiceWorker({
      exec: { type: "worker" },
      relay: null,
      intruder: { type: "worker" },
      blocked: new Promise<never>(() => {}),
    });
    setupCoordinator(s.sw);
    const open = (t: string) => s.fetch(`tickets/${t}/wait?ms=0&open=1`, "exec", { headers: keyed(KEY) });
    const postFrom = (t: string, client: string, key: string) =>
      s.fetch(`tickets/${t}/answer`, client, { method: "POST", body: answer(t) as BodyInit, headers: keyed(key) });
    const read = async (t: string) => {
      const r = (await s.fetch(`tickets/${t}/wait?ms=0`, "exec"))!;
      expect(r.status, t).toBe(200);
      expect(await frameOf(r), t).toEqual(Array.from(answer(t)));
    };
    expect((await open(ticket))!.status).toBe(204);
    // A wrong key is refused whoever shows it, a known worker included, before a byte is read.
    for (const client of ["relay", "intruder", ""]) {
      const r = (await postFrom(ticket, client, WRONG))!;
      expect(r.status, client).toBe(403);
      expect(await r.text()).toMatch(/wrong answer key/);
      expect(s.requests.at(-1)!.bodyUsed, client).toBe(false);
    }
    expect(await s.held()).toEqual({ tickets: 1, bytes: 0 });
    // The right key is heard from a client clients.get() does not know…
    expect((await postFrom(ticket, "relay", KEY))!.status).toBe(204);
    await read(ticket);
    // …from one whose lookup never settles (taken for a worker after CLIENT_LOOKUP_MS)…
    expect((await open(nth(2)))!.status).toBe(204);
    expect((await postFrom(nth(2), "blocked", KEY))!.status).toBe(204);
    await read(nth(2));
    // …and from a fetch without a client id.
    expect((await open(nth(3)))!.status).toBe(204);
    expect((await postFrom(nth(3), "", KEY))!.status).toBe(204);
    await read(nth(3));
    expect(await s.held()).toEqual({ tickets: 0, bytes: 0 });
  });
});

describe("the answer key", () => {
  it("an answer held ahead with another key (or none) is not adopted by the opening wait; the right one reaches it later", async () => {
    const c = new Coordinator(scope);
    const planted = answer(ticket, 0x01);
    expect((await post(c, `tickets/${ticket}/answer`, intruder, planted, WRONG).res).status).toBe(204); // held: no one can tell yet
    expect(await held(c)).toEqual({ tickets: 1, bytes: planted.byteLength });
    expect((await wait(c, ticket, exec, true, KEY)).status).toBe(204); // not adopted: dropped
    expect(await held(c)).toEqual({ tickets: 1, bytes: 0 });
    const waiting = wait(c, ticket, exec, false, undefined, 5_000);
    expect((await post(c, `tickets/${ticket}/answer`, relay, answer(ticket), KEY).res).status).toBe(204);
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(await frameOf(got)).toEqual(Array.from(answer(ticket)));
    // A page's message held ahead (no key) is not a keyed executor's answer either…
    expect(c.deliver(nth(2), answer(nth(2)), "tab").status).toBe(204);
    expect((await wait(c, nth(2), exec, true, KEY)).status).toBe(204);
    // …nor a keyed answer a page's executor's (opened without a key)…
    expect((await post(c, `tickets/${other}/answer`, relay, answer(other), KEY).res).status).toBe(204);
    expect((await wait(c, other, exec, true)).status).toBe(204);
    expect(await held(c)).toEqual({ tickets: 2, bytes: 0 });
    // …while one held with the wait's own key is adopted.
    expect((await post(c, `tickets/${nth(3)}/answer`, relay, answer(nth(3)), KEY).res).status).toBe(204);
    const adopted = await wait(c, nth(3), exec, true, KEY);
    expect(adopted.status).toBe(200);
    expect(await frameOf(adopted)).toEqual(Array.from(answer(nth(3))));
  });

  it("held ahead: a re-delivery with the same key is held already; one with another key replaces the held answer", async () => {
    const c = new Coordinator(scope);
    const real = answer(ticket, 0x80);
    expect((await post(c, `tickets/${ticket}/answer`, intruder, answer(ticket, 0x01), WRONG).res).status).toBe(204);
    expect((await post(c, `tickets/${ticket}/answer`, relay, real, KEY).res).status).toBe(204); // replaces it
    expect((await post(c, `tickets/${ticket}/answer`, relay, answer(ticket, 0x02), KEY).res).status).toBe(204); // held already
    expect(await held(c)).toEqual({ tickets: 1, bytes: real.byteLength });
    const got = await wait(c, ticket, exec, true, KEY);
    expect(got.status).toBe(200);
    expect(await frameOf(got)).toEqual(Array.from(real));
  });

  it("a page's message to a keyed ticket is 403; a ticket opened without a key refuses keyed POSTs", async () => {
    const s = fakeServiceWorker({ exec: { type: "worker" }, relay: { type: "worker" } });
    const c = setupCoordinator(s.sw);
    const open = (t: string, key?: string) => s.fetch(`tickets/${t}/wait?ms=0&open=1`, "exec", { headers: keyed(key) });
    const deliver = (t: string) => ({ wasmPmap: "deliver", ticket: t, frame: answer(t) });
    const postKeyed = (t: string) =>
      s.fetch(`tickets/${t}/answer`, "relay", { method: "POST", body: answer(t) as BodyInit, headers: keyed(KEY) });
    // An app-owned executor's ticket (keyed) takes no page message…
    expect((await open(ticket, KEY))!.status).toBe(204);
    expect(s.message(deliver(ticket), "tab")).toEqual([{ status: 403 }]);
    const direct = c.deliver(ticket, answer(ticket), "tab");
    expect(direct.status).toBe(403);
    expect(direct.why).toMatch(/answer key/);
    // …and a page's executor's ticket (opened without a key) takes no POST, before its body is read.
    expect((await open(other))!.status).toBe(204);
    const r = (await postKeyed(other))!;
    expect(r.status).toBe(403);
    expect(await r.text()).toMatch(/wrong answer key/);
    expect(s.requests.at(-1)!.bodyUsed).toBe(false);
    expect(await s.held()).toEqual({ tickets: 2, bytes: 0 });
    // Each takes its own kind.
    expect((await postKeyed(ticket))!.status).toBe(204);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0`, "exec"))!.status).toBe(200);
    expect(s.message(deliver(other), "tab")).toEqual([{ status: 204 }]);
    expect((await s.fetch(`tickets/${other}/wait?ms=0`, "exec"))!.status).toBe(200);
  });

  it("a forget POST needs the key: the ticket's (or its held answer's), and the namespace's its tickets were opened with", async () => {
    const c = new Coordinator(scope);
    const forget = (path: string, key: string) => post(c, path, relay, undefined, key).res;
    expect((await wait(c, ticket, exec, true, KEY)).status).toBe(204);
    // Another key forgets neither the ticket nor its namespace.
    for (const path of [`tickets/${ticket}/forget`, `namespaces/${ns}/forget`]) {
      const r = await forget(path, WRONG);
      expect(r.status, path).toBe(403);
      expect(await r.text()).toMatch(/wrong answer key/);
    }
    expect((await wait(c, ticket, exec)).status).toBe(204); // still open
    expect((await wait(c, nth(2), exec, true, KEY)).status).toBe(204); // the namespace is not voided
    // A held answer's ticket is forgotten only with the key it came with.
    expect((await post(c, `tickets/${nth(3)}/answer`, intruder, answer(nth(3)), WRONG).res).status).toBe(204);
    expect((await forget(`tickets/${nth(3)}/forget`, KEY)).status).toBe(403);
    expect(await held(c)).toEqual({ tickets: 3, bytes: answer(nth(3)).byteLength });
    expect((await forget(`tickets/${nth(3)}/forget`, WRONG)).status).toBe(204);
    expect(await held(c)).toEqual({ tickets: 2, bytes: 0 });
    // A namespace whose tickets were opened without a key is voided by no POST.
    const otherNs = other.slice(0, other.indexOf(":"));
    expect((await wait(c, other, exec, true)).status).toBe(204);
    for (const key of [KEY, WRONG]) expect((await forget(`namespaces/${otherNs}/forget`, key)).status).toBe(403);
    expect((await wait(c, other, exec)).status).toBe(204);
    // With the key: forgotten, then voided.
    expect((await forget(`tickets/${ticket}/forget`, KEY)).status).toBe(204);
    expect((await wait(c, ticket, exec)).status).toBe(404);
    expect((await forget(`namespaces/${ns}/forget`, KEY)).status).toBe(204);
    expect((await wait(c, nth(2), exec)).status).toBe(410);
    expect((await wait(c, nth(4), exec, true, KEY)).status).toBe(410);
    expect((await wait(c, other, exec)).status).toBe(204); // another executor's: untouched
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
    // Even with the answer key (a page has none, but say it learned one): a page does not POST.
    const key = { headers: keyed(KEY) };
    expect(
      (await s.fetch(`tickets/${ticket}/answer`, "tab", { method: "POST", body: answer(ticket) as BodyInit, ...key }))!
        .status,
    ).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/forget`, "tab", { method: "POST", ...key }))!.status).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0`, "tab"))!.status).toBe(404);
    expect(await s.held()).toEqual({ tickets: 0, bytes: 0 });
    // The executor's ticket holds no answer the page planted.
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "exec"))!.status).toBe(204);
  });
});
