// The coordinator's routing and ticket table, driven with real fetch Request/Response objects
// (no service worker here: the browser test registers a real one).
import { describe, expect, it } from "vitest";
import { Coordinator, type Requester } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { frameFromHeader, inlineFrame } from "../../ts/protocol/inline-frame.js";
import { FRAME_HEADER, INLINE_FRAME_MAX, KEY_HEADER } from "../../ts/protocol/routes.js";

const scope = "https://app.test/base/";
const ticket = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:1";
const url = (path: string) => `${scope}__wasm_pmap__/${path}`;
const answer = (t: string, chunk = 0) => encodeResponse({ call: t, chunk, ok: true, body: Uint8Array.of(0x80) });
/** The answer frame as the executor reads it: from the header when it came inline, else the body. */
const bytes = async (r: Response) => {
  const inline = r.headers.get(FRAME_HEADER);
  return Array.from(inline !== null ? frameFromHeader(inline) : new Uint8Array(await r.arrayBuffer()));
};

/** The requester, as the service worker's `clients.get(clientId)` would tell it. */
const executor = { id: "exec", type: "worker" };
/** The relay of an executor the app owns; both show its answer key (routes.ts KEY_HEADER). */
const relay = { id: "relay", type: "worker" };
const keyed = { [KEY_HEADER]: "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f" };
async function request(
  c: Coordinator,
  path: string,
  method = "GET",
  from: Requester | undefined = executor,
  headers: Record<string, string> = {},
) {
  return (await c.handle(new Request(url(path), { method, headers }), from))!;
}
const wait = (c: Coordinator, t: string, ms: number, open = false) =>
  request(c, `tickets/${t}/wait?ms=${ms}${open ? "&open=1" : ""}`);

