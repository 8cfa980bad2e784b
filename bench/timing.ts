// What every bench page shares: medians of timed runs, and a digest to check that two
// variants drew the same image.

/** Figures a page reports, under the stable keys bench/run.mjs writes to results.json. */
export type Figures = Record<string, number>;

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall time of `runs` calls of `f`, in ms (the caller warms up first). */
export async function time(runs: number, f: () => Promise<unknown> | unknown): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bench's parameters, from the page's query string (bench/run.mjs sets them). */
export function params() {
  const q = new URLSearchParams(location.search);
  const num = (k: string, d: number) => Number(q.get(k) ?? d);
  return {
    quick: q.has("quick"),
    size: num("size", 2048),
    maxIter: num("iter", 256),
    runs: num("runs", 5),
    /** Worker counts: 1, 2 and navigator.hardwareConcurrency (deduplicated). */
    counts: [...new Set([1, 2, navigator.hardwareConcurrency || 2])].sort((a, b) => a - b),
    /** Elements of the memory-bound sqrt case's Float64Array. */
    sqrtN: num("sqrtN", 8 << 20),
  };
}

/** The memory-bound case's input: i + 0.5 (the same for every variant). */
export const sqrtInput = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 0.5);

/**
 * Medians of `runs` rounds in which every variant runs once, in turn: on a shared, noisy
 * machine, load that comes and goes then falls on all of them alike, so their ratios
 * hold better than those of variants timed one block after another. Warm up first.
 */
export async function rounds(runs: number, variants: Record<string, () => unknown>): Promise<Figures> {
  const ts: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < runs; r++)
    for (const [k, f] of Object.entries(variants)) {
      const t0 = performance.now();
      await f();
      ts[k]!.push(performance.now() - t0);
    }
  return Object.fromEntries(Object.entries(ts).map(([k, v]) => [k, median(v)]));
}
