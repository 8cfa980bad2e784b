/**
 * Runs on the page. What follows a worker that failed to start, slot by slot: a replacement
 * after that slot's own back-off (doubled after each failure in a row, capped), reset once a
 * worker of the slot starts. The pool gives up — every call fails, nothing more is spawned —
 * only when no slot can start a worker: each has failed MAX_START_FAILURES starts in a row
 * (so none has a live worker). Pure logic, used by dispatch.ts.
 *
 * Why per slot: one slot's bad luck (a network blip during a respawn) must not end a pool
 * whose other workers run. Why backed off and capped rather than stopped: a script that is
 * gone (a deploy, a 404) fails every replacement the same way, so a replacement per failure
 * would spawn without end; one try per MAX_RESPAWN_BACKOFF_MS is cheap, and heals the slot
 * when the script comes back.
 */
import { PoolStartError } from "../protocol/errors.js";

/** A slot's failed starts in a row after which it counts as unable to start; when every slot
 * is, the dispatcher stops spawning and fails every call. */
export const MAX_START_FAILURES = 3;
/** Delay before a slot's replacement after its first failed start, doubled after each
 * further one in a row (100, 200, 400 ms …) up to MAX_RESPAWN_BACKOFF_MS. */
export const RESPAWN_BACKOFF_MS = 100;
export const MAX_RESPAWN_BACKOFF_MS = 30_000;

interface Waiting {
  respawn: () => void;
  /** None while parked (the pool gave up). */
  timer?: ReturnType<typeof setTimeout>;
}

export class StartPolicy {
  /** Failed starts in a row, by slot index (none for a slot whose worker started since). */
  readonly #inARow = new Map<number, number>();
  /** Failed starts in all. */
  total = 0;
  /** The last failed start, while some slot has not started a worker since it failed. */
  last: PoolStartError | undefined;
  /** Set while the pool has given up starting workers: the error every call fails with. */
  gaveUp: PoolStartError | undefined;
  /** Replacements waiting out their back-off (or parked), by slot index. */
  readonly #waiting = new Map<number, Waiting>();

  /** A worker of slot `index` started. */
  started(index: number): void {
    this.#inARow.delete(index);
    if (this.#inARow.size === 0) this.last = undefined;
    if (!this.gaveUp) return;
    // A worker started after all (in a slot grow() added, or one still starting when the
    // pool gave up): the script loads again, so the pool runs, and its parked slots retry.
    this.gaveUp = undefined;
    const parked = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of parked) w.respawn();
  }

  /**
   * A worker of slot `index` failed to start with `err`; `slots`: the indices of the pool's
   * slots now (a pool that released workers has gaps). Either schedules `respawn` after the
   * slot's back-off and returns undefined, or gives up (parks every slot) and returns the
   * error every call now fails with.
   */
  failed(
    index: number,
    slots: readonly number[],
    err: PoolStartError,
    respawn: () => void,
  ): PoolStartError | undefined {
    this.total++;
    this.last = err;
    const n = (this.#inARow.get(index) ?? 0) + 1;
    this.#inARow.set(index, n);
    if (this.gaveUp) {
      this.#waiting.set(index, { respawn });
      return undefined;
    }
    const stuck = slots.filter((i) => (this.#inARow.get(i) ?? 0) >= MAX_START_FAILURES).length;
    if (stuck === slots.length) {
      const each = slots.length > 1 ? ` on each of its ${slots.length} slots` : "";
      this.gaveUp = new PoolStartError(
        `the pool stopped starting workers after ${MAX_START_FAILURES} failed starts in a row${each}; the last: ${err.message}`,
      );
      for (const w of this.#waiting.values()) {
        clearTimeout(w.timer);
        w.timer = undefined;
      }
      this.#waiting.set(index, { respawn });
      return this.gaveUp;
    }
    const delay = Math.min(MAX_RESPAWN_BACKOFF_MS, RESPAWN_BACKOFF_MS * 2 ** (n - 1));
    const timer = setTimeout(() => {
      this.#waiting.delete(index);
      respawn();
    }, delay);
    this.#waiting.set(index, { respawn, timer });
    return undefined;
  }

  /** Slot `index` was released: its failures and its pending replacement go with it. */
  forget(index: number): void {
    clearTimeout(this.#waiting.get(index)?.timer);
    this.#waiting.delete(index);
    this.#inARow.delete(index);
    if (this.#inARow.size === 0) this.last = undefined;
  }

  /** Cancels every pending replacement (the dispatcher closed). */
  clear(): void {
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    this.#waiting.clear();
  }
}