describe("Coordinator", () => {
  it("the relay's POST routes: an answer body reaches the wait; forget by ticket and by namespace; bad ids refused", async () => {
    const c = new Coordinator(scope);
    const post = (path: string, body?: Uint8Array) =>
      c.handle(new Request(url(path), { method: "POST", body: body as BodyInit | undefined, headers: keyed }), relay)!;
    // The executor's opening waits show the key its relay POSTs with.
    const opened = (t: string, ms: number) => request(c, `tickets/${t}/wait?ms=${ms}&open=1`, "GET", executor, keyed);
    const held = opened(ticket, 5_000);
    expect((await post(`tickets/${ticket}/answer`, answer(ticket))).status).toBe(204);
    const got = await held;
    expect(got.status).toBe(200);
    expect(await bytes(got)).toEqual(Array.from(answer(ticket)));
    expect((await post(`tickets/${ticket}/answer`, answer("other:1"))).status).toBe(400); // not its frame
    expect((await post("tickets/nope/answer", answer(ticket))).status).toBe(400);
    const t2 = ticket.replace(/:\d+$/, ":2");
    const pending = opened(t2, 5_000);
    expect((await post(`tickets/${t2}/forget`)).status).toBe(204);
    expect((await pending).status).toBe(404);
    const t3 = ticket.replace(/:\d+$/, ":3"); // its namespace opened tickets with the key
    expect((await post(`namespaces/${t3.split(":")[0]}/forget`)).status).toBe(204);
    expect((await wait(c, t3, 0, true)).status).toBe(410);
    expect((await post("namespaces/nope/forget")).status).toBe(400);
    expect((await post("tickets/x/y/z")).status).toBe(405);
  });

  it("answers only under its prefix; everything else passes through (undefined)", () => {
    const c = new Coordinator(scope);
    expect(c.handle(new Request("https://app.test/base/index.html"), executor)).toBeUndefined();
    expect(c.handle(new Request("https://app.test/__wasm_pmap__/tickets/x"), executor)).toBeUndefined(); // outside the scope's prefix
    expect(c.handle(new Request("https://cdn.test/base/__wasm_pmap__/tickets/x"), executor)).toBeUndefined();
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

  it("an answer of up to INLINE_FRAME_MAX bytes comes in the frame header with no body; a bigger one in the body", async () => {
    const c = new Coordinator(scope);
    const sized = (t: string, n: number) => {
      // A response frame of exactly n bytes: grow the body until the encoding reaches n.
      for (let b = Math.max(0, n - 80); ; b++) {
        const f = encodeResponse({ call: t, chunk: 0, ok: true, body: new Uint8Array(b).fill(7) });
        if (f.byteLength === n) return f;
        if (f.byteLength > n) throw new Error(`no frame of ${n} bytes`);
      }
    };
    const t2 = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:2";
    for (const [t, n, inline] of [
      [ticket, INLINE_FRAME_MAX, true],
      [t2, INLINE_FRAME_MAX + 1, false],
    ] as const) {
      const frame = sized(t, n);
      expect(c.deliver(t, frame).status).toBe(204);
      const res = await wait(c, t, 0, true);
      expect(res.status).toBe(200);
      expect(res.headers.get(FRAME_HEADER) !== null).toBe(inline);
      const body = new Uint8Array(await res.clone().arrayBuffer());
      expect(body.byteLength).toBe(inline ? 0 : n);
      expect(await bytes(res)).toEqual(Array.from(frame));
    }
  });

  it("the frame header is base64 of the frame, read back byte for byte; anything else is a CoordinatorError", () => {
    const frame = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256); // more than one 4096-byte chunk
    const header = inlineFrame(frame)!;
    expect(header).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Array.from(frameFromHeader(header))).toEqual(Array.from(frame));
    expect(inlineFrame(new Uint8Array(INLINE_FRAME_MAX + 1))).toBeUndefined();
    expect(() => frameFromHeader("not base64!")).toThrow(/CoordinatorError|x-wasm-pmap-frame header is not base64/);
    expect(() => frameFromHeader("not base64!")).toThrow(expect.objectContaining({ name: "CoordinatorError" }));
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
    expect((await request(c, `tickets/${ticket}/wait`, "POST", relay, keyed)).status).toBe(405);
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

  // Issue 9 #4: any GET under the prefix (a top-level navigation included) used to create state.
  it("only the pool's own workers open tickets: a navigation, a subresource or a page's fetch gets a 4xx and creates nothing", async () => {
    const c = new Coordinator(scope);
    const navigation = {
      url: url(`tickets/${ticket}/wait?ms=0&open=1`),
      method: "GET",
      mode: "navigate",
      destination: "document",
    };
    const nav = await c.handle(navigation as unknown as Request, { id: "page", type: "window" });
    expect(nav!.status).toBe(400);
    expect(await nav!.text()).toMatch(/navigation/);
    const img = {
      url: url(`tickets/${ticket}/wait?ms=0&open=1`),
      method: "GET",
      mode: "no-cors",
      destination: "image",
    };
    expect((await c.handle(img as unknown as Request, { id: "page", type: "window" }))!.status).toBe(400);
    const page = await request(c, `tickets/${ticket}/wait?ms=0&open=1`, "GET", { id: "page", type: "window" });
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/SyncExecutor/);
    const unknown = await c.handle(new Request(url(`tickets/${ticket}/wait?ms=0&open=1`)), undefined);
    expect(unknown!.status).toBe(403);
    // None of them opened it: a re-issued wait (no `open`) from the executor finds nothing.
    expect((await wait(c, ticket, 0)).status).toBe(404);
  });

  it("caps what it holds in bytes as well as in tickets", async () => {
    const c = new Coordinator(scope, { maxBytes: 200 }); // one answer frame here is ≈ 130 bytes
    const big = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: new Uint8Array(80) });
    expect(c.deliver(ticket, big(ticket)).status).toBe(204);
    const refused = c.deliver(other, big(other));
    expect(refused.status).toBe(503);
    expect(refused.why).toMatch(/bytes/);
    // Read (or forgotten) answers free their bytes.
    expect((await wait(c, ticket, 10, true)).status).toBe(200);
    expect(c.deliver(other, big(other)).status).toBe(204);
  });

  it("ping tells what it holds: tickets and bytes of answers", async () => {
    const c = new Coordinator(scope);
    const held = async () =>
      JSON.parse((await (await request(c, "ping")).text()).replace("wasm-pmap coordinator ", ""));
    expect(await held()).toEqual({ tickets: 0, bytes: 0 });
    c.deliver(ticket, answer(ticket));
    expect(await held()).toEqual({ tickets: 1, bytes: answer(ticket).byteLength });
    c.forget(ticket);
    expect(await held()).toEqual({ tickets: 0, bytes: 0 });
  });

  it("forgetting a replaced executor's namespace voids its tickets, held and to come, and no one else's", async () => {
    const c = new Coordinator(scope);
    const ns = ticket.split(":")[0]!;
    const mine2 = `${ns}:2`;
    const held = wait(c, ticket, 5000, true);
    await new Promise((r) => setTimeout(r, 5));
    c.deliver(mine2, answer(mine2));
    await wait(c, other, 0, true);
    c.forgetNamespace(ns);
    expect((await held).status).toBe(410);
    // A wait the dying executor sent just before it died opens nothing.
    expect((await wait(c, `${ns}:3`, 0, true)).status).toBe(410);
    expect(c.deliver(`${ns}:4`, answer(`${ns}:4`)).status).toBe(410);
    expect((await wait(c, other, 0)).status).toBe(204); // another executor's ticket is untouched
    const holds = JSON.parse((await (await request(c, "ping")).text()).replace("wasm-pmap coordinator ", ""));
    expect(holds).toEqual({ tickets: 1, bytes: 0 });
  });
});

