/**
 * Runs inside the SyncExecutor worker. The host Rust's parallel iterators call there
 * (`globalThis[HOST_KEY]`, see rust/pmap/src/par/host.rs).
 *
 * `runSync` is how `collect_vec_sync()` blocks without SharedArrayBuffer: it posts the
 * chunks to the pool (postMessage leaves a blocked worker at once), then blocks on a
 * ticket's wait — a synchronous XHR answered by the coordinator service worker, whose first
 * one opens the ticket, re-issued every ≤ 10 s — until the page has delivered the answer.
 * If the service worker was stopped meanwhile (the browser stops idle ones) the ticket is
 * gone: the wait answers 404 or fails, and a new ticket is opened and the chunks re-run,
 * twice at most, then `CoordinatorError`. Protocol: ts/protocol/routes.ts.
 *
 * On a cross-origin-isolated page (`wait: "atomics"`) it blocks in `Atomics.wait` on an
 * answer slot instead, which the page writes (ts/protocol/answer-slot.ts): no service
 * worker, no HTTP, nothing to lose.
 */
import { heartbeat, newAnswerSlot, openWait, waitAnswer } from "../protocol/answer-slot.js";
import {
  CoordinatorError,
  fromFailure,
  PmapError,
  SyncModeError,
  TimeoutError,
  WorkerCrashedError,
} from "../protocol/errors.js";
import { decodeAnswerBodies, decodeResponse, type Failure } from "../protocol/frames.js";
import { frameFromHeader } from "../protocol/inline-frame.js";
import { installHost } from "../protocol/kernel-module.js";
import type { ExecutorSetup, FromWorker } from "../protocol/messages.js";
import { FRAME_HEADER, KEY_HEADER, MAX_WAIT_MS, PING_BODY, waitUrl } from "../protocol/routes.js";

/** How often a ticket is opened again after its coordinator lost it, before giving up. */
const MAX_RESTARTS = 2;

