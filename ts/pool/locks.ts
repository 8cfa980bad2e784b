/**
 * Runs on the page (or anywhere: no Worker API). Async concurrency primitives for code
 * around the pool (rate-limiting calls, guarding a shared resource). `acquire()` resolves
 * to a release handle usable with `await using`.
 *
 * @example
 * ```ts
 * const limit = new Semaphore(2);
 * async function doubled(x: number) {
 *   await using _permit = await limit.acquire(); // at most 2 callers past this line
 *   return pool.call("double", x);
 * }
 * ```
 */

import { ensureDisposeSymbols } from "../protocol/disposal.js";
import { AbortError } from "../protocol/errors.js";

ensureDisposeSymbols();

/** Returned by `acquire()`: call `release()` once, or let `await using` do it. */
export interface Release extends AsyncDisposable, Disposable {
  release(): void;
}

/** A counting semaphore: at most `permits` holders at once, served first come first served. */
export class Semaphore {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1)
      throw new RangeError(`permits must be a positive integer, got ${permits}`);
    this.#free = permits;
  }

  /** Permits not currently held. */
  get available(): number {
    return this.#free;
  }

  /** Holders waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Waits for a permit. With `signal`, an abort while waiting rejects with `AbortError`. */
  acquire(opts: { signal?: AbortSignal } = {}): Promise<Release> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new AbortError("acquire aborted"));
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#handle());
    }
    return new Promise<Release>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#handle());
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new AbortError("acquire aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  #handle(): Release {
    let released = false;
    const release = () => {
      if (released) return; // idempotent: a double release must not mint a permit
      released = true;
      const next = this.#waiters.shift();
      if (next)
        next(); // hand the permit over directly
      else this.#free++;
    };
    return {
      release,
      [Symbol.dispose]: release,
      [Symbol.asyncDispose]: async () => release(),
    };
  }
}

/** Mutual exclusion: a {@link Semaphore} of one permit. */
export class Mutex {
  readonly #sem = new Semaphore(1);

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.#sem.available === 0;
  }

  acquire(opts: { signal?: AbortSignal } = {}): Promise<Release> {
    return this.#sem.acquire(opts);
  }
}
