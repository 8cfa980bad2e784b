/**
 * Runs on the page. Sync mode's link to the coordinator service worker: registers (or
 * finds) it, and hands it tickets' answers. The executor's side is
 * ts/worker/executor-host.ts, the service worker's ts/coordinator/; the protocol is
 * ts/protocol/routes.ts.
 */
import { canUseAnswerSlot } from "../protocol/answer-slot.js";
import { CoordinatorError, PoolStartError } from "../protocol/errors.js";
import { answerFrame, type PipeAnswer } from "../protocol/frames.js";
import {
  COORDINATOR_PREFIX,
  type DeliverMessage,
  type ForgetMessage,
  KEY_HEADER,
  postUrl,
  type StatusMessage,
} from "../protocol/routes.js";
import { CoordinatorPort } from "./coordinator-port.js";

/** How long a delivered sync answer may stay unread before it is delivered again. */
const REDELIVER_MS = 2_000;
/** How long the kept port may stay silent before the coordinator counts as stopped (it
 * answers in well under a millisecond when running; this only delays the first send after
 * the browser stopped it). */
export const PORT_SILENT_MS = 200;
/** How long a link whose port the coordinator evicted posts without offering another. Why
 * wait: the coordinator keeps a bounded number of ports, so with more pools than that an
 * offer at once would evict another pool's port, and so on, on every send. */
export const REOFFER_AFTER_EVICTION_MS = 10_000;

export interface SyncOptions {
  /**
   * The service worker script to register (as a module): the package's ready-made
   * `wasm-pmap/sw.js`, or your own that calls `setupCoordinator(self)`. Omit it when your
   * app registers its own service worker: the registration for `scope` is used.
   */
  serviceWorker?: string | URL;
  /**
   * The registration's scope. It must contain the wasm-pmap worker script
   * (`worker/entry.js` in the package's `dist/`, or wherever your bundler emits it): the
   * browser picks a worker's service worker by the worker script's URL. Default: the
   * service worker script's folder.
   */
  scope?: string | URL;
  /** The coordinator's path prefix inside the scope (default `__wasm_pmap__/`). */
  prefix?: string;
  /** How long to wait for the service worker to activate (default 10 000 ms). */
  activateTimeoutMs?: number;
  /**
   * How the SyncExecutor blocks in `collect_vec_sync()`:
   * - `"auto"` (default): `"atomics"` on a cross-origin-isolated page (COOP `same-origin` +
   *   COEP `require-corp`, so `SharedArrayBuffer` exists), else `"xhr"`;
   * - `"xhr"`: a synchronous XHR the coordinator service worker answers (works everywhere);
   * - `"atomics"`: `Atomics.wait` on memory shared with the page, which writes the answer
   *   there. No service worker is registered or needed (the other options are ignored);
   *   rejects with `PoolStartError` on a page that is not cross-origin isolated.
   */
  wait?: "auto" | "xhr" | "atomics";
}

/**
 * Statuses that end a delivery at once: re-sending cannot change them. 403: the sender may not
 * post answers (only a worker the coordinator controls may); 413: the answer is larger than the
 * coordinator takes in one request (its `maxBytes`). Only a POST (the relay's) can get them.
 */
const REFUSED = new Set([403, 413]);

/** How {@link CoordinatorLink.answer} ended. */
export interface AnswerOutcome {
  /** The executor read the answer, or nobody waits for it any more. */
  read: boolean;
  /** The coordinator refused it for good with this status (403, 413): it was sent once. */
  refused?: number;
}

/** An active coordinator, as the pool talks to it. */
export class CoordinatorLink {
  /** Answers being delivered, by ticket: what to call when the executor reports it read one. */
  readonly #unread = new Map<string, () => void>();
  /** The kept port (coordinator-port.ts), once the coordinator adopted one. */
  #port: CoordinatorPort | undefined;
  /** A kept port is on offer (one at a time). */
  #offering = false;
  /** No port is offered before this time (`Date.now()`): the coordinator evicted the last. */
  #offerAfter = 0;

