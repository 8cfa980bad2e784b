// An answer POST's body is read with a cap (the coordinator's maxBytes): refused with 413 by
// its Content-Length before anything is read, or as soon as the stream passes the cap.
import { describe, expect, it } from "vitest";
import { Coordinator, type Requester } from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import { frameFromHeader } from "../../ts/protocol/inline-frame.js";
import { FRAME_HEADER, KEY_HEADER } from "../../ts/protocol/routes.js";
import { swScope as scope, swUrl as url } from "./fake-service-worker.js";

const ns = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b";
const t = (n: number) => `${ns}:${n}`;
const MiB = 1024 * 1024;
const exec: Requester = { id: "exec", type: "worker" };
const relay: Requester = { id: "relay", type: "worker" };
/** The executor's answer key: its opening waits show it, and its relay's POSTs. */
const keyed = { [KEY_HEADER]: "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f" };

const wait = (c: Coordinator, id: string, ms: number) =>
  c.handle(new Request(url(`tickets/${id}/wait?ms=${ms}&open=1`), { headers: keyed }), exec)!;
const postAnswer = (c: Coordinator, id: string, body: BodyInit) =>
  c.handle(
    new Request(url(`tickets/${id}/answer`), { method: "POST", body, duplex: "half", headers: keyed } as RequestInit),
    relay,
  )!;

/** A body made only as it is read: `count` chunks of `size` bytes; records how far it was read. */
function lazyBody(size: number, count: number) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (seen.pulled++ >= count) ctl.close();
      else ctl.enqueue(new Uint8Array(size));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

/** A response frame for ticket `id` of exactly `n` bytes. */
function sized(id: string, n: number): Uint8Array {
  for (let b = Math.max(0, n - 80); ; b++) {
    const f = encodeResponse({ call: id, chunk: 0, ok: true, body: new Uint8Array(b).fill(7) });
    if (f.byteLength === n) return f;
    if (f.byteLength > n) throw new Error(`no frame of ${n} bytes`);
  }
}
/** `frame` as a stream of `parts` chunks. */
function chunked(frame: Uint8Array, parts: number): ReadableStream<Uint8Array> {
  const step = Math.ceil(frame.byteLength / parts);
  let at = 0;
  return new ReadableStream({
    pull(ctl) {
      if (at >= frame.byteLength) return ctl.close();
      ctl.enqueue(frame.slice(at, at + step));
      at += step;
    },
  });
}

describe("an answer POST's body is capped at maxBytes", () => {
  it("a Content-Length over maxBytes is refused with 413 before the body is read", async () => {
    const c = new Coordinator(scope, { maxBytes: 1024 });
    expect((await wait(c, t(1), 0)).status).toBe(204); // opened by the executor, with the key
    const { body, seen } = lazyBody(16 * 1024, 40 * 64); // 40 MiB
    const req = new Request(url(`tickets/${t(1)}/answer`), {
      method: "POST",
      body,
      duplex: "half",
      headers: { ...keyed, "content-length": String(40 * MiB) },
    } as RequestInit);
    const res = (await c.handle(req, relay))!;
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/1024 bytes \(the coordinator's maxBytes\)/);
    expect(req.bodyUsed).toBe(false);
    expect(seen.pulled).toBeLessThanOrEqual(1); // the stream's own read-ahead at most
  });

  it("a body streaming past maxBytes is refused with 413 as soon as it does: at most one chunk past the cap is read", async () => {
    const c = new Coordinator(scope, { maxBytes: 64 * 1024 });
    expect((await wait(c, t(1), 0)).status).toBe(204);
    const { body, seen } = lazyBody(16 * 1024, 40 * 64); // 40 MiB, no Content-Length
    const res = await postAnswer(c, t(1), body);
    expect(res.status).toBe(413);
    expect(seen.cancelled).toBe(true);
    // 4 chunks fill the cap, the 5th crosses it; one more is the stream's own read-ahead.
    expect(seen.pulled).toBeLessThanOrEqual(6);
  });

  it("an answer of exactly maxBytes, in chunks, is read whole and handed to the held wait; one byte more is 413", async () => {
    const n = 4096;
    const c = new Coordinator(scope, { maxBytes: n });
    const heldWait = wait(c, t(1), 5_000);
    const frame = sized(t(1), n);
    expect((await postAnswer(c, t(1), chunked(frame, 3))).status).toBe(204);
    const got = await heldWait;
    expect(got.status).toBe(200);
    expect(Array.from(frameFromHeader(got.headers.get(FRAME_HEADER)!))).toEqual(Array.from(frame)); // ≤ 8 KiB: inline
    const waiting = wait(c, t(2), 200);
    expect((await postAnswer(c, t(2), chunked(sized(t(2), n + 1), 3))).status).toBe(413);
    expect((await waiting).status).toBe(204); // nothing reached it
  });
});

describe("a request without a body stream (Firefox's FetchEvent request)", () => {
  it("is read whole, still capped: Firefox 153 gives a service worker's POST no `body` stream", async () => {
    const { readCapped } = await import("../../ts/coordinator/body.js");
    const frame = Uint8Array.of(1, 2, 3, 4);
    const like = (bytes: Uint8Array, length?: number) =>
      ({
        headers: new Headers(length === undefined ? {} : { "content-length": String(length) }),
        body: null,
        arrayBuffer: async () => bytes.slice().buffer,
      }) as unknown as Request;
    expect(await readCapped(like(frame), 16)).toEqual(frame);
    expect(await readCapped(like(frame, 4), 16)).toEqual(frame);
    expect(await readCapped(like(frame), 3)).toBeUndefined(); // no Content-Length: the cap still holds
  });
});
