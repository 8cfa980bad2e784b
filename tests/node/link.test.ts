// Sync mode's link to the coordinator (ts/sync/link.ts), driven from node with a fake service
// worker registration (fake-coordinator.ts): an answer is delivered as the ticket's response
// frame and re-delivered until the executor read it; a coordinator that answers late, badly
// or not at all is given up after three silent tries; a delivery it refuses for good — 403
// (the sender may not post answers) or 413 (the answer is over its cap) — ends at once and
// says so, by message (the page) or by fetch (the relay): no re-delivery loop.
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeResponse } from "../../ts/protocol/frames.js";
import { type DeliverMessage, KEY_HEADER } from "../../ts/protocol/routes.js";
import { decodeValue } from "../../ts/protocol/values.js";
import { CoordinatorLink, fetchLink } from "../../ts/sync/link.js";
import { fakeCoordinator } from "./fake-coordinator.js";
import { flush, track, useFakeTimers } from "./fake-worker.js";

useFakeTimers();
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("CoordinatorLink: delivering an answer", () => {
  it("an answer is the ticket's response frame, chunk 0: the bodies, or the failure", async () => {
    const { link, received } = fakeCoordinator(() => ({ status: 204 }));
    void link.answer("t:1", { bodies: [Uint8Array.of(1, 2)] }, () => true);
    void link.answer("t:2", { failure: { kind: "kernel", kernel: "k", message: "bad" } }, () => true);
    await vi.advanceTimersByTimeAsync(0);
    const frames = received.map((m) => decodeResponse((m as DeliverMessage).frame));
    expect(frames[0]).toMatchObject({ call: "t:1", chunk: 0, ok: true });
    const bodies = decodeValue<Uint8Array[]>((frames[0] as { body: Uint8Array }).body);
    expect(bodies.map((b) => Array.from(b))).toEqual([[1, 2]]);
    expect(frames[1]).toEqual({
      call: "t:2",
      chunk: 0,
      ok: false,
      failure: { kind: "kernel", kernel: "k", message: "bad" },
    });
    link.taken("t:1");
    link.taken("t:2");
  });

  it("stops as soon as the executor read the answer, without waiting out the re-delivery sleep", async () => {
    const { link, deliveries } = fakeCoordinator(204);
    const read = track(link.answer("t:1", { bodies: [Uint8Array.of(1)] }, () => true));
    await flush();
    expect(deliveries("t:1")).toHaveLength(1);
    link.taken("t:1");
    await flush();
    expect(read.state).toBe("resolved");
    expect(read.value).toEqual({ read: true });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deliveries("t:1")).toHaveLength(1);
  });

  it("re-delivers an unread answer every few seconds while it is waited for, and stops when it is not", async () => {
    const { link, deliveries } = fakeCoordinator(204);
    let waiting = true;
    const read = track(link.answer("t:2", { bodies: [] }, () => waiting));
    await vi.advanceTimersByTimeAsync(4_100);
    expect(deliveries("t:2").length).toBeGreaterThanOrEqual(2);
    waiting = false;
    await vi.advanceTimersByTimeAsync(2_100);
    expect(read.state).toBe("resolved");
    const n = deliveries("t:2").length;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(deliveries("t:2")).toHaveLength(n);
  });

  it("an answer not waited for any more resolves true without delivering", async () => {
    const { link, received } = fakeCoordinator(() => ({ status: 204 }));
    expect(await link.answer("t:1", { bodies: [] }, () => false)).toEqual({ read: true });
    expect(received).toHaveLength(0);
  });

  it("taken() for a ticket it is not delivering is a no-op", () => {
    const { link } = fakeCoordinator(() => ({ status: 204 }));
    expect(() => link.taken("t:404")).not.toThrow();
  });

  it("forget sends the ticket's forget message and resolves with the coordinator's status", async () => {
    const { link, received } = fakeCoordinator((m) => ({ status: m.wasmPmap === "forget" ? 204 : 500 }));
    const status = track(link.forget("t:7"));
    await vi.advanceTimersByTimeAsync(0);
    expect(status.value).toBe(204);
    expect(received).toEqual([{ wasmPmap: "forget", ticket: "t:7" }]);
  });
});

describe("CoordinatorLink: a coordinator that does not answer", () => {
  it("a coordinator that never answers: three tries 5 s apart (plus 100 ms), then false while the job still waits", async () => {
    const { link, received } = fakeCoordinator(() => undefined);
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(5_099);
    expect(received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(received).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5_100);
    expect(received).toHaveLength(3);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(5_100);
    expect(read.state).toBe("resolved");
    expect(read.value).toEqual({ read: false });
    expect(received).toHaveLength(3);
  });

  it("no active service worker (it is being replaced) counts as silence: three quick tries, then false", async () => {
    const link = new CoordinatorLink({ active: null } as unknown as ServiceWorkerRegistration, "x");
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(299);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(read.value).toEqual({ read: false });
    expect(await link.forget("t:1")).toBe(0);
  });

  it("a reply without a status counts as silence; any status (even an error) resets the count", async () => {
    let n = 0;
    const replies = [{}, {}, { status: 400 }, null, {}, {}];
    const { link, received } = fakeCoordinator(() => (n < replies.length ? replies[n++] : {}));
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    // 2 silent (100 ms each), one 400 (2 s), then 3 silent: false after six tries.
    await vi.advanceTimersByTimeAsync(100 + 100 + 2_000 + 100 + 100);
    expect(received).toHaveLength(6);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(100);
    expect(read.value).toEqual({ read: false });
  });
});

describe("CoordinatorLink: a refusal for good", () => {
  it("a 403 or 413 ends the delivery after one message, not read, naming the status", async () => {
    for (const status of [403, 413]) {
      const { link, received } = fakeCoordinator(status);
      const outcome = track(link.answer("t:1", { bodies: [] }, () => true));
      // In small steps: the status comes back on a real MessagePort, between fake timers.
      for (let ms = 0; ms < 10_000; ms += 10) await vi.advanceTimersByTimeAsync(10);
      expect(received, String(status)).toHaveLength(1);
      expect(outcome.value).toEqual({ read: false, refused: status });
    }
  });

  it("the relay's link (fetch POST, with the executor's answer key) does the same", async () => {
    const posts: string[] = [];
    const keys: Array<string | undefined> = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      posts.push(url);
      keys.push(new Headers(init.headers).get(KEY_HEADER) ?? undefined);
      return new Response("an answer is at most 64 bytes", { status: 413 });
    });
    const key = "5f0c3b1e-9a7d-4c2b-8e6f-1a2b3c4d5e6f";
    const link = fetchLink("https://app.test/__wasm_pmap__/", key);
    const outcome = track(link.answer("0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(posts).toEqual(["https://app.test/__wasm_pmap__/tickets/0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1/answer"]);
    expect(keys).toEqual([key]);
    expect(outcome.value).toEqual({ read: false, refused: 413 });
  });

  it("other statuses keep today's behaviour: 204 is re-delivered until read, then it resolves read", async () => {
    const { link, received } = fakeCoordinator(204);
    const outcome = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(received.length).toBeGreaterThan(1);
    link.taken("t:1");
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.value).toEqual({ read: true });
  });
});
