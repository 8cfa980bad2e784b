// Fault-injection soak in Chromium: one pool of 2 real workers running SOAK_CHUNKS chunks of
// concurrent calls (plan.ts) with injected panics, worker kills, hangs under timeoutMs,
// aborted calls and replacement workers whose script fails to load (faults.ts); then sync
// mode's jobs aborted and timed out in a loop. Every non-faulty result must come back right
// and in order, every fault as its typed error, and the pool (and the coordinator) must end
// holding nothing. Size: SOAK_CHUNKS (default 1 000; `npm run soak` runs 10 000), seed:
// SOAK_SEED (printed, to replay a failure).
import { afterAll, describe, expect, it } from "vitest";
import {
  AbortError,
  createPool,
  KernelError,
  type Pool,
  PoolTerminatedError,
  type Settled,
  TimeoutError,
} from "../../dist/index.js";
import { compileModule } from "../../dist/pool/module.js";
import { Pool as PoolWithSpawn } from "../../dist/pool/pool.js";
import { testKernels } from "../browser/fixtures/test-kernels.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { coordinatorHolds, StartFaults } from "./faults.js";
import { type CallPlan, checkMap, checkSettled, newTally, planCalls, rng, type Tally } from "./plan.js";

declare const __SOAK_CHUNKS__: number;
declare const __SOAK_SEED__: number;
const CHUNKS = __SOAK_CHUNKS__;
const SEED = __SOAK_SEED__;
/** Calls in flight at once. */
const LANES = 6;
/** Abort delays (ms) of the first sync rounds: the window in which a job has just started. */
const EARLY_ABORTS = [0, 2, 5];
/** A call unsettled this long is counted pending (the soak goes on, then fails). */
const WATCHDOG_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  for (const end = performance.now() + ms; performance.now() < end; await sleep(10)) if (ok()) return true;
  return ok();
}

