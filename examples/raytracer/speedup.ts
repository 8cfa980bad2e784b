// The speedup line: the best warm frame at n workers against the best warm frame at 1 worker,
// same frame, same mode. Pure logic; main.ts shows what it returns.

/** What the page shows, and the two frame times it compared (its `data-` attributes). */
export interface Verdict {
  kind: "none" | "speedup" | "above-bound";
  text: string;
  workers?: number;
  oneWorkerMs?: number;
  workersMs?: number;
}

/** Warm frame times per frame setting and worker count. */
export class Timings {
  readonly #ms = new Map<string, number[]>();

  /** Records a timed frame. Only warm frames belong here (main.ts warms each pool first). */
  add(setting: string, workers: number, ms: number): void {
    const key = `${setting}/${workers}`;
    this.#ms.set(key, [...(this.#ms.get(key) ?? []), ms]);
  }

  /**
   * Compares the fastest frame at `workers` with the fastest at 1 worker.
   *
   * Why the fastest of each, not the last: on a shared machine other work only ever adds time
   * to a frame, so each count's fastest frame is the closest to its undisturbed time, and the
   * same rule at both counts keeps the comparison like with like. Still, 1-worker frames all
   * slowed by something (other load, power saving) can make the ratio exceed what is
   * possible: n workers do at most n times the work of one, on at most `cores` cores (the
   * frame's working set is a few spheres: no cache effect makes it superlinear). Such a ratio
   * is shown with that reason, never as a speedup.
   */
  verdict(setting: string, workers: number, cores: number): Verdict {
    const best = (n: number) => {
      const ms = this.#ms.get(`${setting}/${n}`);
      return ms && { ms: Math.min(...ms), of: ms.length };
    };
    const one = best(1);
    const many = best(workers);
    const frames = (b: { of: number }) => `best of ${b.of} warm frame${b.of > 1 ? "s" : ""}`;
    if (workers === 1)
      return one
        ? { kind: "none", text: `1 worker: ${one.ms.toFixed(0)} ms (${frames(one)}); render with more to compare` }
        : { kind: "none", text: "" };
    if (!one || !many)
      return { kind: "none", text: `speedup: needs a frame of this setting at 1 and at ${workers} workers` };
    const ratio = one.ms / many.ms;
    const bound = Math.min(workers, cores);
    const shown = { workers, oneWorkerMs: one.ms, workersMs: many.ms };
    const times = `${many.ms.toFixed(0)} ms (${frames(many)}) against 1 worker's ${one.ms.toFixed(0)} ms (${frames(one)})`;
    if (ratio <= bound)
      return { kind: "speedup", text: `speedup ${ratio.toFixed(2)}× on ${workers} workers: ${times}`, ...shown };
    return {
      kind: "above-bound",
      text:
        `no speedup shown: ${workers} workers measured ${ratio.toFixed(2)}× faster, ${times}, more than ` +
        `${workers} workers on ${cores} cores can be; something slowed the 1-worker frames (other load, ` +
        "power saving): render with 1 worker again",
      ...shown,
    };
  }
}