describe("Coordinator routes and namespaces", () => {
  const ns = ticket.slice(0, ticket.indexOf(":"));

  it("remembers at most 1000 voided namespaces: the oldest is forgotten first", async () => {
    const c = new Coordinator(scope);
    const nsOf = (i: number) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
    for (let i = 0; i < 1001; i++) c.forgetNamespace(nsOf(i));
    expect((await request(c, `tickets/${nsOf(0)}:1/wait?ms=0&open=1`)).status).toBe(204);
    expect((await request(c, `tickets/${nsOf(1)}:1/wait?ms=0&open=1`)).status).toBe(410);
    expect((await request(c, `tickets/${nsOf(1000)}:1/wait?ms=0&open=1`)).status).toBe(410);
  });

  it("a malformed namespace voids nothing; forgetting an unknown ticket is a no-op", async () => {
    const c = new Coordinator(scope);
    c.forgetNamespace(`${ns}:1`);
    c.forgetNamespace("");
    expect(() => c.forget(ticket)).not.toThrow();
    expect((await request(c, `tickets/${ticket}/wait?ms=0&open=1`)).status).toBe(204);
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
    await request(c, `tickets/${ticket}/wait?ms=0&open=1`);
    await says(`tickets/${other}/wait?ms=0&open=1`, 503, /too many tickets \(1\)/);
    c.forgetNamespace(other.slice(0, other.indexOf(":")));
    await says(`tickets/${other}/wait?ms=0`, 410, /executor was replaced/);
    const img = { url: url(`tickets/${ticket}/wait?ms=0`), method: "GET", mode: "no-cors", destination: "image" };
    const res = (await c.handle(img as unknown as Request, executor))!;
    expect(await res.text()).toMatch(/\(a image\)/);
  });

  it("by default it holds answers of up to 64 MiB in all", () => {
    const c = new Coordinator(scope);
    const mib = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: new Uint8Array(40 * 1024 * 1024) });
    expect(c.deliver(ticket, mib(ticket)).status).toBe(204);
    expect(c.deliver(other, mib(other)).status).toBe(503);
  });
});
