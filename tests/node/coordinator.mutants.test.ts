// The coordinator as a service worker installs it (setupCoordinator: fetch and message
// events), its clocks (wait caps, ticket expiry) and its byte accounting — behaviour the
// mutation run (npm run mutants) found unpinned by coordinator.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CLIENT_LOOKUP_MS,
  Coordinator,
  type FetchEventLike,
  KNOWN_CLIENTS,
  type MessageEventLike,
  type Requester,
  type ServiceWorkerScope,
  setupCoordinator,
} from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { frameFromHeader } from "../../ts/protocol/inline-frame.js";
import { FRAME_HEADER, KEY_HEADER, type StatusMessage } from "../../ts/protocol/routes.js";

const scope = "https://app.test/base/";
const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:2";
const url = (path: string) => `${scope}__wasm_pmap__/${path}`;
const answer = (t: string, body = Uint8Array.of(0x80)) => encodeResponse({ call: t, chunk: 0, ok: true, body });
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

/** A service worker global scope that records what the coordinator does with its events. */
function fakeScope(clients: Record<string, { type: string } | null> = {}) {
  const listeners: { fetch?: (e: FetchEventLike) => void; message?: (e: MessageEventLike) => void } = {};
  const lookups: string[] = [];
  const sw = {
    registration: { scope },
    clients: {
      get: async (id: string) => {
        lookups.push(id);
        return clients[id];
      },
    },
    addEventListener(type: string, l: never) {
      (listeners as Record<string, unknown>)[type] = l;
    },
  } as ServiceWorkerScope;
  /** Dispatches a fetch; resolves with the response, or undefined when the coordinator let it through. */
  const fetch = async (path: string, clientId: string): Promise<Response | undefined> => {
    let responded: Promise<Response> | undefined;
    listeners.fetch!({ request: new Request(path), clientId, respondWith: (r) => (responded = r) });
    return responded && (await responded);
  };
  /** Posts a message; returns what came back on its port. */
  const message = (data: unknown, withPort = true): StatusMessage[] => {
    const replies: StatusMessage[] = [];
    listeners.message!({ data, ports: withPort ? [{ postMessage: (m) => replies.push(m) }] : [] });
    return replies;
  };
  return { sw, fetch, message, lookups };
}

/** Fake timers and Date only: fetch's Response reads its body on real microtasks and immediates. */
const fakeClock = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
afterEach(() => {
  vi.useRealTimers();
});