/** The promise's outcome, or undefined if it is still pending after WATCHDOG_MS. */
async function settledWithin(p: Promise<unknown>): Promise<{ value: unknown } | { error: unknown } | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<undefined>((r) => {
    timer = setTimeout(r, WATCHDOG_MS, undefined);
  });
  try {
    return await Promise.race([
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      watchdog,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const pools: Pool<Kernels>[] = [];
afterAll(() => {
  for (const p of pools) p.terminate();
});

/** Runs one planned call on the pool and checks its outcome into the tally. */
async function run(pool: Pool<Kernels>, plan: CallPlan, t: Tally): Promise<void> {
  const ctl = plan.abortAfterMs === undefined ? undefined : new AbortController();
  const opts = { chunkSize: plan.chunkSize, timeoutMs: plan.timeoutMs, signal: ctl?.signal };
  const kernel = plan.kernel as "failOn7"; // every soak kernel maps a number to a number
  const call: Promise<unknown> = plan.settled
    ? pool.mapSettled(kernel, plan.items, opts)
    : pool.map(kernel, plan.items, opts);
  if (ctl) setTimeout(() => ctl.abort("soak"), plan.abortAfterMs);
  const outcome = await settledWithin(call);
  t.chunks += plan.chunks;
  if (outcome === undefined) {
    t.pending++;
    t.problems.push(`call #${plan.seq} (${plan.kernel}): still pending after ${WATCHDOG_MS} ms`);
  } else if (plan.settled) {
    if ("error" in outcome) t.problems.push(`call #${plan.seq}: mapSettled rejected: ${outcome.error}`);
    checkSettled(t, plan, "value" in outcome ? (outcome.value as Settled<number>[]) : []);
  } else checkMap(t, plan, outcome);
}

describe(`soak: ${CHUNKS} chunks with injected faults on 2 workers`, () => {
  it("every result right and in order, every fault its typed error; nothing lost, pending or leaked", async () => {
    const started = performance.now();
    const rand = rng(SEED);
    const faults = new StartFaults(rand, 2, 0.25);
    const module = await compileModule(testKernels.wasm);
    const pool = new PoolWithSpawn<Kernels>({ module, glue: testKernels.glue.href }, { concurrency: 2 }, faults.spawn);
    pools.push(pool);
    await pool.ready;

    // How long the page's main thread went without running a task (a loaded machine shows here).
    let stall = 0;
    let beat = performance.now();
    const heartbeat = setInterval(() => {
      stall = Math.max(stall, performance.now() - beat - 50);
      beat = performance.now();
    }, 50);
    const plans = planCalls(rand, CHUNKS);
    const t = newTally();
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < plans.length) await run(pool, plans[next++]!, t);
      }),
    );
    const loadSeconds = (performance.now() - started) / 1000;
    clearInterval(heartbeat);

    // Back to rest: both workers (a replacement may be waiting out its back-off), nothing queued or in flight.
    await until(() => {
      const s = pool.stats();
      return s.workers === 2 && s.idle === 2 && s.queued === 0 && s.inflight === 0;
    }, 5_000);
    const rest = pool.stats();
    const summary =
      `soak: chunks=${t.chunks}, ok=${t.ok}, kernelErrors=${t.kernelErrors}, timeouts=${t.timeouts}, ` +
      `aborts=${t.aborts}, crashes=${t.crashes}, startFailures=${rest.startFailures}, lost=${t.lost}, pending=${t.pending}`;
    console.log(summary);
    console.log(
      `soak: seed=${SEED}, calls=${plans.length}, respawned=${rest.respawned}, injected start failures=${faults.injected}, ` +
        `longest main-thread stall ${stall.toFixed(0)} ms, load ${loadSeconds.toFixed(1)} s`,
    );
    if (t.problems.length > 0) console.log(`soak problems (first ${t.problems.length}):\n  ${t.problems.join("\n  ")}`);
    expect(t.lost, summary).toBe(0);
    expect(t.pending, summary).toBe(0);
    expect(t.problems).toEqual([]);
    expect(rest).toMatchObject({ workers: 2, idle: 2, queued: 0, inflight: 0, startError: undefined });
    expect(rest.startFailures).toBe(faults.injected);
    // The faults really happened (a soak that injects nothing proves nothing).
    expect(t.kernelErrors).toBeGreaterThan(0);
    expect(t.timeouts + t.crashes + rest.startFailures).toBeGreaterThan(0);

    // Wasm memory stays flat over 1 000 small calls, half of them failing (the Err path).
    for (let i = 0; i < 100; i++) await pool.call("failOn7", i * 7 + 1);
    const before = pool.stats();
    for (let i = 0; i < 1000; i++) {
      if (i % 2 === 0) expect(await pool.call("failOn7", i * 7 + 1)).toBe(i * 7 + 2);
      else await expect(pool.call("failOn7", i * 7)).rejects.toBeInstanceOf(KernelError);
    }
    const after = pool.stats();
    expect(after.respawned).toBe(before.respawned);
    expect(after.wasmMemoryBytes, "wasm memory after 1 000 small calls").toBe(before.wasmMemoryBytes);

    // terminate(): every pending call settles, no worker is left, later calls reject.
    const hung = pool.map("spin", [60_000, 60_000], { chunkSize: 1 });
    const hungSettled = pool.mapSettled("spin", [60_000]);
    await sleep(20);
    pool.terminate();
    await expect(hung).rejects.toBeInstanceOf(PoolTerminatedError);
    expect((await hungSettled)[0]).toMatchObject({ ok: false, error: expect.any(PoolTerminatedError) });
    expect(pool.stats()).toMatchObject({ workers: 0, inflight: 0 });
    await expect(pool.map("spin", [1])).rejects.toBeInstanceOf(PoolTerminatedError);
    console.log(`soak: ${CHUNKS} chunks done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it("sync mode: jobs aborted and timed out in a loop leave the executor working and the coordinator holding nothing", async () => {
    const started = performance.now();
    const rand = rng(SEED ^ 0x5a5a5a5a);
    const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };
    const pool = await createPool<Kernels>({ concurrency: 2, module: testKernels, sync });
    pools.push(pool);
    // The coordinator serves the whole browser: what another test file left there is not ours.
    const before = await coordinatorHolds();
    const rounds = Math.max(5, Math.round(CHUNKS / 100));
    const seen = { aborted: 0, timedOut: 0, completed: 0, kernelErrors: 0 };
    const problems: string[] = [];
    const settle = async (job: Promise<unknown>, want: (v: unknown) => boolean, what: string) => {
      const out = await settledWithin(job);
      if (out === undefined) problems.push(`${what}: still pending after ${WATCHDOG_MS} ms`);
      else if ("value" in out) {
        if (want(out.value)) seen.completed++;
        else problems.push(`${what}: resolved with ${String(out.value).slice(0, 80)}`);
      } else if (out.error instanceof AbortError && what.startsWith("abort")) seen.aborted++;
      else if (out.error instanceof TimeoutError && what.startsWith("timeout")) seen.timedOut++;
      else if (out.error instanceof KernelError && what.startsWith("panic")) seen.kernelErrors++;
      else problems.push(`${what}: rejected with ${(out.error as Error)?.name}: ${(out.error as Error)?.message}`);
    };
    for (let r = 0; r < rounds; r++) {
      // 12 chunks of 10 ms on 2 workers: ≈ 60 ms of work, cut short somewhere.
      const ctl = new AbortController();
      const aborted = pool.execute("spinSync", [12, 10], { signal: ctl.signal });
      // The first rounds abort at once: while the executor's first wait is on its way.
      setTimeout(() => ctl.abort("soak"), r < EARLY_ABORTS.length ? EARLY_ABORTS[r]! : Math.floor(rand() * 60));
      await settle(aborted, (v) => v === 120, `abort #${r}`);
      const timeoutMs = 10 + Math.floor(rand() * 70);
      await settle(
        pool.execute("spinSync", [12, 10], { timeoutMs }),
        (v) => v === 120,
        `timeout #${r} (${timeoutMs} ms)`,
      );
      if (r % 3 === 0) {
        const start = r % 2 === 0 ? 0 : 100 + r; // a range holding 13 makes its inner kernel panic
        await settle(
          pool.execute("plusOneRange", [start, 50]),
          (v) => (v as Uint32Array).length === 50 && (v as Uint32Array).every((x, i) => x === start + i + 1),
          `${start === 0 ? "panic" : "plain"} job #${r}`,
        );
      }
    }
    // The executor still works, and nothing is held anywhere.
    expect(Array.from(await pool.execute("plusOneRange", [1_000, 100]))).toEqual(
      Array.from({ length: 100 }, (_, i) => 1_001 + i),
    );
    const held = async () => {
      const now = await coordinatorHolds();
      return { tickets: now.tickets - before.tickets, bytes: now.bytes - before.bytes };
    };
    let holds = await held();
    for (const end = performance.now() + 5_000; holds.tickets > 0 && performance.now() < end; await sleep(100)) {
      holds = await held();
    }
    const stats = pool.stats();
    console.log(
      `soak sync: rounds=${rounds}, aborted=${seen.aborted}, timedOut=${seen.timedOut}, completed=${seen.completed}, ` +
        `kernelErrors=${seen.kernelErrors}, tickets=${holds.tickets}, bytes=${holds.bytes}, ` +
        `syncReruns=${stats.syncReruns}, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(problems).toEqual([]);
    expect(seen.aborted + seen.timedOut).toBeGreaterThan(0);
    expect(holds).toEqual({ tickets: 0, bytes: 0 });
    expect(stats).toMatchObject({ queued: 0, inflight: 0, workers: 2 });
    pool.terminate();
    expect(pool.stats().workers).toBe(0);
  });
});