  constructor(
    readonly registration: ServiceWorkerRegistration | undefined,
    /** Absolute URL of the coordinator's prefix. */
    readonly base: string,
    /** How messages reach the coordinator instead of `registration.active.postMessage`:
     * the relay's (a worker, which has no `navigator.serviceWorker`) POSTs them. */
    readonly transport?: (msg: DeliverMessage | ForgetMessage) => Promise<number>,
  ) {}

  /** The executor read ticket `ticket`'s answer ("pipe-taken"): stop re-delivering it, now. */
  taken(ticket: string): void {
    this.#unread.get(ticket)?.();
  }

  /**
   * Gives a blocked executor its answer: the pipe's bodies or its failure, as ticket
   * `ticket`'s response frame. Resolves `read: true` once the executor has read it (or
   * `waiting()` — is the job that asked still waiting for it? — turns false), `read: false`
   * if the service worker never answered, three times in a row, or refused the answer for
   * good (`refused`: its status, see REFUSED). Only this ticket is ever touched.
   *
   * Why re-deliver: delivered (204) is not yet read. A service worker stopped between
   * storing the frame and answering the executor's wait loses it, and the browser may
   * replay that wait on a fresh instance, which then waits for nothing. So until the
   * executor says it has read the answer, deliver it again every few seconds.
   */
  async answer(ticket: string, out: PipeAnswer, waiting: () => boolean): Promise<AnswerOutcome> {
    const frame = answerFrame(ticket, out);
    let read = false;
    let wake = () => {};
    this.#unread.set(ticket, () => {
      read = true;
      wake();
    });
    try {
      for (let silent = 0; silent < 3 && !read && waiting(); ) {
        const status = await this.#send({ wasmPmap: "deliver", ticket, frame });
        if (REFUSED.has(status)) return { read: false, refused: status };
        silent = status === 0 ? silent + 1 : 0;
        // Sleep until the next re-delivery, or until the executor says it read the answer.
        await new Promise<void>((r) => {
          const timer = setTimeout(r, status === 0 ? 100 : REDELIVER_MS);
          wake = () => {
            clearTimeout(timer);
            r();
          };
          if (read) wake();
        });
      }
      return { read: read || !waiting() }; // false: three silent tries while the executor still waits
    } finally {
      this.#unread.delete(ticket);
    }
  }

  /** Tells the coordinator nobody will read ticket `ticket`: it drops it and its answer. */
  forget(ticket: string): Promise<number> {
    return this.#send({ wasmPmap: "forget", ticket });
  }

  /** Tells the coordinator an executor is gone: every ticket of its namespace is void. */
  forgetNamespace(namespace: string): Promise<number> {
    return this.#send({ wasmPmap: "forget", namespace });
  }

  /**
   * Sends a message to the coordinator and resolves with the status it answers (see
   * routes.ts), or 0 if none within `timeoutMs`: over the kept port when there is a live
   * one, else posted to the service worker — which, unlike a fetch, reaches it even when
   * this page is not controlled (e.g. after Shift+Reload), and wakes it if it was stopped.
   */
  async #send(msg: DeliverMessage | ForgetMessage, timeoutMs = 5_000): Promise<number> {
    if (this.transport) return this.transport(msg);
    const sw = this.registration?.active;
    if (!sw) return 0;
    const kept = this.#port;
    if (kept) {
      // A port to a service worker that is no longer the active one reaches the wrong coordinator.
      const status = kept.sw === sw ? await kept.send(msg, PORT_SILENT_MS) : 0;
      if (status !== 0) return status;
      if (this.#port === kept) this.#port = undefined;
      if (kept.evicted) this.#offerAfter = Date.now() + REOFFER_AFTER_EVICTION_MS;
      kept.close();
    }
    const channel = new MessageChannel();
    // Why offered with a message and not on its own: an older coordinator (an app's own
    // service worker) ignores the second port, and the link keeps posting.
    const offer = this.#offering || this.#port || Date.now() < this.#offerAfter ? undefined : new MessageChannel();
    if (offer) this.#offering = true;
    let linked = false;
    try {
      return await new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(0), timeoutMs);
        channel.port1.onmessage = (e: MessageEvent<StatusMessage>) => {
          clearTimeout(timer);
          linked = e.data?.linked === true;
          resolve(e.data?.status ?? 0);
        };
        sw.postMessage(msg, offer ? [channel.port2, offer.port2] : [channel.port2]);
      });
    } finally {
      channel.port1.close();
      if (offer) {
        this.#offering = false;
        if (linked && !this.#port) this.#port = new CoordinatorPort(sw, offer.port1);
        else offer.port1.close();
      }
    }
  }
}

