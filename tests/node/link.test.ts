// Sync mode's link to the coordinator (ts/sync/link.ts): a delivery the coordinator refuses
// for good — 403 (the sender may not post answers) or 413 (the answer is over its cap) — ends
// at once and says so, by message (the page) or by fetch (the relay): no re-delivery loop.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type DeliverMessage, type ForgetMessage, KEY_HEADER } from "../../ts/protocol/routes.js";
import { CoordinatorLink, fetchLink } from "../../ts/sync/link.js";
import { track } from "./fake-worker.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A registration whose active service worker answers every message with `status`. */
function coordinatorAnswering(status: number) {
  const received: Array<DeliverMessage | ForgetMessage> = [];
  const registration = {
    active: {
      postMessage(msg: DeliverMessage | ForgetMessage, [port]: MessagePort[]) {
        received.push(msg);
        port!.postMessage({ status });
      },
    },
  } as unknown as ServiceWorkerRegistration;
  return { link: new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/"), received };
}

describe("CoordinatorLink: a refusal for good", () => {
  it("a 403 or 413 ends the delivery after one message, not read, naming the status", async () => {
    for (const status of [403, 413]) {
      const { link, received } = coordinatorAnswering(status);
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
    const { link, received } = coordinatorAnswering(204);
    const outcome = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(received.length).toBeGreaterThan(1);
    link.taken("t:1");
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.value).toEqual({ read: true });
  });
});
