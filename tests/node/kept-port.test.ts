// The kept port (ts/sync/coordinator-port.ts, routes.ts): the page's link to the coordinator
// offers a MessagePort with a message, the coordinator adopts it, and later deliveries and
// forgets go over it instead of ServiceWorker.postMessage — until it falls silent (a stopped
// service worker) or another service worker is active. Real node MessageChannels, real
// timers; the service worker is setupCoordinator on a fake global scope (fake-service-worker.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  MAX_KEPT_PORTS,
  type MessageEventLike,
  type PortLike,
  type ServiceWorkerScope,
  setupCoordinator,
} from "../../ts/coordinator/coordinator.js";
import { encodeResponse } from "../../ts/protocol/frames.js";
import type { PortEvicted, StatusMessage } from "../../ts/protocol/routes.js";
import { type CoordinatorLink, PORT_SILENT_MS, REOFFER_AFTER_EVICTION_MS } from "../../ts/sync/link.js";
import { linkTo, serviceWorker, ticket } from "./fake-service-worker.js";

const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x80) });

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

  it(`keeps at most MAX_KEPT_PORTS (${MAX_KEPT_PORTS}) ports: the least recently used is told, then closed`, () => {
    const message = scope();
    const kept = Array.from({ length: MAX_KEPT_PORTS + 1 }, () => port());
    for (const [i, k] of kept.entries()) {
      if (i === MAX_KEPT_PORTS) {
        // The oldest port is in use: the next least recently used one goes instead.
        kept[0]!.onmessage!({ data: { wasmPmap: "forget", ticket: ticket(99), seq: 1 } });
      }
      message({ wasmPmap: "forget", ticket: ticket(i + 1) }, [port(), k]);
    }
    expect(kept.map((k) => k.closed)).toEqual([false, true, ...Array(MAX_KEPT_PORTS - 1).fill(false)]);
    expect(kept[1]!.replies).toEqual([{ wasmPmap: "evicted" } satisfies PortEvicted]);
    expect(kept[0]!.replies).toEqual([{ seq: 1, status: 204 }]);
  });
});

// N8: one port per sync pool, at most MAX_KEPT_PORTS of them. A 17th pool's port used to
// evict the oldest without a word, whose page learned it only from PORT_SILENT_MS of
// silence, then offered a port again, which evicted the next: every send waited 200 ms.
describe("more pools on one origin than the coordinator keeps ports for", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sends one message per link, link after link (as pools answering in turn), `rounds`
   * times; returns the sends that waited out the port's silence. */
  async function inTurn(links: CoordinatorLink[], rounds: number, first = 1) {
    const slow: Array<{ link: number; ms: number }> = [];
    let n = first;
    for (let r = 0; r < rounds; r++) {
      for (const [i, link] of links.entries()) {
        const started = performance.now();
        expect(await link.forget(ticket(n++))).toBe(204);
        const ms = performance.now() - started;
        if (ms >= PORT_SILENT_MS * 0.75) slow.push({ link: i, ms: Math.round(ms) });
      }
    }
    return slow;
  }

  it("20 links: no send waits out the silence — an evicted port is told, and its link posts at once", async () => {
    const s = serviceWorker();
    const links = Array.from({ length: 20 }, () => linkTo(s.sw).link);
    const slow = await inTurn(links, 3);
    expect(slow).toEqual([]);
    // The first round offered 20 ports; after it, the 4 evicted links post without offering
    // again, and the other 16 use their ports.
    expect(s.posted.slice(0, 20).every((p) => p.ports === 2)).toBe(true);
    expect(s.posted.slice(20).map((p) => p.ports)).toEqual(Array(2 * (20 - MAX_KEPT_PORTS)).fill(1));
    for (const p of s.adopted) p.close();
  }, 30_000);

  it("an evicted link offers a port again after REOFFER_AFTER_EVICTION_MS (which evicts the least recently used)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] }); // only the clock: messages and timers stay real
    const s = serviceWorker();
    const links = Array.from({ length: MAX_KEPT_PORTS + 1 }, () => linkTo(s.sw).link);
    await inTurn(links, 1); // link 0 was evicted by link 16's port
    await links[0]!.forget(ticket(100));
    expect(s.posted.at(-1)!.ports).toBe(1);
    vi.setSystemTime(Date.now() + REOFFER_AFTER_EVICTION_MS);
    await links[0]!.forget(ticket(101));
    expect(s.posted.at(-1)!.ports).toBe(2); // offered, and adopted:
    const before = s.posted.length;
    expect(await inTurn(links, 1, 200)).toEqual([]);
    expect(s.posted.length - before).toBe(1); // only link 1 (least recently used, so evicted) posted
    for (const p of s.adopted) p.close();
  });

  it("a send in flight when its port is evicted is posted at once, without waiting out the silence", async () => {
    const s = serviceWorker();
    const { link } = linkTo(s.sw);
    await link.forget(ticket(1));
    const port = s.adopted[0]!;
    port.onmessage = null; // the coordinator will not read what is on its way: it is evicting the port
    const started = performance.now();
    const sent = link.forget(ticket(2));
    port.postMessage({ wasmPmap: "evicted" } satisfies PortEvicted);
    port.close();
    expect(await sent).toBe(204);
    expect(performance.now() - started).toBeLessThan(PORT_SILENT_MS * 0.75);
    expect(s.posted.map((p) => p.ports)).toEqual([2, 1]); // posted, and no port offered again
  });

  it("a port whose page is gone (closed) is dropped at once: it takes no live link's place", async () => {
    const s = serviceWorker();
    const { link } = linkTo(s.sw);
    await link.forget(ticket(1));
    const gone = new MessageChannel(); // a page that offered a port, then went away
    s.sw.postMessage({ wasmPmap: "forget", ticket: ticket(2) }, [new MessageChannel().port2, gone.port2]);
    const others = Array.from({ length: MAX_KEPT_PORTS - 2 }, () => linkTo(s.sw).link);
    await inTurn(others, 1, 10);
    gone.port1.close();
    await new Promise((r) => setTimeout(r, 20)); // the coordinator's end hears the close
    const last = linkTo(s.sw).link;
    await last.forget(ticket(50)); // the 17th port offered, 16 live: nobody evicted
    const posted = s.posted.length;
    expect(await inTurn([link, ...others, last], 1, 60)).toEqual([]);
    expect(s.posted).toHaveLength(posted); // every live link kept its port
    for (const p of s.adopted) p.close();
  });
});