/** Installs the host; returns the handler for the pool's `pipe-result` answers. */
export function installExecutorHost(setup: ExecutorSetup, post: (msg: FromWorker) => void) {
  // Why a namespace per executor: ticket ids must never collide across pools, tabs or reloads
  // (the page picked a random one for this executor, and may void it as a whole).
  const { namespace } = setup;
  let seq = 0;
  const pending = new Map<number, { resolve(b: Uint8Array[]): void; reject(e: unknown): void }>();
  // One slot for all blocking pipes: only one is ever outstanding (this worker blocks on it).
  const slot = setup.wait === "atomics" ? newAnswerSlot() : undefined;

  /** Set once the pool is gone (`close`): every call fails with it from then on. */
  let closed: PmapError | undefined;

  const host = {
    workers: setup.workers,

    /** `collect_vec().await` inside the executor (between blocking calls). */
    run(label: string, payloads: Uint8Array[]): Promise<Uint8Array[]> {
      if (closed) return Promise.reject(closed);
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: "pipe", id, label, payloads });
      });
    },

    /** `collect_vec_sync()`: blocks this worker until the pool has run every chunk. */
    runSync(label: string, payloads: Uint8Array[]): Uint8Array[] {
      if (closed) throw closed;
      // Why a deadline at all: an executor the app owns has no page to replace it, so if
      // its relay died the wait would have nothing else to end it (ExecutorSetup.callTimeoutMs).
      const deadline = performance.now() + (setup.callTimeoutMs ?? Infinity);
      if (slot) {
        const id = ++seq;
        const ticket = `${namespace}:${id}`;
        openWait(slot, id); // before the request: only this call's answer may be written now
        post({ type: "pipe", id, ticket, slot, label, payloads });
        const beat = setup.relay?.beat;
        const alive = beat ? heartbeat(beat) : undefined;
        const frame = waitAnswer(slot, id, deadline - performance.now(), alive);
        if (!frame) {
          post({ type: "pipe-abandoned", ticket });
          if (alive && !alive()) throw relayGone(label, "its heartbeat stopped");
          throw callTimedOut(label, setup.callTimeoutMs!);
        }
        return bodiesOf(frame, ticket);
      }
      for (let restart = 0; ; restart++) {
        const id = ++seq;
        const ticket = `${namespace}:${id}`;
        // Post first, then block: the first wait opens the ticket at the coordinator (or
        // adopts an answer that beat it there). Structured clone copies the payloads: the
        // originals stay here for a re-run.
        post({ type: "pipe", id, ticket, label, payloads, rerun: restart });
        const outcome = waitFor(ticket, label, deadline);
        if (outcome === "lost" || outcome === "timeout") {
          // Nobody reads this ticket any more: the pool stops answering it and the
          // coordinator forgets it (else its late answer would be re-sent, and held, for good).
          post({ type: "pipe-abandoned", ticket });
        }
        if (outcome === "timeout") throw callTimedOut(label, setup.callTimeoutMs!);
        if (outcome !== "lost") return outcome;
        if (restart >= MAX_RESTARTS) {
          throw new CoordinatorError(
            `sync mode: the coordinator lost ticket ${ticket} ${restart + 1} times (its service worker was stopped or replaced each time)`,
          );
        }
      }
    },
  };

  /** Blocks on the ticket's wait requests: its bodies, or "lost" (open a new one), or throws. */
  function waitFor(ticket: string, label: string, deadline: number): Uint8Array[] | "lost" | "timeout" {
    const coordinator = setup.coordinator ?? "";
    for (let open = true; ; open = false) {
      const left = deadline - performance.now();
      if (left <= 0) return "timeout";
      const ms = Math.max(1, Math.min(MAX_WAIT_MS, Math.ceil(left)));
      const r = xhr("GET", waitUrl(coordinator, ticket, { ms, open, lease: setup.relay?.lease }), setup.answerKey);
      // Status 0 on the opening wait is the service worker stopped under it (Firefox fails
      // a held request then; Chromium re-runs it on a new one): "lost", like a re-issued wait.
      if (open && r.status !== 200 && r.status !== 204 && r.status !== 0) {
        throw new CoordinatorError(
          `sync mode: ticket ${ticket} at ${setup.coordinator} answered HTTP ${r.status || "(network error)"}: ${r.text}. ` +
            `Is the coordinator service worker active, with a scope that contains this worker's script?`,
        );
      }
      switch (r.status) {
        case 204:
          continue; // not yet: ask again (each request stays short for the service worker's sake)
        case 200: {
          post({ type: "pipe-taken", ticket });
          return bodiesOf(r.bytes, ticket);
        }
        case 424: // the relay's lease is gone: nobody will ever answer
          throw relayGone(label, "its lease was released");
        case 404: // unknown ticket: the service worker restarted and forgot it
        case 0: // the request died with the service worker
          return "lost";
        default:
          throw new CoordinatorError(`sync mode: waiting for ticket ${ticket} answered HTTP ${r.status}: ${r.text}`);
      }
    }
  }

  const installed = installHost(host);

  /** The pool is gone (terminated, or its relay died): every call waiting for a `pipe-result`
   * rejects with `err`, and so does every later call; Rust's parallel iterators on this thread
   * then reach the newest pool still running here, if any (kernel-module.ts installHost). */
  function close(err: PmapError): void {
    if (closed) return;
    closed = err;
    installed.retire();
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  /** The relay died while a call waited: this pool is over (later calls fail at once). */
  function relayGone(label: string, how: string): WorkerCrashedError {
    const err = new WorkerCrashedError(
      `sync mode: collect_vec_sync() (${label}) lost its relay (${how}): the pool is gone; start a new one`,
    );
    close(err);
    return err;
  }

  return {
    /** The pool's answer to an async `pipe` request. */
    pipeResult(msg: { id: number; bodies?: Uint8Array[]; error?: Failure }): void {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.bodies) p.resolve(msg.bodies);
      else p.reject(msg.error ? fromFailure(msg.error) : new PmapError("pipe failed"));
    },
    /** The pool grew: Rust reads `workers` at each parallel iterator, so the next one uses it. */
    setWorkers(n: number): void {
      host.workers = n;
    },
    /**
     * The pool is gone (terminated, or its relay died): every call still waiting for a
     * `pipe-result` rejects with `err`, and so does every later call; Rust's parallel
     * iterators on this thread then reach the host installed before this one, if any.
     */
    close,
  };
}

