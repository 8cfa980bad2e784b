/**
 * Runs on the page. How many workers a pool runs, over time — a pool that breathes: it grows
 * on demand up to `maxWorkers` while chunks wait that no worker is free to take, releases a
 * worker idle past `idleTimeoutMs` down to `minWorkers`, and `shrink(n)` releases workers
 * now (idle ones at once, busy ones once their chunks are answered). Pure logic, used by
 * dispatch.ts, which owns the workers.
 *
 * Why release (terminate) rather than park an idle worker: wasm memory never shrinks. A worker
 * that once held a big chunk keeps that peak for as long as it lives; ending it is the only
 * way to give the memory back.
 *
 * Released slots: a slot's index is a position in the pool, kept through replacements. A
 * release empties the position; growing fills the lowest empty one first. So indices stay
 * below the most workers the pool ever had at once, a worker's name (`wasm-pmap-3`) and
 * `onProgress`'s `worker` name a position, and what the dispatcher keeps per position (the
 * memory last reported, start-up back-off) goes with the worker, never to the next one.
 */
import type { KernelInfo } from "../protocol/kernel-module.js";
import type { PoolOptions } from "./options.js";
import type { WorkerSlot } from "./worker-slot.js";

/** A pool's size bounds. */
export interface Limits {
  /** Workers started with the pool. */
  initial: number;
  /** Idle release and `shrink` stop here. */
  min: number;
  /** Growing on demand stops here (`grow(n)` raises it, `shrink(n)` lowers it). */
  max: number;
  /** Idle this long, a worker beyond `min` is released (Infinity: never). */
  idleTimeoutMs: number;
}

/** The longest delay setTimeout takes (≈ 24.8 days). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A fixed dispatcher: the workers `grow` asks for, none added or released on its own. */
export const FIXED: Limits = { initial: 0, min: 0, max: 0, idleTimeoutMs: Infinity };

/** The bounds `createPool`'s options ask for; a RangeError naming the option for nonsense.
 * Without `minWorkers` / `maxWorkers` / `idleTimeoutMs` the pool is fixed, as before them. */
export function poolLimits(opts: PoolOptions, cores: number): Limits {
  const { concurrency, minWorkers, maxWorkers, idleTimeoutMs } = opts;
  if (concurrency !== undefined) whole("concurrency", concurrency, 1);
  if (minWorkers !== undefined) whole("minWorkers", minWorkers, 0);
  if (maxWorkers !== undefined) whole("maxWorkers", maxWorkers, 1);
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0))
    throw new RangeError(`idleTimeoutMs must be > 0, got ${idleTimeoutMs}`);
  if (minWorkers === undefined && maxWorkers === undefined && idleTimeoutMs === undefined) {
    const n = concurrency ?? cores;
    return { initial: n, min: n, max: n, idleTimeoutMs: Infinity };
  }
  const min = minWorkers ?? 0;
  // Why never below `min` by default: the machine's core count must not turn a valid
  // `minWorkers` into an error on a smaller machine.
  const max = maxWorkers ?? Math.max(concurrency ?? cores, min);
  if (min > max) throw new RangeError(`minWorkers (${min}) must be ≤ maxWorkers (${max})`);
  // At least one worker at the start, even for `minWorkers: 0`: the pool learns its module's
  // kernels from a worker. It is released like any other once idle.
  const initial = concurrency ?? Math.max(min, 1);
  if (initial < min || initial > max)
    throw new RangeError(`concurrency (${initial}) must be between minWorkers (${min}) and maxWorkers (${max})`);
  return { initial, min, max, idleTimeoutMs: idleTimeoutMs ?? Infinity };
}

function whole(name: string, v: number, least: number): void {
  if (!Number.isInteger(v) || v < least)
    throw new RangeError(`${name} must be ${least ? "a positive" : "a non-negative"} integer, got ${v}`);
}

/** What the policy needs from the dispatcher. */
export interface Workforce {
  /** Starts a worker in slot `index`. */
  spawn(index: number): WorkerSlot;
  /** A slot's worker was released: what the dispatcher keeps for that slot goes too. */
  released(slot: WorkerSlot): void;
  /** The ceiling (`max`, the pool's size) changed. */
  resized(): void;
}

/** A dispatcher's slots, and when to add and release them. */
export class Elastic {
  /** By index; a released slot leaves a gap, which the next worker added fills. */
  readonly #slots: (WorkerSlot | undefined)[] = [];
  min: number;
  max: number;
  readonly idleTimeoutMs: number;
  /** Workers released so far (idle timeout, shrink). */
  released = 0;
  /** Idle clocks by slot. `undefined`: ran out while the pool was at `min`, so the slot stays,
   * and its clock is not started again until it has worked. */
  readonly #idle = new Map<WorkerSlot, ReturnType<typeof setTimeout> | undefined>();
  /** `shrink` promises, resolved once no slot is leaving. */
  readonly #waiting: (() => void)[] = [];
  readonly #pool: Workforce;

  constructor(limits: Limits, pool: Workforce) {
    ({ min: this.min, max: this.max, idleTimeoutMs: this.idleTimeoutMs } = limits);
    this.#pool = pool;
  }

