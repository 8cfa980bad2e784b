/**
 * Runs on the page. What follows a worker that failed to start: a replacement after a
 * back-off, and after MAX_START_FAILURES in a row, none — the pool gives up. Why bounded
 * and backed off: a script that is gone (a deploy, a 404) fails every replacement the same
 * way, and a replacement per failure would spawn workers without end. Pure logic, used by
 * dispatch.ts.
 */
import { PoolStartError } from "../protocol/errors.js";

/** Consecutive failed starts after which the dispatcher stops spawning and fails every call. */
export const MAX_START_FAILURES = 3;
/** Delay before a replacement after a failed start: doubled each time (100, 200, 400 ms …). */
export const RESPAWN_BACKOFF_MS = 100;

export class StartPolicy {
  /** Failed starts in a row (reset by any worker that starts), and in all. */
  #inARow = 0;
  total = 0;
  /** Set once the pool gave up starting workers: the error every call then fails with. */
  gaveUp: PoolStartError | undefined;
  /** Replacements waiting out their back-off, by slot index. */
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  /** A worker started. */
  started(): void {
    this.#inARow = 0;
  }

  /**
   * A worker of slot `index` failed to start with `err`. Either schedules `respawn` after the
   * back-off and returns undefined, or gives up and returns the error every call now fails with.
   */
  failed(index: number, err: PoolStartError, respawn: () => void): PoolStartError | undefined {
    this.total++;
    if (this.gaveUp) return undefined;
    if (++this.#inARow >= MAX_START_FAILURES) {
      this.gaveUp = new PoolStartError(
        `the pool stopped starting workers after ${this.#inARow} failed starts in a row; the last: ${err.message}`,
      );
      this.clear();
      return this.gaveUp;
    }
    const delay = RESPAWN_BACKOFF_MS * 2 ** (this.#inARow - 1);
    this.#timers.set(
      index,
      setTimeout(() => {
        this.#timers.delete(index);
        if (!this.gaveUp) respawn();
      }, delay),
    );
    return undefined;
  }

  /** Cancels every pending replacement (the dispatcher closed or gave up). */
  clear(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