/** The error of a blocking call that outlived `callTimeoutMs` (Rust: `ErrorKind::Timeout`). */
function callTimedOut(label: string, ms: number): TimeoutError {
  const err = new TimeoutError(label, 0, ms);
  err.message = `sync mode: collect_vec_sync() (${label}) had no answer within ${ms} ms (callTimeoutMs); its chunks may still run`;
  return err;
}

/** Ticket `ticket`'s answer frame → its bodies, or the typed error it carries. */
function bodiesOf(frame: Uint8Array, ticket: string): Uint8Array[] {
  const resp = decodeResponse(frame);
  // Never another call's results: the slot's claim and the coordinator's tickets should make
  // this impossible, and if they ever fail, an error beats a silently wrong answer.
  if (resp.call !== ticket) {
    throw new SyncModeError(`sync mode: got the answer of ${resp.call} while waiting for ${ticket}`);
  }
  if (!resp.ok) throw fromFailure(resp.failure);
  return decodeAnswerBodies(resp.body);
}

/** Checks, once at start-up, that this executor can block: the coordinator answers it
 * (the `"xhr"` wait), or it is cross-origin isolated (the `"atomics"` wait). */
export function checkExecutor(setup: ExecutorSetup): void {
  if (setup.wait === "atomics") {
    if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
      throw new CoordinatorError(
        "sync mode: the page is cross-origin isolated but this worker is not (serve its script with the same COOP/COEP headers)",
      );
    }
    return;
  }
  const r = xhr("GET", `${setup.coordinator}ping`);
  if (r.status !== 200 || !r.text.startsWith(PING_BODY)) {
    // A status means the request went past the service worker to the server: this worker is
    // not controlled by the coordinator (its scope, or a worker started before it was active).
    const what = r.status
      ? `the request reached the server instead (HTTP ${r.status}): this worker (${String(globalThis.location?.href)}) is not controlled by the coordinator service worker`
      : "the request failed (network error)";
    throw new CoordinatorError(
      `sync mode: no coordinator answers ${setup.coordinator}ping: ${what}; ` +
        "the coordinator must be active before the executor starts, and its scope must contain the executor's script",
    );
  }
}

interface XhrResult {
  status: number;
  bytes: Uint8Array;
  text: string;
}

/** A synchronous XHR (allowed in workers, and the only way to block without SAB). */
function xhr(method: string, url: string, answerKey?: string): XhrResult {
  const x = new XMLHttpRequest();
  x.open(method, url, false);
  x.responseType = "arraybuffer";
  if (answerKey !== undefined) x.setRequestHeader(KEY_HEADER, answerKey);
  try {
    x.send();
  } catch {
    return { status: 0, bytes: new Uint8Array(), text: "network error" };
  }
  // A small answer frame comes in a header, with no body (see inline-frame.ts).
  const inline = x.status === 200 ? x.getResponseHeader(FRAME_HEADER) : null;
  const bytes =
    inline !== null
      ? frameFromHeader(inline)
      : new Uint8Array((x.response as ArrayBuffer | null) ?? new ArrayBuffer(0));
  const type = x.getResponseHeader("content-type") ?? "";
  return {
    status: x.status,
    bytes,
    text: type.startsWith("text/") ? new TextDecoder().decode(bytes).slice(0, 300) : "",
  };
}
