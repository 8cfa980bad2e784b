// The bench's sync-mode section: one parallel-iterator collect, Rust → pool → Rust, blocking
// (`collect_vec_sync()` in a job) on each sync path next to `collect_vec().await` from
// main-thread wasm, both through the same kernel (the test-kernels module's
// `syncRoundTripMs` job and `asyncRoundTripMs` export). Figures, in µs (details.mjs prints
// them): `sync.<path>.<items>item_us` and `sync.<path>.note` per path, `async.<items>item_us`.
import { createPool } from "../dist/index.js";
import { median } from "./timing.ts";

/** A pool as this section drives it: the job, and the teardown. */
interface SyncPool {
  execute(job: "syncRoundTripMs", input: [n: number, items: number]): Promise<number>;
  exposeToRust(): Disposable;
  terminate(): void;
}

/** The kernel module the section runs: the test kernels (they carry the round-trip job). */
export interface RoundTripModule {
  module: { wasm: URL; glue: URL };
  rust: { asyncRoundTripMs(n: number, items: number): Promise<number> };
}

/**
 * One way a job's `collect_vec_sync()` can block and be answered. A path is listed here with
 * how to start a 2-worker pool that takes it; the section times each the same way.
 */
interface SyncPath {
  path: string;
  note: string;
  start(module: RoundTripModule["module"]): Promise<SyncPool>;
}

export const SYNC_PATHS: SyncPath[] = [
  {
    path: "page-executor",
    note: "SyncExecutor worker blocked on a sync XHR, answered by the coordinator service worker",
    start: async (module) =>
      (await createPool({
        concurrency: 2,
        module,
        sync: { serviceWorker: new URL("../dist/sw.js", import.meta.url) },
      })) as unknown as SyncPool,
  },
];

/** Items per collect: one, and two (two chunks of one, for the two compute workers). */
export const SYNC_ITEMS = [1, 2] as const;
/** Round trips per sample (the job returns their mean), and samples: the figure is their median. */
const PER_SAMPLE = 200;
export const SYNC_SAMPLES = 9;

export async function syncRoundTrips(m: RoundTripModule, out: Record<string, number | string>): Promise<void> {
  for (const p of SYNC_PATHS) {
    const pool = await p.start(m.module);
    // Main-thread Rust reaches the same pool's compute workers for the async figure.
    using _host = pool.exposeToRust();
    const variants: Array<[string, () => Promise<number>]> = [];
    for (const items of SYNC_ITEMS) {
      variants.push([`sync.${p.path}.${items}item_us`, () => pool.execute("syncRoundTripMs", [PER_SAMPLE, items])]);
      // The async figures are the same whichever sync path the pool has: taken with the first.
      if (p === SYNC_PATHS[0])
        variants.push([`async.${items}item_us`, () => m.rust.asyncRoundTripMs(PER_SAMPLE, items)]);
    }
    for (const items of SYNC_ITEMS) {
      await pool.execute("syncRoundTripMs", [50, items]); // warm-up (the first delivery also sets up the kept port)
      await m.rust.asyncRoundTripMs(50, items);
    }
    // Interleaved, so a noisy stretch of the shared machine hits every variant alike.
    const samples = new Map<string, number[]>(variants.map(([k]) => [k, []]));
    for (let s = 0; s < SYNC_SAMPLES; s++) for (const [k, run] of variants) samples.get(k)!.push(await run());
    for (const [k, ms] of samples) out[k] = median(ms) * 1000;
    out[`sync.${p.path}.note`] = p.note;
    pool.terminate();
  }
  // The keys results.json has always had: the page executor, one item.
  out.syncCollectUs = out["sync.page-executor.1item_us"] as number;
  out.asyncCollectUs = out["async.1item_us"] as number;
}
