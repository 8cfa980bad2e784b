/**
 * Protocol (constants and types). The coordinator protocol (sync mode): how the
 * SyncExecutor, the page and the coordinator service worker (ts/coordinator/) meet.
 * Constants and message types only.
 *
 * A **ticket** is one blocking `collect_vec_sync()`: the executor opens it with its first
 * wait and blocks; the page delivers the answer (the pipe's response frame, `call` = the
 * ticket id, chunk 0); the coordinator hands it to the waiting request and forgets it.
 *
 * ```text
 * executor → SW (sync XHR; the SW controls the executor, whose script is in its scope)
 *   GET <prefix>ping                      200 "wasm-pmap coordinator {"tickets":N,"bytes":B}": the
 *                                         executor's start-up check (and what the coordinator holds)
 *   GET <prefix>tickets/<id>/wait?ms=T[&open=1]
 *                                         long-poll, T ≤ 10 000 ms. `open=1` (the first wait) opens
 *                                         the ticket, or adopts an answer delivered ahead of it,
 *                                         and makes its client the ticket's one reader; re-issued
 *                                         waits omit it, so a coordinator that restarted meanwhile
 *                                         answers 404 instead of holding an empty ticket:
 *     200 application/cbor                the answer frame; the ticket is forgotten. A frame of at
 *                                         most INLINE_FRAME_MAX bytes comes base64 in the
 *                                         `x-wasm-pmap-frame` header with no body (a body costs
 *                                         Chromium ≈ 0.8 ms more: inline-frame.ts); others in the body
 *     204                                 not yet: ask again
 *     404                                 unknown ticket (the service worker was restarted)
 *     410                                 the ticket's executor was replaced (its namespace forgotten)
 *     424                                 `&lease=<name>` on a re-issued wait, and no lock of that name
 *                                         is held: the relay that answers this executor is gone
 *     403                                 an opening wait not from a worker, or a wait from another
 *                                         client than the one that opened the ticket (it reads
 *                                         nothing: the answer stays for its reader)
 *     503                                 full: the origin's tickets (maxTickets), or this client's
 *                                         share of them (a quarter); the text says which
 *     400                                 malformed ticket id
 * page → SW (postMessage + a MessagePort for the status: reaches the SW even when the page
 *            is not controlled, e.g. after Shift+Reload)
 *   { wasmPmap: "deliver", ticket, frame } → { status: 204 stored | 400 bad frame | 410 | 503 full:
 *                                            the origin's caps, or the sender's share of them (the
 *                                            message's source client: a quarter of each cap) }
 *   { wasmPmap: "forget", ticket }         → { status: 204 }: the page gave the ticket up (its job
 *                                            ended without reading it)
 *   { wasmPmap: "forget", namespace }      → { status: 204 }: the page replaced that executor: its
 *                                            tickets are dropped, and later waits for one get 410
 *   A second transferred port offers a *kept port*: the coordinator adopts it, says so with
 *   `linked: true` in the status, and from then on answers the same messages sent on it, each
 *   with a `seq`, by `{ seq, status }` on it. Why: `ServiceWorker.postMessage` goes through
 *   the browser process (≈ 0.6 ms page → coordinator in Chromium), a port does not (≈ 0.03 ms).
 *   A port does not wake a stopped service worker, so a silent one is dropped for postMessage.
 *   The coordinator keeps a bounded number of ports (MAX_KEPT_PORTS, ts/coordinator/kept-ports.ts):
 *   the one it drops gets `{ wasmPmap: "evicted" }` on it first, and its page posts again,
 *   offering no port for a while.
 * ```
 * relay → SW (a pool run from a worker, ts/worker/relay.ts: fetch, the relay's script in scope)
 *   POST <prefix>tickets/<id>/answer      body: the frame → 204 stored | 400 | 410 | 503 (as deliver;
 *                                         the share is the relay's) | 413 more than maxBytes (by its
 *                                         Content-Length, unread, or as soon as the body passes it)
 *   POST <prefix>tickets/<id>/forget      → 204 (as forget ticket)
 *   POST <prefix>namespaces/<ns>/forget   → 204 (as forget namespace)
 *   Any POST carries the executor's answer key (KEY_HEADER): 403, nothing read or changed, without
 *   it, with another key than the ticket's (or its namespace's), or from a window client. A
 *   ticket opened with a key takes answers only with that key. A 403 or 413 ends a delivery:
 *   re-sending cannot change it.
 * An answer delivered before its ticket's first wait is kept (≤ 60 s) for it to adopt.
 * Everything outside `<prefix>` is not the coordinator's and passes through untouched.
 */