/**
 * Sync mode's link for `opts`: the active coordinator, or `undefined` when the executor
 * blocks in `Atomics.wait` instead (`opts.wait`).
 */
export async function syncLink(opts: SyncOptions): Promise<CoordinatorLink | undefined> {
  const wait = opts.wait ?? "auto";
  if (wait !== "auto" && wait !== "xhr" && wait !== "atomics") {
    throw new PoolStartError(`sync.wait must be "auto", "xhr" or "atomics", not ${JSON.stringify(wait)}`);
  }
  if (wait === "atomics" && !canUseAnswerSlot()) {
    throw new PoolStartError(
      'sync.wait "atomics" needs a cross-origin-isolated page (served with Cross-Origin-Opener-Policy: same-origin and ' +
        "Cross-Origin-Embedder-Policy: require-corp) whose browser has growable SharedArrayBuffers; " +
        '"auto" falls back to the coordinator service worker',
    );
  }
  if (wait === "atomics" || (wait === "auto" && canUseAnswerSlot())) return undefined;
  return startCoordinator(opts);
}

/**
 * A link for code running in a worker the coordinator controls (the relay): messages go by
 * `fetch` POST (routes.ts) with the executor's `answerKey`, bounded by `timeoutMs`; status 0
 * when the request failed.
 */
export function fetchLink(base: string, answerKey: string, timeoutMs = 5_000): CoordinatorLink {
  return new CoordinatorLink(undefined, base, async (msg) => {
    try {
      const r = await fetch(postUrl(base, msg), {
        method: "POST",
        headers: { [KEY_HEADER]: answerKey },
        body: msg.wasmPmap === "deliver" ? (msg.frame as BodyInit) : null,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return r.status;
    } catch {
      return 0;
    }
  });
}

/** Registers (or finds) the coordinator and waits until it is active. */
export async function startCoordinator(opts: SyncOptions): Promise<CoordinatorLink> {
  const container = globalThis.navigator?.serviceWorker;
  if (!container) {
    throw new PoolStartError("sync mode needs service workers (a secure context: https or localhost)");
  }
  const base = globalThis.location?.href;
  let reg: ServiceWorkerRegistration | undefined;
  if (opts.serviceWorker !== undefined) {
    const script = new URL(opts.serviceWorker, base);
    const scope = new URL(opts.scope ?? ".", script).href;
    try {
      reg = await container.register(script, { type: "module", scope });
    } catch (err) {
      throw new PoolStartError(
        `sync mode: registering the coordinator ${script.href} (scope ${scope}) failed: ${(err as Error).message}`,
      );
    }
  } else {
    reg = await container.getRegistration(opts.scope === undefined ? undefined : new URL(opts.scope, base).href);
    if (!reg) {
      throw new PoolStartError(
        "sync mode: no service worker is registered for that scope; pass sync.serviceWorker (e.g. the URL of wasm-pmap/sw.js)",
      );
    }
  }
  await activated(reg, opts.activateTimeoutMs ?? 10_000);
  return new CoordinatorLink(reg, new URL(opts.prefix ?? COORDINATOR_PREFIX, reg.scope).href);
}

async function activated(reg: ServiceWorkerRegistration, timeoutMs: number): Promise<void> {
  const sw = reg.installing ?? reg.waiting ?? reg.active;
  if (!sw) throw new CoordinatorError("sync mode: the registration has no service worker");
  if (sw.state === "activated") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new PoolStartError(
            `sync mode: the coordinator service worker did not activate within ${timeoutMs} ms (state: ${sw.state})`,
          ),
        ),
      timeoutMs,
    );
    const check = () => {
      if (sw.state === "activated") {
        clearTimeout(timer);
        resolve();
      } else if (sw.state === "redundant") {
        clearTimeout(timer);
        reject(new PoolStartError("sync mode: the coordinator service worker failed to install (redundant)"));
      }
    };
    sw.addEventListener("statechange", check);
    check();
  });
}
