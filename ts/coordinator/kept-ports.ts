/**
 * Runs in the service worker. The kept ports: MessagePorts that pages offered with a message
 * (one per page link, so one per sync pool) and the coordinator adopted, to answer the same
 * page messages on them without the browser-process hop of `ServiceWorker.postMessage`
 * (protocol: ts/protocol/routes.ts; the page's side: ts/sync/coordinator-port.ts).
 *
 * Why bounded: a port is kept until its page closes it, and a page that navigated away may
 * never say so. Why the least recently used goes, and is told: every port dropped without a
 * word cost its page PORT_SILENT_MS of silence on its next send, after which it offered a port
 * again, which dropped the next oldest — with more pools than ports, every send waited. Told,
 * the page falls back to postMessage at once and does not re-offer for a while; and the port
 * dropped is the one idle longest (a pool used rarely, or a page gone), not a busy one.
 */
import type { PortEvicted, PortMessage, PortReply, StatusMessage } from "../protocol/routes.js";

/** How many kept ports (one per page link: per pool) the coordinator answers at once. */
export const MAX_KEPT_PORTS = 16;

/** The slice of a `MessagePort` the coordinator uses. */
export interface PortLike {
  postMessage(m: StatusMessage | PortReply | PortEvicted): void;
  onmessage?: ((e: { data: unknown }) => void) | null;
  close?(): void;
  /** `close`: the other end was closed, or its page is gone (Chromium, node; not Firefox). */
  addEventListener?(type: "close", listener: () => void): void;
}

export class KeptPorts {
  /** Least recently used first (a Set keeps insertion order; a use re-inserts). */
  readonly #ports = new Set<PortLike>();
  readonly #answer: (data: unknown, from: string) => number | undefined;

  /** `answer(data, from)`: carries out page `from`'s message and returns its status, or
   * undefined if it is none. */
  constructor(answer: (data: unknown, from: string) => number | undefined) {
    this.#answer = answer;
  }

  /**
   * Adopts `offered` (the second port of a page message), evicting the least recently used
   * port if that makes one too many. False for anything that is not a MessagePort. What
   * arrives on it counts as client `from`'s (the page that offered it: its share of the caps).
   */
  adopt(offered: PortLike | undefined, from: string): boolean {
    // A MessagePort's onmessage is null; a stand-in (or nothing) has none.
    if (offered?.onmessage === undefined) return false;
    offered.onmessage = (p) => {
      const seq = (p.data as Partial<PortMessage> | null)?.seq;
      const status = typeof seq === "number" ? this.#answer(p.data, from) : undefined;
      if (status === undefined) return;
      if (this.#ports.delete(offered)) this.#ports.add(offered); // now the most recently used
      offered.postMessage({ seq: seq as number, status });
    };
    offered.addEventListener?.("close", () => this.#ports.delete(offered));
    this.#ports.add(offered);
    if (this.#ports.size > MAX_KEPT_PORTS) this.#evict(this.#ports.values().next().value!);
    return true;
  }

  #evict(port: PortLike): void {
    this.#ports.delete(port);
    port.onmessage = null;
    // Posted before closing: a message already sent is still delivered (whatwg/html#5765;
    // node likewise), so the page reads it, and a send of its that the close drops fails at
    // once instead of waiting out PORT_SILENT_MS (which stays the safety net).
    port.postMessage({ wasmPmap: "evicted" });
    port.close?.();
  }
}
