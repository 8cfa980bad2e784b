// The coordinator's routing and ticket table, driven with real fetch Request/Response objects
// (no service worker here: the browser test registers a real one).
import { describe, expect, it } from "vitest";
import { Coordinator } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";

const scope = "https://app.test/base/";
const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:1";
const url = (path: string) => `${scope}__wasm_pmap__/${path}`;
const answer = (t: string, chunk = 0) => encodeResponse({ call: t, chunk, ok: true, body: Uint8Array.of(0x80) });
const bytes = async (r: Response) => Array.from(new Uint8Array(await r.arrayBuffer()));

async function request(c: Coordinator, path: string, method = "GET") {
  return (await c.handle(new Request(url(path), { method })))!;
}
const wait = (c: Coordinator, t: string, ms: number, open = false) =>
  request(c, `tickets/${t}/wait?ms=${ms}${open ? "&open=1" : ""}`);

describe("Coordinator", () => {
  it("answers only under its prefix; everything else passes through (undefined)", () => {
    const c = new Coordinator(scope);
    expect(c.handle(new Request("https://app.test/base/index.html"))).toBeUndefined();
    expect(c.handle(new Request("https://app.test/__wasm_pmap__/tickets/x"))).toBeUndefined(); // outside the scope's prefix
    expect(c.handle(new Request("https://cdn.test/base/__wasm_pmap__/tickets/x"))).toBeUndefined();
  });

  it("the first wait opens the ticket; the delivered answer releases it byte for byte, then the ticket is forgotten", async () => {
    const c = new Coordinator(scope);
    expect((await wait(c, ticket, 0, true)).status).toBe(204);
    const waiting = wait(c, ticket, 5000);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(204);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/cbor");
    expect(await bytes(res)).toEqual(Array.from(answer(ticket)));
    expect((await wait(c, ticket, 10)).status).toBe(404); // handed to its one reader, and no `open`: not re-opened
  });

  it("a failure frame is an answer too: it ends the wait at once", async () => {
    const c = new Coordinator(scope);
    const waiting = wait(c, ticket, 5000, true);
    const failed = encodeResponse({
      call: ticket,
      chunk: 0,
      ok: false,
      failure: { kind: "kernel", kernel: "k", message: "bad" },
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(c.deliver(ticket, failed).status).toBe(204);
    expect(await bytes(await waiting)).toEqual(Array.from(failed));
  });

  it("a wait is bounded: it returns 204 after its time (capped), never hangs", async () => {
    const c = new Coordinator(scope, { maxWaitMs: 100 });
    expect((await wait(c, ticket, 50, true)).status).toBe(204);
    const t0 = Date.now();
    expect((await wait(c, ticket, 999_999_999)).status).toBe(204);
    expect(Date.now() - t0).toBeLessThan(2000); // held ≈ 100 ms, not the asked-for 11 days
  });

  it("keeps tickets apart: another ticket's frame, a malformed id, a non-frame, another chunk are refused", async () => {
    const c = new Coordinator(scope);
    await wait(c, ticket, 0, true);
    await wait(c, other, 0, true);
    expect(c.deliver(ticket, answer(other)).status).toBe(400);
    expect(c.deliver(ticket, answer(ticket, 3)).status).toBe(400);
    expect(c.deliver(ticket, Uint8Array.of(1, 2, 3)).status).toBe(400);
    expect(c.deliver("1", answer("1")).status).toBe(400);
    expect((await request(c, "tickets/1/wait?ms=0&open=1")).status).toBe(400);
    expect((await wait(c, ticket, 0)).status).toBe(204); // none of that reached it
    expect((await request(c, `tickets/${ticket}/wait`, "POST")).status).toBe(405);
    expect((await request(c, `jobs/${ticket}/wait`)).status).toBe(404);
  });

  it("unknown tickets are 404 (a restarted coordinator); forget ends a held wait and drops a held answer", async () => {
    const c = new Coordinator(scope);
    expect((await wait(c, ticket, 10)).status).toBe(404);
    const waiting = wait(c, ticket, 5000, true);
    await new Promise((r) => setTimeout(r, 5));
    c.forget(ticket);
    expect((await waiting).status).toBe(404);
    // An answer delivered ahead of its first wait, then forgotten, is not adopted.
    c.deliver(other, answer(other));
    c.forget(other);
    expect((await wait(c, other, 10, true)).status).toBe(204);
  });

  it("an answer delivered before the ticket's first wait is kept and adopted by that wait", async () => {
    const c = new Coordinator(scope);
    expect(c.deliver(ticket, answer(ticket)).status).toBe(204);
    expect((await wait(c, ticket, 10)).status).toBe(404); // not opened yet
    const res = await wait(c, ticket, 5000, true);
    expect(res.status).toBe(200);
    expect(await bytes(res)).toEqual(Array.from(answer(ticket)));
  });

  it("bounds the number of tickets", async () => {
    const c = new Coordinator(scope, { maxTickets: 1 });
    expect((await wait(c, ticket, 0, true)).status).toBe(204);
    expect((await wait(c, other, 0, true)).status).toBe(503);
    expect(c.deliver(other, answer(other)).status).toBe(503);
  });
});
