/**
 * Runs on the page. The kept port: a `MessagePort` straight to the coordinator service
 * worker, which the link (link.ts) uses instead of `ServiceWorker.postMessage` once the
 * coordinator adopted it (protocol: ts/protocol/routes.ts).
 *
 * Why: `ServiceWorker.postMessage` is routed through the browser process; on a 2-core
 * machine in headless Chromium it takes ≈ 0.6 ms to reach the coordinator, a port ≈ 0.03 ms —
 * and every `collect_vec_sync()` answer takes that hop. But a port does not wake a service
 * worker the browser stopped (messages to a stopped one are lost without a word), so a send
 * that stays unanswered for a short while counts as silence, and the link drops the port
 * and falls back to postMessage, which does wake it. A coordinator that drops the port (it
 * keeps a bounded number: ts/coordinator/kept-ports.ts) says so on it first: sends then fail
 * at once, without the wait.
 */
import type { DeliverMessage, ForgetMessage, PortEvicted, PortReply } from "../protocol/routes.js";

export class CoordinatorPort {
  #seq = 0;
  readonly #replies = new Map<number, (status: number) => void>();
  /** The coordinator dropped this port (`{ wasmPmap: "evicted" }`): nothing sent on it is read. */
  evicted = false;

  constructor(
    /** The service worker that adopted the port: if the registration's active one changes, the port is stale. */
    readonly sw: ServiceWorker,
    readonly port: MessagePort,
  ) {
    port.onmessage = (e: MessageEvent<PortReply | PortEvicted>) => {
      const m = e.data as Partial<PortReply & PortEvicted> | null;
      if (m?.wasmPmap === "evicted") {
        this.evicted = true;
        this.close(); // sends still waiting resolve 0 now: their link posts them instead
      } else if (typeof m?.seq === "number") this.#replies.get(m.seq)?.(m.status || 0);
    };
  }

  /** Sends `msg`; resolves with the coordinator's status, or 0 if none within `timeoutMs`
   * (at once if the coordinator dropped the port). */
  send(msg: DeliverMessage | ForgetMessage, timeoutMs: number): Promise<number> {
    if (this.evicted) return Promise.resolve(0);
    const seq = ++this.#seq;
    return new Promise<number>((resolve) => {
      const done = (status: number) => {
        clearTimeout(timer);
        this.#replies.delete(seq);
        resolve(status);
      };
      const timer = setTimeout(() => done(0), timeoutMs);
      this.#replies.set(seq, done);
      this.port.postMessage({ ...msg, seq });
    });
  }

  /** Closes the port; sends still waiting resolve 0 (silence). */
  close(): void {
    this.port.close();
    for (const done of [...this.#replies.values()]) done(0);
  }
}