/** Default path prefix of the coordinator, relative to its service worker's scope. */
export const COORDINATOR_PREFIX = "__wasm_pmap__/";
/** Longest a single wait request is held, in ms: the caller re-issues it until done. */
export const MAX_WAIT_MS = 10_000;
/** `<executor uuid>:<number>` — unguessable, and namespaced per executor (so per pool, per tab). */
export const TICKET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9]{1,15}$/;
/** An executor's ticket namespace: the part of a ticket id before the `:`. */
export const TICKET_NAMESPACE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What `GET <prefix>ping` answers (the body starts with it). */
export const PING_BODY = "wasm-pmap coordinator";
/**
 * The request header with an executor's *answer key* (a random UUID the app's worker picks for
 * its executor and its relay, routes above). Why: the relay's POSTs cannot be told apart by
 * the Clients API (Chromium does not list a worker started by a worker; Firefox may not answer
 * for one), so a POSTed answer proves it is the executor's by this secret instead: a ticket
 * opened with a key takes answers only with the same key, and an answer held ahead of the
 * opening wait is adopted only by a wait with its key.
 */
export const KEY_HEADER = "x-wasm-pmap-key";
/** The response header that carries a small answer frame, base64, instead of the body. */
export const FRAME_HEADER = "x-wasm-pmap-frame";
/** Largest answer frame, in bytes, sent in {@link FRAME_HEADER} (base64: ⅓ bigger). */
export const INLINE_FRAME_MAX = 8 * 1024;

/**
 * The name prefix of a relay's *lease*: a Web Lock (`navigator.locks`) the relay of an app-owned
 * executor holds for as long as it lives, which the browser releases when the relay dies. A
 * blocked executor names it on its re-issued waits (`&lease=`), and the coordinator answers 424
 * once nobody holds it. Why: a worker blocked in a sync XHR hears nothing else, and a lock is
 * the one thing a dead worker gives back by itself.
 */
export const LEASE_PREFIX = "wasm-pmap-relay:";

/** The URL of ticket `id`'s wait request (`lease`: the relay's lease, see LEASE_PREFIX). */
export function waitUrl(coordinator: string, id: string, opts: { ms: number; open: boolean; lease?: string }): string {
  const lease = opts.lease !== undefined && !opts.open ? `&lease=${encodeURIComponent(opts.lease)}` : "";
  return `${coordinator}tickets/${id}/wait?ms=${opts.ms}${opts.open ? "&open=1" : ""}${lease}`;
}

/** Page → coordinator: ticket `ticket`'s answer (a response frame). */
export interface DeliverMessage {
  wasmPmap: "deliver";
  ticket: string;
  frame: Uint8Array;
}

/**
 * Page → coordinator: drop ticket `ticket` and any answer held for it — or, with
 * `namespace`, every ticket of that executor, now and to come: the page replaced the
 * executor, so a wait it sent just before it died must not open a ticket nobody will read.
 */
export type ForgetMessage = { wasmPmap: "forget"; ticket: string } | { wasmPmap: "forget"; namespace: string };

/** Coordinator → page, on the message's port. */
export interface StatusMessage {
  status: number;
  /** The coordinator adopted the kept port offered with the message (see the module docs). */
  linked?: boolean;
}

/** Page → coordinator on a kept port: a deliver or forget, numbered for its reply. */
export type PortMessage = (DeliverMessage | ForgetMessage) & { seq: number };
/** Coordinator → page on a kept port: the status of message `seq`. */
export interface PortReply {
  seq: number;
  status: number;
}

/** Coordinator → page on a kept port: the coordinator dropped this port (it keeps a bounded
 * number, the most recently used); messages go by postMessage again. */
export interface PortEvicted {
  wasmPmap: "evicted";
}

/** Where the relay POSTs what the page sends as `msg` (routes above). */
export function postUrl(coordinator: string, msg: DeliverMessage | ForgetMessage): string {
  if (msg.wasmPmap === "deliver") return `${coordinator}tickets/${msg.ticket}/answer`;
  return "ticket" in msg
    ? `${coordinator}tickets/${msg.ticket}/forget`
    : `${coordinator}namespaces/${msg.namespace}/forget`;
}
