/**
 * Runs in the service worker. The coordinator: the service-worker side of sync mode. The
 * SyncExecutor blocks on a synchronous XHR `wait` for a ticket; the page delivers the
 * ticket's answer by message (controlled or not); the coordinator hands it to the wait.
 * Protocol: ts/protocol/routes.ts.
 *
 * Use it inside your own service worker:
 * ```ts
 * import { setupCoordinator } from "wasm-pmap/coordinator";
 * setupCoordinator(self);
 * ```
 * or register the ready-made `wasm-pmap/sw.js`. It answers only under its prefix and lets
 * every other request through untouched.
 */

import { decodeResponse } from "../protocol/frames.js";
import {
  COORDINATOR_PREFIX,
  KEY_HEADER,
  MAX_WAIT_MS,
  PING_BODY,
  TICKET_ID,
  TICKET_NAMESPACE,
} from "../protocol/routes.js";
import { readCapped } from "./body.js";
import { Budget } from "./caps.js";
import { type KnownClient, lookupClient } from "./clients.js";
import { KeptPorts } from "./kept-ports.js";
import { leaseHeld } from "./lease.js";
import { binary, text } from "./responses.js";
import type { ServiceWorkerScope } from "./scope.js";
import { NamespaceKeys, VoidedNamespaces } from "./voided.js";

export interface CoordinatorOptions {
  /** Path prefix, relative to the service worker's scope. Default `__wasm_pmap__/`. */
  prefix?: string;
  /** A ticket untouched for this long is forgotten (its waits get 404). Default 5 min. */
  ticketTtlMs?: number;
  /**
   * Most tickets held at once; opening one more fails with 503. Default 1000. One client (an
   * executor, a page, a relay) holds at most a quarter of them (caps.ts).
   */
  maxTickets?: number;
  /**
   * Most bytes of answers held at once; a delivery past it fails with 503. Default 64 MiB. One
   * client holds at most a quarter of them (an answer handed straight to a held wait is not
   * held), and a POSTed answer larger than this is refused with 413 unread (body.ts).
   */
  maxBytes?: number;
  /** Cap on one wait request, in ms. Default (and upper bound) 10 000. */
  maxWaitMs?: number;
}

/** Answers delivered for a ticket nobody opened are kept this long at most. */
const UNOPENED_TTL_MS = 60_000;

/**
 * Who sent a request, as the service worker knows it: the client's id (`FetchEvent.clientId`)
 * and, where the route needs it, its type (`clients.get()`, clients.ts).
 */
export interface Requester {
  id: string;
  type?: string;
}

interface Ticket {
  /** The client whose opening wait opened it: its one reader. Undefined while only an
   * answer delivered ahead of the first wait exists. */
  reader?: string;
  /** The client it counts against (caps.ts): its opener, or the sender of an early answer. */
  holder?: string;
  answer?: Uint8Array;
  /** The client the answer's bytes count against. */
  answerBy?: string;
  /** The answer key its opening wait showed (routes.ts KEY_HEADER): every answer must show it
   * too. Undefined for a page's executor, whose answers come by message. */
  key?: string;
  /** The key an answer held ahead of the opening wait came with: adopted only if they match. */
  answerKey?: string;
  waiters: Set<(r: Response) => void>;
  touched: number;
}

/** The coordinator's state and routing, independent of the service worker plumbing. */
export class Coordinator {
  readonly #tickets = new Map<string, Ticket>();
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #budget: Budget;
  readonly #maxWait: number;
  /** Namespaces of executors the page replaced, with when: their tickets never open again. */
  readonly #voided = new VoidedNamespaces();
  /** The answer key of each executor namespace that opened a ticket with one (its relay's
   * `namespaces/<ns>/forget` must show it). */
  readonly #keys = new NamespaceKeys();

  constructor(scopeUrl: string, opts: CoordinatorOptions = {}) {
    this.#prefix = new URL(opts.prefix ?? COORDINATOR_PREFIX, scopeUrl).href;
    this.#ttl = opts.ticketTtlMs ?? 5 * 60_000;
    this.#budget = new Budget(opts.maxTickets ?? 1000, opts.maxBytes ?? 64 * 1024 * 1024);
    this.#maxWait = Math.min(MAX_WAIT_MS, opts.maxWaitMs ?? MAX_WAIT_MS);
  }

  /** Is this URL under the coordinator's prefix (so `handle` answers it)? */
  owns(url: string): boolean {
    return url.startsWith(this.#prefix);
  }

  /**
   * The response for a request under the prefix, or `undefined`: not ours, let it through.
   * `from` is the requesting client: only a worker may open a ticket or POST, and only the
   * client that opened a ticket may wait for it.
   */
  handle(request: Request, from: Requester | undefined): Promise<Response> | undefined {
    if (!this.owns(request.url)) return undefined;
    return this.#route(request, from).catch((err: unknown) =>
      text(500, `coordinator error: ${(err as Error)?.message ?? err}`),
    );
  }

