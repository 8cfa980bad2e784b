/**
 * Runs wherever a pool serves a SyncExecutor: the page's sync mode (sync-mode.ts) and the
 * relay of an executor the app owns (ts/worker/relay.ts) — one path for both, so both give
 * the same guarantees. Takes the executor's requests (messages.ts `ExecutorRequest`), runs
 * each parallel iterator's chunks on the pool, and answers through the route the executor
 * waits on (answer.ts):
 * - an answer is handed over only while its call is still waited for: a blocking call the
 *   executor gave up (`pipe-abandoned`: `callTimeoutMs`, or the coordinator lost its ticket)
 *   or whose job ended is never answered, and its ticket is forgotten at the coordinator;
 * - the executor reads only the answer of the call it waits for (the slot's claim and the
 *   ticket check, answer-slot.ts and executor-host.ts).
 *
 * Shape after rayon-core's `latch.rs`: one way to serve, several ways to be woken.
 */
import type { PmapError } from "../protocol/errors.js";
import { toFailure } from "../protocol/errors.js";
import type { PipeAnswer } from "../protocol/frames.js";
import type { ExecutorRequest } from "../protocol/messages.js";
import {
  type AnswerRoute,
  CoordinatorRoute,
  MessageRoute,
  type PipeRequest,
  type PipeResult,
  SlotRoute,
} from "./answer.js";
import type { CoordinatorLink } from "./link.js";

export interface PipeServerSetup {
  /** Runs a parallel iterator's chunks (pipe payloads) on the compute workers. */
  run(label: string, payloads: Uint8Array[]): Promise<Uint8Array[]>;
  /** The coordinator (the `"xhr"` wait); none when the executor blocks on an answer slot. */
  link: CoordinatorLink | undefined;
}

/** The executor a request came from, as the server sees it. */
export interface ExecutorEnd {
  /** It is still the executor the pool serves, running the same job (the page replaces its
   * executor, and a job's answers are for that job alone). An app-owned one always is. */
  current(): boolean;
  /** Messages it (a `pipe-result`). */
  post(m: PipeResult): void;
  /** A blocking call's answer could not be handed over although it is still waited for. */
  undelivered?(err: PmapError): void;
}

/** A blocking call, from its request until its executor read or abandoned it. */
interface Blocking {
  state: "waiting" | "taken" | "abandoned";
  /** Its ticket went to the coordinator (the `"xhr"` wait), which must then forget it. */
  coordinator: boolean;
}

export class PipeServer {
  readonly #setup: PipeServerSetup;
  readonly #message = new MessageRoute();
  readonly #slot = new SlotRoute();
  readonly #coordinator: CoordinatorRoute | undefined;
  /** Blocking calls still waited for, by ticket. */
  readonly #blocking = new Map<string, Blocking>();

  constructor(setup: PipeServerSetup) {
    this.#setup = setup;
    this.#coordinator = setup.link && new CoordinatorRoute(setup.link);
  }

  /** One request of the executor `from`. */
  handle(msg: ExecutorRequest, from: ExecutorEnd): void {
    if (msg.type === "pipe-taken") {
      this.#end(msg.ticket, "taken");
      this.#setup.link?.taken(msg.ticket);
      return;
    }
    if (msg.type === "pipe-abandoned") {
      this.#end(msg.ticket, "abandoned");
      return;
    }
    const route = this.#routeOf(msg);
    const call: Blocking | undefined =
      msg.ticket === undefined ? undefined : { state: "waiting", coordinator: route === this.#coordinator };
    if (call) this.#blocking.set(msg.ticket!, call);
    const waiting = () => from.current() && (call === undefined || call.state === "waiting");
    let bodies: Promise<Uint8Array[]>;
    try {
      bodies = this.#setup.run(msg.label, msg.payloads);
    } catch (err) {
      bodies = Promise.reject(err); // pool terminated, queue full, …: the executor learns it
    }
    bodies
      .then(
        (b): PipeAnswer => ({ bodies: b }),
        (err: unknown): PipeAnswer => ({ failure: toFailure(err, msg.label) }),
      )
      .then((answer) => route.deliver(msg, answer, { waiting, post: (m) => from.post(m) }))
      .then((err) => {
        if (err && waiting()) from.undelivered?.(err);
        if (!call) return;
        // The last delivery may have crossed the executor's `pipe-abandoned`: forget once more.
        if (call.state === "abandoned" && call.coordinator) void this.#setup.link?.forget(msg.ticket!);
        if (this.#blocking.get(msg.ticket!) === call) this.#blocking.delete(msg.ticket!);
      });
  }

  /** Nobody will read the blocking calls still open (their job ended, their executor was
   * replaced): none is answered any more, and the coordinator forgets their tickets. */
  abandonAll(): void {
    for (const ticket of [...this.#blocking.keys()]) this.#end(ticket, "abandoned");
  }

  #end(ticket: string, how: "taken" | "abandoned"): void {
    const call = this.#blocking.get(ticket);
    if (!call) return;
    this.#blocking.delete(ticket);
    call.state = how;
    if (how === "abandoned" && call.coordinator) void this.#setup.link?.forget(ticket);
  }

  #routeOf(msg: PipeRequest): AnswerRoute {
    if (msg.ticket === undefined) return this.#message;
    if (msg.slot) return this.#slot;
    return this.#coordinator ?? this.#message;
  }
}