  /** The slots that hold a worker (or one due to replace it after a failed start). */
  slots(): WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
  }

  /** Is `slot` still the pool's? (not replaced, released, nor closed) */
  holds(slot: WorkerSlot): boolean {
    return this.#slots[slot.index] === slot;
  }

  /** Puts a replacement in its slot. */
  put(slot: WorkerSlot): void {
    this.#slots[slot.index] = slot;
  }

  /** `grow(n)`: the ceiling rises to `n`, and workers are added to have `n`; each added
   * worker's kernels once it is ready ([] if released before). */
  raise(n: number): Promise<KernelInfo[]>[] {
    this.#ceiling(Math.max(this.max, n));
    return Array.from({ length: this.#keep(n - kept(this.slots()).length) }, () => this.#add());
  }

  /** Chunks wait that `demand` more workers could take now: adds them, up to the ceiling;
   * returns how many. Why the starting ones count as taken: each takes a chunk once ready. */
  more(demand: number): number {
    const slots = kept(this.slots());
    const starting = slots.filter((s) => !s.isReady).length;
    const n = this.#keep(Math.min(this.max - slots.length, demand - starting));
    for (let i = 0; i < n; i++) this.#add().catch(() => {}); // a failed start is the dispatcher's
    return n;
  }

  /**
   * Releases workers down to `n` and lowers the bounds to it: idle ones first (nothing lost,
   * their memory back at once), then ones still starting (nothing run yet), busy ones last —
   * those stop taking chunks and go when their chunks in flight are answered, so no chunk is
   * lost or run twice. Resolves once none is left to go.
   */
  shrink(n: number): Promise<void> {
    this.#ceiling(Math.min(this.max, n));
    this.min = Math.min(this.min, n);
    const slots = kept(this.slots());
    const rank = (s: WorkerSlot) => (!s.isReady || s.dead ? 1 : s.inflight.size === 0 ? 0 : 1 + s.inflight.size);
    slots.sort((a, b) => rank(a) - rank(b) || b.index - a.index);
    for (const s of slots.slice(0, Math.max(0, slots.length - n))) {
      if (rank(s) > 1) s.leaving = true;
      else this.release(s);
    }
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#settled();
    });
  }

  /** After every pump: a leaving slot with nothing in flight goes now; an idle one's clock
   * starts (unless running); a busy one's stops. */
  rest(): void {
    for (const s of this.slots()) {
      if (!s.isReady || s.dead) continue;
      if (s.inflight.size > 0) this.forget(s);
      else if (s.leaving) this.release(s);
      else if (!this.#idle.has(s) && Number.isFinite(this.idleTimeoutMs))
        // Why capped: a delay past 2^31 − 1 ms overflows setTimeout, which then fires at once.
        this.#idle.set(
          s,
          setTimeout(() => this.#expired(s), Math.min(this.idleTimeoutMs, MAX_DELAY_MS)),
        );
    }
  }

  /** Ends a slot's worker for good and empties the slot (idle, shrunk, or leaving and then
   * crashed or aborted). */
  release(slot: WorkerSlot): void {
    this.forget(slot);
    this.released++;
    slot.leaving = true; // a start it had under way resolves `raise`'s promise, not rejects it
    slot.terminate();
    this.#slots[slot.index] = undefined;
    while (this.#slots.length > 0 && this.#slots.at(-1) === undefined) this.#slots.pop();
    this.#pool.released(slot);
    this.#settled();
  }

  /** Drops a slot's idle clock (it works, or is gone). */
  forget(slot: WorkerSlot): void {
    clearTimeout(this.#idle.get(slot));
    this.#idle.delete(slot);
  }

  /** The dispatcher closed: every worker ends, no clock runs on, no `shrink` waits. */
  clear(): void {
    for (const s of this.slots()) s.terminate();
    this.#slots.length = 0;
    for (const t of this.#idle.values()) clearTimeout(t);
    this.#idle.clear();
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  #ceiling(max: number): void {
    const changed = max !== this.max;
    this.max = max;
    if (changed) this.#pool.resized();
  }

  /** Starts a worker in the lowest free slot. */
  #add(): Promise<KernelInfo[]> {
    const free = this.#slots.indexOf(undefined);
    const slot = this.#pool.spawn(free < 0 ? this.#slots.length : free);
    this.#slots[slot.index] = slot;
    return slot.ready.catch((err: unknown) => {
      if (slot.leaving) return [];
      throw err;
    });
  }

  #expired(slot: WorkerSlot): void {
    this.#idle.set(slot, undefined);
    const slots = this.slots();
    // Checked now, not when the clock started: the slot may have been replaced, shrunk away or
    // given work since, and other releases may have brought the pool down to `min`.
    if (!slots.includes(slot) || slot.inflight.size > 0 || slot.leaving) return;
    if (kept(slots).length > this.min) this.release(slot);
  }

  /** Takes leaving slots back (cheaper than new workers) for up to `n` wanted; returns how
   * many are still to add. */
  #keep(n: number): number {
    for (const s of this.slots()) {
      if (n <= 0) break;
      if (s.leaving) {
        s.leaving = false;
        n--;
      }
    }
    this.#settled();
    return Math.max(0, n);
  }

  #settled(): void {
    if (!this.slots().some((s) => s.leaving)) for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

/** The slots that stay (not leaving). */
function kept(slots: WorkerSlot[]): WorkerSlot[] {
  return slots.filter((s) => !s.leaving);
}