  async #route(req: Request, from: Requester | undefined): Promise<Response> {
    this.#sweep();
    // Why: a top-level navigation, an <img> or a <script> pointed under the prefix is not
    // the executor's sync XHR; it gets a clear 4xx and creates nothing.
    if (req.mode === "navigate" || req.destination !== "") {
      const what = req.mode === "navigate" ? "navigation" : req.destination;
      return text(400, `not a wasm-pmap request (a ${what}): this path belongs to the sync-mode coordinator`);
    }
    const url = new URL(req.url);
    const path = url.href.slice(this.#prefix.length).split("?")[0]!.split("/").map(decodeURIComponent);
    if (req.method === "POST") return this.#post(path, req, from);
    if (req.method !== "GET") return text(405, `${req.method} not allowed here`);
    // What it holds rides along, for anyone debugging a 503 (and for the soak test).
    if (path.length === 1 && path[0] === "ping") {
      const { tickets, bytes } = this.#budget.held;
      return text(200, `${PING_BODY} ${JSON.stringify({ tickets, bytes })}`);
    }
    if (path.length !== 3 || path[0] !== "tickets" || path[2] !== "wait") return text(404, "no such coordinator route");
    const id = path[1]!;
    if (!TICKET_ID.test(id)) return text(400, "malformed ticket id (expected <executor uuid>:<number>)");
    if (this.#voided.voids(id)) return text(410, "this ticket's executor was replaced: its tickets are void");
    let ticket = this.#tickets.get(id);
    // `open=1` on the first wait opens the ticket (or adopts an answer delivered before
    // it). A re-issued wait omits it, so a coordinator that restarted meanwhile answers
    // 404 instead of holding an empty ticket forever.
    if (url.searchParams.get("open") === "1") {
      if (from?.type !== "worker") {
        return text(
          403,
          "tickets are opened only by the pool's SyncExecutor worker (a worker this service worker controls)",
        );
      }
      const key = req.headers.get(KEY_HEADER) ?? undefined;
      if (!ticket) {
        const full = this.#budget.ticketRefusal(from.id);
        if (full) return text(503, full);
        ticket = this.#create(id, from.id);
      } else if (ticket.reader === undefined && ticket.answerKey !== key) {
        // An answer held ahead of this wait without its key is not this executor's: dropped
        // (its real answer, if any, is re-delivered until read).
        this.#dropAnswer(ticket);
      }
      if (ticket.reader === undefined) {
        ticket.reader = from.id;
        ticket.key = key;
        if (key !== undefined) this.#keys.remember(id.slice(0, id.indexOf(":")), key);
      }
    }
    if (ticket?.reader === undefined) return text(404, "unknown ticket (the coordinator may have been restarted)");
    // Why: whoever else learns a ticket id must not take (or wait on) its answer; the
    // executor re-issues its waits from the same client.
    if (ticket.reader !== from?.id)
      return text(403, "this ticket was opened by another client: only it reads the answer");
    ticket.touched = Date.now();
    if (ticket.answer) {
      this.#drop(id, ticket); // its one reader has it: nothing left to keep
      return binary(ticket.answer);
    }
    // Why only here, on a wait with nothing to take yet: an answer that made it is still read.
    const lease = url.searchParams.get("lease");
    if (lease !== null && !(await leaseHeld(lease))) {
      return text(424, "the relay that answers this executor is gone (its lease is no longer held)");
    }
    const ms = Math.min(this.#maxWait, Math.max(0, Number(url.searchParams.get("ms") ?? this.#maxWait) || 0));
    // Why bounded: the browser stops a service worker that keeps one event open for
    // minutes; a short wait the caller re-issues keeps every request well inside that.
    const t = ticket;
    return new Promise<Response>((resolve) => {
      const timer = setTimeout(() => {
        t.waiters.delete(done);
        resolve(new Response(null, { status: 204 }));
      }, ms);
      const done = (r: Response) => {
        clearTimeout(timer);
        resolve(r);
      };
      t.waiters.add(done);
    });
  }

  /**
   * The relay's side (a pool run from a worker: ts/worker/relay.ts), which cannot post to
   * the service worker as the page does, so it speaks by fetch — the same three messages:
   * `tickets/<id>/answer` (body: the frame), `tickets/<id>/forget`, `namespaces/<ns>/forget`.
   * Only from a worker (403 otherwise, before the body is read: a page delivers by message);
   * anything else under the prefix is 405, as before.
   */
  async #post(path: string[], req: Request, from: Requester | undefined): Promise<Response> {
    if (from?.type === "window") {
      return text(403, "only the relay (a worker this service worker controls) POSTs here: a page delivers by message");
    }
    // Why a key and not the Clients API: Chromium does not list a worker a worker started
    // (the relay), and Firefox may not answer for one; the key is the executor's own secret.
    const key = req.headers.get(KEY_HEADER);
    if (!key) return text(403, `a POST here carries its executor's answer key (${KEY_HEADER}): none was sent`);
    const [kind, id, verb] = path;
    const refused = text(403, "wrong answer key: this is not the executor's relay");
    if (path.length === 3 && kind === "tickets" && verb === "answer") {
      const t = this.#tickets.get(id!);
      if (t?.reader !== undefined && t.key !== key) return refused; // before reading a byte
      const frame = await readCapped(req, this.#budget.maxBytes);
      if (!frame) return text(413, `an answer is at most ${this.#budget.maxBytes} bytes (the coordinator's maxBytes)`);
      const { status, why } = this.deliver(id!, frame, from?.id, key);
      return status === 204 ? new Response(null, { status }) : text(status, why);
    }
    if (path.length === 3 && kind === "tickets" && verb === "forget") {
      if (!TICKET_ID.test(id!)) return text(400, "malformed ticket id");
      const t = this.#tickets.get(id!);
      if (t && (t.reader !== undefined ? t.key : t.answerKey) !== key) return refused;
      this.forget(id!);
      return new Response(null, { status: 204 });
    }
    if (path.length === 3 && kind === "namespaces" && verb === "forget") {
      if (!TICKET_NAMESPACE.test(id!)) return text(400, "malformed namespace");
      if (this.#keys.get(id!) !== key) return refused;
      this.forgetNamespace(id!);
      return new Response(null, { status: 204 });
    }
    return text(405, "POST not allowed here");
  }

  /**
   * Stores ticket `id`'s answer (the page's `deliver` message) and hands it to a waiting
   * request: 204 stored, 400 a frame that is not a response frame for this ticket, 503 full.
   * `from` is the sender's client id: a held answer counts against its share (caps.ts).
   */
  deliver(
    id: string,
    frame: Uint8Array,
    from?: string,
    /** The answer key it came with (a relay's POST); none for a page's message. */
    key?: string,
  ): { status: 204 | 400 | 403 | 410 | 503; why: string } {
    this.#sweep();
    if (!TICKET_ID.test(id)) return { status: 400, why: "malformed ticket id" };
    if (this.#voided.voids(id)) return { status: 410, why: "this ticket's executor was replaced" };
    try {
      const resp = decodeResponse(frame);
      if (resp.call !== id || resp.chunk !== 0)
        return { status: 400, why: `frame is for ${resp.call}#${resp.chunk}, not ticket ${id}` };
    } catch (err) {
      return { status: 400, why: `not a response frame: ${(err as Error).message}` };
    }
    let ticket = this.#tickets.get(id);
    if (ticket?.reader !== undefined && ticket.key !== key) {
      return { status: 403, why: "this ticket takes answers only with its executor's answer key" };
    }
    if (ticket?.answer && ticket.answerKey === key) return { status: 204, why: "" }; // a re-delivery: held already
    if (ticket?.answer) this.#dropAnswer(ticket); // held with another key: the latest stands (the opener checks it)
    if (ticket && ticket.waiters.size > 0) {
      for (const w of ticket.waiters) w(binary(frame)); // a fresh Response per waiter
      this.#drop(id, ticket); // handed over: forgotten
      return { status: 204, why: "" };
    }
    // Not opened yet (its first wait is on its way) or forgotten in a restart: keep the
    // answer for a while; the first wait adopts it.
    const full =
      this.#budget.bytesRefusal(from, frame.byteLength) ?? (ticket ? undefined : this.#budget.ticketRefusal(from));
    if (full) return { status: 503, why: full };
    ticket ??= this.#create(id, from);
    ticket.touched = Date.now();
    ticket.answer = frame;
    ticket.answerBy = from;
    ticket.answerKey = key;
    this.#budget.add(from, 0, frame.byteLength);
    return { status: 204, why: "" };
  }

  /** Drops ticket `id` and its answer (the page's `forget` message: nobody will read it). */
  forget(id: string): void {
    const ticket = this.#tickets.get(id);
    if (!ticket) return;
    this.#drop(id, ticket);
    for (const w of ticket.waiters) w(text(404, "ticket forgotten"));
  }

  /**
   * Voids every ticket of executor `namespace` (the page's `forget` for a replaced executor):
   * those held are dropped, their waits end with 410, and no later wait opens one.
   */
  forgetNamespace(namespace: string): void {
    if (!TICKET_NAMESPACE.test(namespace)) return;
    this.#voided.add(namespace);
    for (const [id, t] of this.#tickets) {
      if (!id.startsWith(`${namespace}:`)) continue;
      this.#drop(id, t);
      for (const w of t.waiters) w(text(410, "this ticket's executor was replaced: its tickets are void"));
    }
  }

  #create(id: string, holder: string | undefined): Ticket {
    const ticket: Ticket = { holder, waiters: new Set(), touched: Date.now() };
    this.#tickets.set(id, ticket);
    this.#budget.add(holder, 1, 0);
    return ticket;
  }

  #dropAnswer(ticket: Ticket): void {
    if (!ticket.answer) return;
    this.#budget.add(ticket.answerBy, 0, -ticket.answer.byteLength);
    ticket.answer = ticket.answerBy = ticket.answerKey = undefined;
  }

  #drop(id: string, ticket: Ticket): void {
    this.#tickets.delete(id);
    this.#budget.add(ticket.holder, -1, 0);
    if (ticket.answer) this.#budget.add(ticket.answerBy, 0, -ticket.answer.byteLength);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, t] of this.#tickets) {
      const ttl = t.reader !== undefined ? this.#ttl : Math.min(this.#ttl, UNOPENED_TTL_MS);
      if (now - t.touched > ttl && t.waiters.size === 0) this.#drop(id, t);
    }
    this.#voided.sweep(now);
  }
}

