// The kept port (ts/sync/coordinator-port.ts, routes.ts): the page's link to the coordinator
// offers a MessagePort with a message, the coordinator adopts it, and later deliveries and
// forgets go over it instead of ServiceWorker.postMessage — until it falls silent (a stopped
// service worker) or another service worker is active. Real node MessageChannels, real
// timers; the service worker is setupCoordinator on a fake global scope.
import { describe, expect, it } from "vitest";
import {
  MAX_KEPT_PORTS,
  type MessageEventLike,
  type PortLike,
  type ServiceWorkerScope,
  setupCoordinator,
} from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import type { StatusMessage } from "../../ts/protocol/routes.js";
import { CoordinatorLink } from "../../ts/sync/link.js";

const ticket = (n: number) => `0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:${n}`;
const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x80) });

/** A service worker running the real coordinator; counts what reaches it by postMessage. */
function serviceWorker() {
  let onMessage: ((e: MessageEventLike) => void) | undefined;
  const scope = {
    registration: { scope: "https://app.test/" },
    clients: { get: async () => ({ type: "worker" }) },
    addEventListener(type: string, l: never) {
      if (type === "message") onMessage = l;
    },
  } as unknown as ServiceWorkerScope;
  const coordinator = setupCoordinator(scope);
  const posted: Array<{ data: unknown; ports: number }> = [];
  const adopted: MessagePort[] = [];
  const sw = {
    postMessage(data: unknown, ports: MessagePort[]) {
      posted.push({ data, ports: ports.length });
      if (ports[1]) adopted.push(ports[1]);
      onMessage!({ data: structuredClone(data), ports });
    },
  };
  return { sw, coordinator, posted, adopted };
}

function linkTo(sw: unknown) {
  const registration = { active: sw } as unknown as ServiceWorkerRegistration;
  return { registration, link: new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/") };
}

describe("the kept port", () => {
  it("is offered with the first message and adopted; later messages go over it, not through postMessage", async () => {
    const s = serviceWorker();
    const { link } = linkTo(s.sw);
    expect(await link.forget(ticket(1))).toBe(204);
    expect(s.posted).toEqual([{ data: { wasmPmap: "forget", ticket: ticket(1) }, ports: 2 }]);
    // Delivered over the port: stored by the coordinator (its ping counts it), nothing posted.
    const read = link.answer(ticket(2), { bodies: [] }, () => true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.posted).toHaveLength(1);
    const ping = await (await s.coordinator.handle(
      new Request("https://app.test/__wasm_pmap__/ping"),
      undefined,
    ))!.text();
    expect(ping).toMatch(/"tickets":1/);
    link.taken(ticket(2));
    expect(await read).toEqual({ read: true });
    expect(await link.forget(ticket(2))).toBe(204);
    expect(s.posted).toHaveLength(1);
    for (const p of s.adopted) p.close();
  });

  it("a port that stays silent (the browser stopped the service worker) is dropped: the message is posted, and a new port offered", async () => {
    const s = serviceWorker();
    const { link } = linkTo(s.sw);
    await link.forget(ticket(1));
    s.adopted[0]!.onmessage = null; // the stopped service worker's end hears nothing
    const started = Date.now();
    expect(await link.forget(ticket(2))).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190); // PORT_SILENT_MS, then postMessage
    expect(s.posted.map((p) => p.ports)).toEqual([2, 2]); // posted, with a fresh port on offer
    expect(await link.forget(ticket(3))).toBe(204);
    expect(s.posted).toHaveLength(2); // the fresh port carries it
    for (const p of s.adopted) p.close();
  });

  it("is not used once another service worker is active: that one is posted to (and offered a port)", async () => {
    const old = serviceWorker();
    const { link, registration } = linkTo(old.sw);
    await link.forget(ticket(1));
    const next = serviceWorker();
    (registration as { active: unknown }).active = next.sw;
    expect(await link.forget(ticket(2))).toBe(204);
    expect(old.posted).toHaveLength(1);
    expect(next.posted).toEqual([{ data: { wasmPmap: "forget", ticket: ticket(2) }, ports: 2 }]);
    for (const p of [...old.adopted, ...next.adopted]) p.close();
  });

  it("an older coordinator that ignores the offered port: the link keeps posting, one message at a time", async () => {
    const posted: number[] = [];
    const { link } = linkTo({
      postMessage(_: unknown, ports: MessagePort[]) {
        posted.push(ports.length);
        ports[0]!.postMessage({ status: 204 }); // no `linked`
      },
    });
    for (let n = 1; n <= 3; n++) expect(await link.forget(ticket(n))).toBe(204);
    expect(posted).toEqual([2, 2, 2]);
  });
});

describe("the coordinator's kept ports", () => {
  /** A stand-in MessagePort that records replies. */
  const port = () => {
    const replies: unknown[] = [];
    const p: PortLike & { replies: unknown[]; closed: boolean } = {
      replies,
      closed: false,
      onmessage: null,
      postMessage: (m) => replies.push(m),
      close: () => {
        p.closed = true;
      },
    };
    return p;
  };
  function scope() {
    let onMessage: ((e: MessageEventLike) => void) | undefined;
    const sw = {
      registration: { scope: "https://app.test/" },
      clients: { get: async () => ({ type: "worker" }) },
      addEventListener(type: string, l: never) {
        if (type === "message") onMessage = l;
      },
    } as unknown as ServiceWorkerScope;
    setupCoordinator(sw);
    return (data: unknown, ports: PortLike[]) => onMessage!({ data, ports });
  }

  it("says linked only for a real port offered with a page message, and answers numbered page messages on it", () => {
    const message = scope();
    const reply = port();
    const kept = port();
    message({ wasmPmap: "forget", ticket: ticket(1) }, [reply, kept]);
    expect(reply.replies).toEqual([{ status: 204, linked: true } satisfies StatusMessage]);
    kept.onmessage!({ data: { wasmPmap: "deliver", ticket: ticket(2), frame: answer(ticket(2)), seq: 7 } });
    kept.onmessage!({ data: { wasmPmap: "deliver", ticket: ticket(3), frame: answer(ticket(2)), seq: 8 } });
    kept.onmessage!({ data: { wasmPmap: "forget", ticket: ticket(2) } }); // no seq: not answered
    kept.onmessage!({ data: { seq: 9, hello: 1 } }); // not a page message
    expect(kept.replies).toEqual([
      { seq: 7, status: 204 },
      { seq: 8, status: 400 },
    ]);
    // A stand-in without onmessage, or an app's own message, is not adopted.
    const other = port();
    const plain = { postMessage: (m: unknown) => other.replies.push(m) };
    message({ wasmPmap: "forget", ticket: ticket(4) }, [other, plain]);
    expect(other.replies).toEqual([{ status: 204 }]);
    const ignored = port();
    message({ app: "hello" }, [port(), ignored]);
    expect(ignored.onmessage).toBeNull();
  });

  it(`keeps at most MAX_KEPT_PORTS (${MAX_KEPT_PORTS}) ports: the oldest is closed`, () => {
    const message = scope();
    const kept = Array.from({ length: MAX_KEPT_PORTS + 1 }, () => port());
    for (const [i, k] of kept.entries()) message({ wasmPmap: "forget", ticket: ticket(i + 1) }, [port(), k]);
    expect(kept.map((k) => k.closed)).toEqual([true, ...Array(MAX_KEPT_PORTS).fill(false)]);
  });
});
