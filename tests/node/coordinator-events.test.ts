// The coordinator as a service worker installs it (setupCoordinator): its fetch events (only
// under its prefix; who sent one, asked of clients.get() once per client, with Firefox's
// blocked-client fallback) and its message events (deliver, forget, a namespace voided), on a
// fake service worker global (fake-service-worker.ts).
import { describe, expect, it } from "vitest";
import { CLIENT_LOOKUP_MS, KNOWN_CLIENTS, setupCoordinator } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { frameFromHeader } from "../../ts/protocol/inline-frame.js";
import { FRAME_HEADER } from "../../ts/protocol/routes.js";
import { fakeServiceWorker, swScope, swUrl as url } from "./fake-service-worker.js";

const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:2";
const ns = ticket.slice(0, ticket.indexOf(":"));
const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x80) });
const executor = { id: "exec", type: "worker" };

describe("setupCoordinator (the service worker's events)", () => {
  it("answers fetches under its prefix only, asking clients.get who sent them", async () => {
    const s = fakeServiceWorker({ exec: executor });
    const c = setupCoordinator(s.sw);
    expect(c.owns(url("ping"))).toBe(true);
    expect(await s.fetch(`${swScope}index.html`, "exec")).toBeUndefined(); // not ours: no respondWith
    expect(s.lookups).toEqual([]);
    const opened = await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "exec");
    expect(opened!.status).toBe(204);
    expect(s.lookups).toEqual(["exec"]);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0`, "exec"))!.status).toBe(204); // it was opened
  });

  it("a fetch from a client that is not a worker, or that clients.get does not know, opens no ticket", async () => {
    const s = fakeServiceWorker({ page: { type: "window" }, gone: null });
    setupCoordinator(s.sw);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "page"))!.status).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "gone"))!.status).toBe(403);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, ""))!.status).toBe(403);
  });

  it("only an opening wait asks clients.get; a lookup that never settles (Firefox, a worker blocked in its sync XHR) counts as that worker", async () => {
    const s = fakeServiceWorker({ exec: executor });
    setupCoordinator(s.sw);
    expect((await s.fetch("ping", "exec"))!.status).toBe(200);
    expect(s.lookups).toEqual([]);
    // Firefox 153: clients.get() for a client blocked in a synchronous request never settles.
    let asked = 0;
    s.sw.clients.get = () => {
      asked++;
      return new Promise(() => {});
    };
    const started = Date.now();
    const opened = await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "blocked");
    expect(opened!.status).toBe(204);
    expect(asked).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(CLIENT_LOOKUP_MS - 5);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0`, "blocked"))!.status).toBe(204); // no lookup
    expect(asked).toBe(1);
  });

  it("remembers what clients.get answered, for at most KNOWN_CLIENTS clients: one lookup per executor, not per wait", async () => {
    const clients: Record<string, { type: string } | null> = { page: { type: "window" }, gone: null };
    for (let i = 0; i <= KNOWN_CLIENTS; i++) clients[`exec${i}`] = executor;
    const s = fakeServiceWorker(clients);
    setupCoordinator(s.sw);
    const open = (n: number, from: string) => s.fetch(`tickets/${ticket.slice(0, -1)}${n}/wait?ms=0&open=1`, from);
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
    const s = fakeServiceWorker();
    setupCoordinator(s.sw);
    let settle: (c: { type: string }) => void = () => {};
    let asked = 0;
    s.sw.clients.get = () => {
      asked++;
      return new Promise((r) => {
        settle = r;
      });
    };
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "blocked"))!.status).toBe(204); // the guess
    expect((await s.fetch(`tickets/${other}/wait?ms=0&open=1`, "blocked"))!.status).toBe(204);
    expect(asked).toBe(1); // the guess was kept: no second 50 ms wait
    settle({ type: "window" }); // what the browser says once the client can be asked: believed from then on
    await Promise.resolve();
    expect((await s.fetch(`tickets/${ticket.slice(0, -1)}9/wait?ms=0&open=1`, "blocked"))!.status).toBe(403);
    expect(asked).toBe(1);
  });

  it("takes its options: another prefix", async () => {
    const s = fakeServiceWorker({ exec: executor });
    const c = setupCoordinator(s.sw, { prefix: "sync/" });
    expect(c.owns(url("ping"))).toBe(false);
    expect(await s.fetch("ping", "exec")).toBeUndefined();
    expect((await s.fetch(`${swScope}sync/ping`, "exec"))!.status).toBe(200);
  });

  it("a deliver message stores the answer and replies its status on the port; the executor's wait gets it", async () => {
    const s = fakeServiceWorker({ exec: executor });
    setupCoordinator(s.sw);
    expect(s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) })).toEqual([{ status: 204 }]);
    expect(s.message({ wasmPmap: "deliver", ticket: other, frame: answer(ticket) })).toEqual([{ status: 400 }]);
    const res = (await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "exec"))!;
    expect(res.status).toBe(200);
    expect(Array.from(frameFromHeader(res.headers.get(FRAME_HEADER)!))).toEqual(Array.from(answer(ticket)));
  });

  it("a forget message drops the ticket and replies 204", async () => {
    const s = fakeServiceWorker({ exec: executor });
    setupCoordinator(s.sw);
    s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) });
    expect(s.message({ wasmPmap: "forget", ticket })).toEqual([{ status: 204 }]);
    expect(await s.held()).toEqual({ tickets: 0, bytes: 0 });
  });

  it("ignores messages that are not the page's: no ticket, a frame that is not bytes, another kind, no data", async () => {
    const s = fakeServiceWorker();
    setupCoordinator(s.sw);
    expect(s.message(null)).toEqual([]);
    expect(s.message({ wasmPmap: "deliver", frame: answer(ticket) })).toEqual([]);
    expect(s.message({ wasmPmap: "deliver", ticket, frame: Array.from(answer(ticket)) })).toEqual([]);
    expect(s.message({ wasmPmap: "other", ticket })).toEqual([]);
    expect(s.message({ wasmPmap: "forget" })).toEqual([]); // neither a ticket nor a namespace
    expect(s.message({ wasmPmap: "forget", ticket: 7 })).toEqual([]);
    expect(await s.held()).toEqual({ tickets: 0, bytes: 0 });
  });

  it("a forget message without a port is still carried out", async () => {
    const s = fakeServiceWorker();
    setupCoordinator(s.sw);
    s.message({ wasmPmap: "deliver", ticket, frame: answer(ticket) });
    expect((await s.held()).tickets).toBe(1);
    s.messageWithoutPort({ wasmPmap: "forget", ticket });
    expect((await s.held()).tickets).toBe(0);
  });

  it("a forget message with a namespace voids that executor's tickets: their waits get 410", async () => {
    const s = fakeServiceWorker({ exec: executor });
    setupCoordinator(s.sw);
    expect(s.message({ wasmPmap: "forget", namespace: ns })).toEqual([{ status: 204 }]);
    expect((await s.fetch(`tickets/${ticket}/wait?ms=0&open=1`, "exec"))!.status).toBe(410);
    expect((await s.fetch(`tickets/${other}/wait?ms=0&open=1`, "exec"))!.status).toBe(204); // another executor's
  });

  it("setupCoordinator stores a delivered answer even when the message carries no port for the status", async () => {
    const s = fakeServiceWorker({ exec: executor });
    setupCoordinator(s.sw);
    s.messageWithoutPort({ wasmPmap: "deliver", ticket, frame: answer(ticket) });
    const res = await s.fetch(`tickets/${ticket}/wait?ms=10&open=1`, "exec");
    expect(res!.status).toBe(200);
  });
});