describe("setupCoordinator (the service worker's events)", () => {
  it("answers fetches under its prefix only, asking clients.get who sent them", async () => {
    const s = fakeScope({ exec: executor });
    const c = setupCoordinator(s.sw);
    expect(c.owns(url("ping"))).toBe(true);
    expect(await s.fetch(`${scope}index.html`, "exec")).toBeUndefined(); // not ours: no respondWith
    expect(s.lookups).toEqual([]);
    const opened = await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "exec");
    expect(opened!.status).toBe(204);
    expect(s.lookups).toEqual(["exec"]);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0`), "exec"))!.status).toBe(204); // it was opened
  });

  it("a fetch from a client that is not a worker, or that clients.get does not know, opens no ticket", async () => {
    const s = fakeScope({ page: { type: "window" }, gone: null });
    setupCoordinator(s.sw);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "page"))!.status).toBe(403);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "gone"))!.status).toBe(403);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), ""))!.status).toBe(403);
  });

  it("only an opening wait asks clients.get; a lookup that never settles (Firefox, a worker blocked in its sync XHR) counts as that worker", async () => {
    const s = fakeScope({ exec: executor });
    setupCoordinator(s.sw);
    expect((await s.fetch(url("ping"), "exec"))!.status).toBe(200);
    expect(s.lookups).toEqual([]);
    // Firefox 153: clients.get() for a client blocked in a synchronous request never settles.
    let asked = 0;
    s.sw.clients.get = () => {
      asked++;
      return new Promise(() => {});
    };
    const started = Date.now();
    const opened = await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "blocked");
    expect(opened!.status).toBe(204);
    expect(asked).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(CLIENT_LOOKUP_MS - 5);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0`), "blocked"))!.status).toBe(204); // no lookup
    expect(asked).toBe(1);
  });

  it("remembers what clients.get answered, for at most KNOWN_CLIENTS clients: one lookup per executor, not per wait", async () => {
    const clients: Record<string, { type: string } | null> = { page: { type: "window" }, gone: null };
    for (let i = 0; i <= KNOWN_CLIENTS; i++) clients[`exec${i}`] = executor;
    const s = fakeScope(clients);
    setupCoordinator(s.sw);
    const open = (n: number, from: string) => s.fetch(url(`tickets/${ticket.slice(0, -1)}${n}/wait?ms=0&open=1`), from);
    for (let n = 1; n <= 3; n++) expect((await open(n, "exec0"))!.status).toBe(204);
    expect(s.lookups).toEqual(["exec0"]);
    // A page stays refused, and an unknown client (null) is asked again: only answers are kept.
    for (let n = 4; n <= 5; n++) expect((await open(n, "page"))!.status).toBe(403);
    for (let n = 6; n <= 7; n++) expect((await open(n, "gone"))!.status).toBe(403);
    expect(s.lookups).toEqual(["exec0", "page", "gone", "gone"]);
    // KNOWN_CLIENTS more clients push the oldest out (exec0, then page): memory stays bounded.
    for (let i = 1; i <= KNOWN_CLIENTS; i++) await open(100 + i, `exec${i}`);
    s.lookups.length = 0;
    await open(8, "exec0");
    await open(9, `exec${KNOWN_CLIENTS}`);
    expect(s.lookups).toEqual(["exec0"]);
  });

  it("the fallback's guess is remembered until the lookup settles, which then overwrites it", async () => {
    const s = fakeScope();
    setupCoordinator(s.sw);
    let settle: (c: { type: string }) => void = () => {};
    let asked = 0;
    s.sw.clients.get = () => {
      asked++;
      return new Promise((r) => {
        settle = r;
      });
    };
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "blocked"))!.status).toBe(204); // the guess
    expect((await s.fetch(url(`tickets/${other}/wait?ms=0&open=1`), "blocked"))!.status).toBe(204);
    expect(asked).toBe(1); // the guess was kept: no second 50 ms wait
    settle({ type: "window" }); // what the browser says once the client can be asked: believed from then on
    await Promise.resolve();
    expect((await s.fetch(url(`tickets/${ticket.slice(0, -1)}9/wait?ms=0&open=1`), "blocked"))!.status).toBe(403);
    expect(asked).toBe(1);
  });

  it("takes its options: another prefix", async () => {
    const s = fakeScope({ exec: executor });
    const c = setupCoordinator(s.sw, { prefix: "sync/" });
    expect(c.owns(url("ping"))).toBe(false);
    expect(await s.fetch(url("ping"), "exec")).toBeUndefined();
    expect((await s.fetch(`${scope}sync/ping`, "exec"))!.status).toBe(200);
  });

  it("a deliver message stores the answer and replies its status on the port; the executor's wait gets it", async () => {
    const s = fakeScope({ exec: executor });
    setupCoordinator(s.sw);
    expect(s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) })).toEqual([{ status: 204 }]);
    expect(s.message({ wasmPmap: "deliver", ticket: other, frame: answer(ticket) })).toEqual([{ status: 400 }]);
    const res = (await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "exec"))!;
    expect(res.status).toBe(200);
    expect(Array.from(frameFromHeader(res.headers.get(FRAME_HEADER)!))).toEqual(Array.from(answer(ticket)));
  });

  it("a forget message drops the ticket and replies 204", async () => {
    const s = fakeScope({ exec: executor });
    const c = setupCoordinator(s.sw);
    s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) });
    expect(s.message({ wasmPmap: "forget", ticket })).toEqual([{ status: 204 }]);
    expect(await held(c)).toEqual({ tickets: 0, bytes: 0 });
  });

  it("ignores messages that are not the page's: no ticket, a frame that is not bytes, another kind, no data", async () => {
    const s = fakeScope();
    const c = setupCoordinator(s.sw);
    expect(s.message(null)).toEqual([]);
    expect(s.message({ wasmPmap: "deliver", frame: answer(ticket) })).toEqual([]);
    expect(s.message({ wasmPmap: "deliver", ticket, frame: Array.from(answer(ticket)) })).toEqual([]);
    expect(s.message({ wasmPmap: "other", ticket })).toEqual([]);
    expect(s.message({ wasmPmap: "forget" })).toEqual([]); // neither a ticket nor a namespace
    expect(s.message({ wasmPmap: "forget", ticket: 7 })).toEqual([]);
    expect(await held(c)).toEqual({ tickets: 0, bytes: 0 });
  });

  it("a forget message without a port is still carried out", async () => {
    const s = fakeScope();
    const c = setupCoordinator(s.sw);
    s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) });
    expect((await held(c)).tickets).toBe(1);
    s.message({ wasmPmap: "forget", ticket }, false);
    expect((await held(c)).tickets).toBe(0);
  });
});

