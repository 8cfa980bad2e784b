/**
 * Runs wherever a pool serves a SyncExecutor: on the page (sync-mode.ts) and in the relay of
 * an executor the app owns (ts/worker/relay.ts), both through serve-pipes.ts. How a parallel
 * iterator's outcome reaches the executor that asked for it: one interface, one route per way
 * the executor can be waiting —
 * - not blocked (`try_collect_vec().await`): a `pipe-result` message;
 * - blocked in `Atomics.wait` (cross-origin-isolated): written into its answer slot;
 * - blocked in a sync XHR: handed to the coordinator service worker under its ticket.
 * The answer frame the last two carry is built in one place (`answerFrame`, frames.ts).
 */
import { type AnswerSlot, MAX_ANSWER_BYTES, writeAnswer } from "../protocol/answer-slot.js";
import { CoordinatorError, type PmapError, SyncModeError, toFailure } from "../protocol/errors.js";
import { answerFrame, type PipeAnswer } from "../protocol/frames.js";
import type { ExecutorRequest, ToWorker } from "../protocol/messages.js";
import type { CoordinatorLink } from "./link.js";

export type PipeRequest = Extract<ExecutorRequest, { type: "pipe" }>;
export type PipeResult = Extract<ToWorker, { type: "pipe-result" }>;

/** The executor that made a request, as its answer's route sees it. */
export interface Asker {
  /** Its call is still waited for (not read, not abandoned, its job still running). */
  waiting(): boolean;
  /** Messages it (a `pipe-result`). */
  post(m: PipeResult): void;
}

/** How one answer reaches its executor. */
export interface AnswerRoute {
  /**
   * Hands `answer` to the executor that made `req` while it is still waiting for it.
   * Resolves `undefined` once the executor has it or nobody waits any more; else the error
   * that says why it could not be handed over.
   */
  deliver(req: PipeRequest, answer: PipeAnswer, to: Asker): Promise<PmapError | undefined>;
}

/** The executor is not blocked: a `pipe-result` message, matched by the request's id. */
export class MessageRoute implements AnswerRoute {
  async deliver(req: PipeRequest, answer: PipeAnswer, to: Asker): Promise<undefined> {
    if (!to.waiting()) return;
    to.post({
      type: "pipe-result",
      id: req.id,
      bodies: "bodies" in answer ? answer.bodies : undefined,
      error: "failure" in answer ? answer.failure : undefined,
    });
  }
}

/** The executor is blocked in `Atomics.wait`: the answer slot it sent along. */
export class SlotRoute implements AnswerRoute {
  async deliver(req: PipeRequest, answer: PipeAnswer, to: Asker): Promise<undefined> {
    // `waiting()` spares the work; the slot's own claim (answer-slot.ts) is what makes a late
    // answer harmless, since the executor may give up at any moment, on its own thread.
    if (!to.waiting()) return;
    writeSlot(req.slot!, req.id, req.ticket!, req.label, answer);
  }
}

/** Writes ticket `ticket`'s answer into `slot`, or a small failure frame when it does not fit. */
export function writeSlot(slot: AnswerSlot, id: number, ticket: string, label: string, answer: PipeAnswer): void {
  const frame = answerFrame(ticket, answer);
  if (writeAnswer(slot, id, frame) !== "too-big") return;
  const big = new SyncModeError(
    `sync mode: the parallel iterator's results (${frame.byteLength} bytes) exceed the answer slot's ${MAX_ANSWER_BYTES} bytes`,
  );
  writeAnswer(slot, id, answerFrame(ticket, { failure: toFailure(big, label) }));
}

/** The executor is blocked in a sync XHR: the coordinator hands it the answer (link.ts). */
export class CoordinatorRoute implements AnswerRoute {
  constructor(readonly link: CoordinatorLink) {}

  async deliver(req: PipeRequest, answer: PipeAnswer, to: Asker): Promise<PmapError | undefined> {
    const ticket = req.ticket!;
    const waiting = () => to.waiting();
    let outcome = await this.link.answer(ticket, answer, waiting);
    if (outcome.refused && "bodies" in answer) {
      // Refused for good (413: over the coordinator's maxBytes): re-sending cannot help, so
      // the executor gets a failure that says why instead (a small frame, taken).
      const why = new CoordinatorError(
        `sync mode: the coordinator refused the answer of ${req.label} (HTTP ${outcome.refused}${outcome.refused === 413 ? ": larger than its maxBytes" : ""})`,
      );
      outcome = await this.link.answer(ticket, { failure: toFailure(why, req.label) }, waiting);
    }
    if (outcome.read) return;
    // Never taken while the executor still waits: forget the ticket, so its wait ends (404)
    // and it re-runs the pipe under a new ticket or gives up with CoordinatorError.
    void this.link.forget(ticket);
    return new CoordinatorError(
      outcome.refused
        ? `sync mode: the coordinator refused ticket ${ticket}'s answer (HTTP ${outcome.refused})`
        : `sync mode: the coordinator did not take ticket ${ticket}'s answer (3 tries)`,
    );
  }
}
