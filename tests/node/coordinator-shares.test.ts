// Each client's share of the origin-wide caps: a client (an executor, a page, a relay) holds
// at most a quarter of maxTickets and of maxBytes, so one tab or worker cannot lock the
// others out.
import { describe, expect, it } from "vitest";
import { Coordinator, type PortLike, type Requester, setupCoordinator } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { KEY_HEADER, type StatusMessage } from "../../ts/protocol/routes.js";
import { fakeServiceWorker, swScope as scope, swUrl as url } from "./fake-service-worker.js";

const ns = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b";
const ns2 = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a";
const t = (n: number, namespace = ns) => `${namespace}:${n}`;
const answer = (id: string) => encodeResponse({ call: id, chunk: 0, ok: true, body: Uint8Array.of(0x80) });

const exec: Requester = { id: "exec", type: "worker" };
const exec2: Requester = { id: "exec2", type: "worker" };
const relay: Requester = { id: "relay", type: "worker" };
const relay2: Requester = { id: "relay2", type: "worker" };

/** Each relay shows its executor's answer key (routes.ts KEY_HEADER), as that executor's waits do. */
const keys: Record<string, string> = {
  relay: "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f",
  relay2: "c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e9f",
};
const keyed = (key?: string): Record<string, string> => (key === undefined ? {} : { [KEY_HEADER]: key });

const wait = (c: Coordinator, id: string, from: Requester, ms = 0, key?: string) =>
  c.handle(new Request(url(`tickets/${id}/wait?ms=${ms}&open=1`), { headers: keyed(key) }), from)!;
const postAnswer = (c: Coordinator, id: string, from: Requester) =>
  c.handle(
    new Request(url(`tickets/${id}/answer`), {
      method: "POST",
      body: answer(id) as BodyInit,
      headers: keyed(keys[from.id]),
    }),
    from,
  )!;

describe("each client's share: a quarter of maxTickets and of maxBytes", () => {
  it("a client past a quarter of maxTickets gets 503 naming its share; others still open theirs", async () => {
    const c = new Coordinator(scope, { maxTickets: 8 }); // a share: 2
    expect((await wait(c, t(1), exec)).status).toBe(204);
    expect((await wait(c, t(2), exec)).status).toBe(204);
    const full = await wait(c, t(3), exec);
    expect(full.status).toBe(503);
    expect(await full.text()).toBe(
      "this client's share is full: it holds 2 of its 2 tickets (a quarter of maxTickets 8)",
    );
    expect((await wait(c, t(1, ns2), exec2)).status).toBe(204);
    expect((await wait(c, t(2, ns2), exec2)).status).toBe(204);
    c.forget(t(1)); // a ticket let go frees its place in the share
    expect((await wait(c, t(3), exec)).status).toBe(204);
  });

  it("a client holds at most a quarter of maxBytes of answers (by message or POST); a held wait takes any at once", async () => {
    const size = answer(t(1)).byteLength;
    const c = new Coordinator(scope, { maxBytes: 4 * size + 3 }); // a share: one answer
    expect(c.deliver(t(1), answer(t(1)), "tab").status).toBe(204);
    const full = c.deliver(t(2), answer(t(2)), "tab");
    expect(full.status).toBe(503);
    expect(full.why).toBe(
      `this client's share is full: it holds ${size} of its ${size} bytes of answers (a quarter of maxBytes ${4 * size + 3}); this one is ${size}`,
    );
    expect(c.deliver(t(2), answer(t(2)), "tab2").status).toBe(204); // another tab
    expect((await postAnswer(c, t(3), relay)).status).toBe(204);
    const relayFull = await postAnswer(c, t(4), relay);
    expect(relayFull.status).toBe(503);
    expect(await relayFull.text()).toMatch(/share is full/);
    expect((await postAnswer(c, t(4), relay2)).status).toBe(204);
    // An answer handed to a held wait is not held: a full share does not stop it.
    const waiting = wait(c, t(5), exec, 5_000);
    expect(c.deliver(t(5), answer(t(5)), "tab").status).toBe(204);
    expect((await waiting).status).toBe(200);
    // An answer read frees its bytes from its sender's share: a page's, and a relay's once its
    // executor's opening wait (with the relay's key) adopts it.
    expect((await wait(c, t(1), exec)).status).toBe(200);
    expect(c.deliver(t(6), answer(t(6)), "tab").status).toBe(204);
    expect((await wait(c, t(3), exec, 0, keys.relay)).status).toBe(200);
    expect((await postAnswer(c, t(7), relay)).status).toBe(204);
  });

  it("an early answer's ticket counts against its sender until it is read", async () => {
    const c = new Coordinator(scope, { maxTickets: 4 }); // a share: 1
    expect(c.deliver(t(1), answer(t(1)), "tab").status).toBe(204);
    const full = c.deliver(t(2), answer(t(2)), "tab");
    expect(full.status).toBe(503);
    expect(full.why).toMatch(/it holds 1 of its 1 tickets/);
    expect((await wait(c, t(1), exec)).status).toBe(200); // adopted and read: let go
    expect(c.deliver(t(2), answer(t(2)), "tab").status).toBe(204);
  });

  it("a page's delivery counts against its own share (the message's source), over a kept port too", () => {
    const size = answer(t(1)).byteLength;
    const s = fakeServiceWorker();
    setupCoordinator(s.sw, { maxBytes: 4 * size + 3 });
    const onPort: StatusMessage[] = [];
    const kept: PortLike = { postMessage: (m) => onPort.push(m as StatusMessage), onmessage: null };
    const deliver = (id: string) => ({ wasmPmap: "deliver", ticket: id, frame: answer(id) });
    expect(s.message(deliver(t(1)), "tab", kept)).toEqual([{ status: 204, linked: true }]);
    kept.onmessage!({ data: { ...deliver(t(2)), seq: 1 } });
    expect(onPort).toEqual([{ seq: 1, status: 503 }]);
    expect(s.message(deliver(t(2)), "tab")).toEqual([{ status: 503 }]);
    expect(s.message(deliver(t(2)), "tab2")).toEqual([{ status: 204 }]);
  });
});