export { CLIENT_LOOKUP_MS, KNOWN_CLIENTS } from "./clients.js";
export { MAX_KEPT_PORTS, type PortLike } from "./kept-ports.js";

// The service worker scope's slice the coordinator uses: scope.ts (clients.ts names it too).
export type { FetchEventLike, MessageEventLike, ServiceWorkerScope } from "./scope.js";

/**
 * Installs the coordinator in a service worker: it answers requests under its prefix and
 * does not touch any other request (no `respondWith`, so the browser fetches it as usual).
 */
export function setupCoordinator(scope: ServiceWorkerScope, opts: CoordinatorOptions = {}): Coordinator {
  const coordinator = new Coordinator(scope.registration.scope, opts);
  const known = new Map<string, KnownClient>(); // client id → its type, as clients.get() answered
  scope.addEventListener("fetch", (e) => {
    if (!coordinator.owns(e.request.url)) return; // not ours: the browser fetches it as usual
    e.respondWith(
      (async () => {
        // Only an opening wait and a POST ask what the client is (a wait asks only who).
        const post = e.request.method === "POST";
        const asks = post || new URL(e.request.url).searchParams.get("open") === "1";
        if (!e.clientId) return coordinator.handle(e.request, undefined)!;
        const type = asks ? await lookupClient(scope, e.clientId, known) : undefined;
        return coordinator.handle(e.request, { id: e.clientId, type })!;
      })(),
    );
  });
  // The page speaks by message: it may not be controlled, so its fetches may not reach us.
  // A port offered with a message is kept, and the same messages, numbered, are answered on it.
  const kept = new KeptPorts((data, from) => pageMessage(coordinator, data, from));
  scope.addEventListener("message", (e) => {
    // Without a source (none in a browser) all such senders share one client's share.
    const from = e.source?.id ?? "";
    const status = pageMessage(coordinator, e.data, from);
    if (status === undefined) return; // not ours: the message event is the app's too
    const [reply, offered] = e.ports;
    const linked = kept.adopt(offered, from);
    reply?.postMessage(linked ? { status, linked } : { status });
  });
  return coordinator;
}

/** Carries out a page message (DeliverMessage, ForgetMessage): its status, or undefined if it is none. */
function pageMessage(coordinator: Coordinator, data: unknown, from: string): number | undefined {
  // Checked field by field: anything may arrive here.
  const m = data as { wasmPmap?: string; ticket?: unknown; namespace?: unknown; frame?: unknown } | null;
  if (m?.wasmPmap === "deliver" && typeof m.ticket === "string" && m.frame instanceof Uint8Array) {
    return coordinator.deliver(m.ticket, m.frame, from).status; // stored even if nobody asks how it went
  }
  if (m?.wasmPmap === "forget" && (typeof m.ticket === "string" || typeof m.namespace === "string")) {
    if (typeof m.ticket === "string") coordinator.forget(m.ticket);
    else coordinator.forgetNamespace(m.namespace as string);
    return 204;
  }
  return undefined;
}