describe("Coordinator routes and namespaces", () => {
  const ns = ticket.slice(0, ticket.indexOf(":"));

  it("a forget message with a namespace voids that executor's tickets: their waits get 410", async () => {
    const s = fakeScope({ exec: executor });
    setupCoordinator(s.sw);
    expect(s.message({ wasmPmap: "forget", namespace: ns })).toEqual([{ status: 204 }]);
    expect((await s.fetch(url(`tickets/${ticket}/wait?ms=0&open=1`), "exec"))!.status).toBe(410);
    expect((await s.fetch(url(`tickets/${other}/wait?ms=0&open=1`), "exec"))!.status).toBe(204); // another executor's
  });

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

  it("remembers at most 1000 voided namespaces: the oldest is forgotten first", async () => {
    const c = new Coordinator(scope);
    const nsOf = (i: number) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
    for (let i = 0; i < 1001; i++) c.forgetNamespace(nsOf(i));
    expect((await get(c, `tickets/${nsOf(0)}:1/wait?ms=0&open=1`)).status).toBe(204);
    expect((await get(c, `tickets/${nsOf(1)}:1/wait?ms=0&open=1`)).status).toBe(410);
    expect((await get(c, `tickets/${nsOf(1000)}:1/wait?ms=0&open=1`)).status).toBe(410);
  });

  it("a malformed namespace voids nothing; forgetting an unknown ticket is a no-op", async () => {
    const c = new Coordinator(scope);
    c.forgetNamespace(`${ns}:1`);
    c.forgetNamespace("");
    expect(() => c.forget(ticket)).not.toThrow();
    expect((await get(c, `tickets/${ticket}/wait?ms=0&open=1`)).status).toBe(204);
  });

  it("routes: only `ping` and `tickets/<id>/wait` exist; every refusal is plain text saying why", async () => {
    const c = new Coordinator(scope, { maxTickets: 1 });
    const says = async (path: string, status: number, why: RegExp, method = "GET", key?: string) => {
      const headers: Record<string, string> = key === undefined ? {} : { [KEY_HEADER]: key };
      const res = (await c.handle(new Request(url(path), { method, headers }), executor))!;
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text(), path).toMatch(why);
    };
    await says("ping/x", 404, /no such coordinator route/);
    await says("tickets", 404, /no such coordinator route/);
    await says(`tickets/${ticket}/wait/x`, 404, /no such coordinator route/);
    await says(`tickets/${ticket}/open`, 404, /no such coordinator route/);
    await says(
      `tickets/${ticket}/wait`,
      405,
      /^POST not allowed here$/,
      "POST",
      "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f",
    );
    await says(`tickets/${ticket}/wait`, 403, /answer key \(x-wasm-pmap-key\): none was sent/, "POST");
    await says("tickets/nope/wait", 400, /malformed ticket id/);
    await says(`tickets/${ticket}/wait?ms=0`, 404, /unknown ticket/);
    await get(c, `tickets/${ticket}/wait?ms=0&open=1`);
    await says(`tickets/${other}/wait?ms=0&open=1`, 503, /too many tickets \(1\)/);
    c.forgetNamespace(other.slice(0, other.indexOf(":")));
    await says(`tickets/${other}/wait?ms=0`, 410, /executor was replaced/);
    const img = { url: url(`tickets/${ticket}/wait?ms=0`), method: "GET", mode: "no-cors", destination: "image" };
    const res = (await c.handle(img as unknown as Request, executor))!;
    expect(await res.text()).toMatch(/\(a image\)/);
  });

  it("by default it holds answers of up to 64 MiB in all", () => {
    const c = new Coordinator(scope);
    const mib = (t: string) => answer(t, new Uint8Array(40 * 1024 * 1024));
    expect(c.deliver(ticket, mib(ticket)).status).toBe(204);
    expect(c.deliver(other, mib(other)).status).toBe(503);
  });
});

describe("Coordinator clocks and accounting", () => {
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
