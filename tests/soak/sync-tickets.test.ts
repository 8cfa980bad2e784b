// What the soak's sync rounds found, pinned at its two moments: a job aborted just after it
// started must leave no ticket at the coordinator. The abort is timed from the executor's
// own traffic (a spawn wrapper sees it): (a) as soon as the page posted the job, before the
// executor's pipe message (with its ticket) reached the page; (b) the moment that message
// arrives, so the page's `forget` races the executor's first wait (`open=1`).
import { afterAll, describe, expect, it } from "vitest";
import { AbortError } from "../../dist/index.js";
import type { SpawnWorker } from "../../dist/pool/backend.js";
import { spawnBrowserWorker } from "../../dist/pool/browser-worker.js";
import { compileModule } from "../../dist/pool/module.js";
import { Pool } from "../../dist/pool/pool.js";
import { startCoordinator } from "../../dist/sync/link.js";
import { testKernels } from "../browser/fixtures/test-kernels.js";
import type { Kernels } from "../test-kernels/pkg/wasm_pmap_test_kernels.js";
import { coordinatorHolds } from "./faults.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Called when the page posts a job to the executor / when the executor's pipe message arrives. */
const hooks: { run?: () => void; pipe?: () => void } = {};
const spawn: SpawnWorker = (name, events) => {
  const executor = name.endsWith("executor");
  const w = spawnBrowserWorker(name, {
    message: (m) => {
      events.message(m);
      if (executor && m.type === "pipe" && m.ticket) hooks.pipe?.();
    },
    error: events.error,
  });
  return {
    post: (m, transfer) => {
      w.post(m, transfer);
      if (executor && m.type === "run") hooks.run?.();
    },
    terminate: () => w.terminate(),
  };
};

const sync = { serviceWorker: new URL("../../dist/sw.js", import.meta.url) };
let pool: Pool<Kernels>;
afterAll(() => pool?.terminate());

async function started(): Promise<Pool<Kernels>> {
  pool ??= new Pool<Kernels>(
    { module: await compileModule(testKernels.wasm), glue: testKernels.glue.href },
    { concurrency: 2, sync },
    spawn,
    { link: await startCoordinator(sync) },
  );
  await pool.ready;
  return pool;
}

/** Tickets the coordinator holds after `times` jobs aborted at `when`, beyond those before. */
async function abortedJobs(when: "run" | "pipe", times: number): Promise<number> {
  const pool = await started();
  const before = (await coordinatorHolds()).tickets;
  for (let i = 0; i < times; i++) {
    const ctl = new AbortController();
    hooks[when] = () => {
      hooks[when] = undefined;
      if (when === "run") setTimeout(() => ctl.abort("soak"), 0);
      else ctl.abort("soak");
    };
    await expect(pool.execute("spinSync", [12, 10], { signal: ctl.signal })).rejects.toBeInstanceOf(AbortError);
  }
  await sleep(500); // every forget has landed by now
  return (await coordinatorHolds()).tickets - before;
}

describe("sync mode: a job aborted just after it started leaves no ticket at the coordinator", () => {
  it("(control) jobs that complete leave none", async () => {
    const pool = await started();
    const before = await coordinatorHolds(); // the other soak file may have run first, in this browser
    for (let i = 0; i < 3; i++) expect(await pool.execute("spinSync", [4, 1])).toBe(4);
    expect(await coordinatorHolds()).toEqual(before);
  });

  it("(a) aborted before its executor's ticket reached the page", async () => {
    expect(await abortedJobs("run", 5)).toBe(0);
  });

  it("(b) aborted the moment its ticket reached the page (the forget races the executor's first wait)", async () => {
    expect(await abortedJobs("pipe", 10)).toBe(0);
  });
});
