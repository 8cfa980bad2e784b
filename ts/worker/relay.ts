/**
 * Runs in a worker: the relay of a pool started from an app's own worker
 * (`initPoolSyncFromWorker`, ts/worker/from-worker.ts). That worker is the SyncExecutor: it
 * blocks in `collect_vec_sync()` and cannot receive messages meanwhile, so the pool —
 * dispatcher, compute workers, answers — lives here instead of on the page. The relay runs
 * the executor's pipes on its compute workers (balanced as on the page: a slow worker's
 * queued chunks go to the others) and hands a blocked executor its answer through the
 * coordinator (POST, this script being in its scope) or an answer slot (Atomics).
 *
 * Why a worker of its own and not the page: the app's worker may have been started by
 * anything, and nothing of wasm-pmap runs on its page.
 *
 * `serveRelay(spawn)` is called by the relay's script: relay-entry.ts (the package's, whose
 * compute workers are the package's entry.js) or the Rust runtime (ts/rust/runtime.ts).
 */
import type { SpawnWorker } from "../pool/backend.js";
import { Pool } from "../pool/pool.js";
import { PoolStartError } from "../protocol/errors.js";
import { HOST_KEY } from "../protocol/kernel-module.js";
import type { ExecutorRequest, FromRelay, ToRelay } from "../protocol/messages.js";
import { PING_BODY } from "../protocol/routes.js";
import { type CoordinatorLink, fetchLink } from "../sync/link.js";
import { PipeServer } from "../sync/serve-pipes.js";

declare const self: {
  onmessage: ((e: MessageEvent<ToRelay>) => void) | null;
  onmessageerror: (() => void) | null;
  postMessage(m: FromRelay): void;
};

type Host = { run(label: string, payloads: Uint8Array[]): Promise<Uint8Array[]> };

let spawnCompute: SpawnWorker | undefined;
let pool: Pool | undefined;
/** Runs the executor's pipes on the pool and answers them (serve-pipes.ts, as on the page). */
let pipes: PipeServer | undefined;
/** Requests that arrived before the pool was ready. */
let early: ExecutorRequest[] | undefined = [];

const post = (m: FromRelay) => self.postMessage(m);

/** Makes this worker a relay whose compute workers `spawn` starts. */
export function serveRelay(spawn: SpawnWorker): void {
  spawnCompute = spawn;
  self.onmessage = (e) => {
    const m = e.data;
    if (m.type === "relay-init") void start(m);
    else if (m.type === "relay-grow") {
      const report = () => post({ type: "workers", n: pool?.size ?? 0 });
      pool ? pool.grow(m.n).then(report, report) : report();
    } else if (early) early.push(m);
    else serve(m);
  };
  // A message that cannot be deserialised here (e.g. a WebAssembly.Module the browser will
  // not share with this worker): say so rather than leave the executor waiting.
  self.onmessageerror = () =>
    post({ type: "relay-error", message: "the relay could not receive a message (messageerror)" });
}

async function start(m: Extract<ToRelay, { type: "relay-init" }>): Promise<void> {
  let link: CoordinatorLink | undefined;
  const progress = (step: string) => post({ type: "relay-progress", step });
  try {
    if (m.coordinator !== undefined) {
      progress(`the relay runs; asking the coordinator at ${m.coordinator}ping`);
      await pingFromHere(m.coordinator);
      if (m.answerKey === undefined) throw new PoolStartError("the relay got no answer key for the coordinator");
      link = fetchLink(m.coordinator, m.answerKey);
    }
    await keepLease(m);
    progress(`the relay runs; starting ${m.concurrency} compute workers`);
    pool = new Pool({ module: m.module, glue: m.glue }, { concurrency: m.concurrency }, spawnCompute!);
    const starting = pool;
    const report = () => {
      const s = starting.stats();
      progress(
        `${s.idle} of ${m.concurrency} compute workers ready, ${s.startFailures} failed starts` +
          (s.startError ? ` (last: ${s.startError})` : ""),
      );
    };
    starting.addEventListener("change", report);
    await starting.ready.finally(() => starting.removeEventListener("change", report));
    pool.exposeToRust(); // its host is how pipes run (nothing else here reads it)
    const host = (globalThis as Record<symbol, unknown>)[HOST_KEY] as Host;
    pipes = new PipeServer({ run: (label, payloads) => host.run(label, payloads), link });
    post({ type: "relay-ready", workers: pool.size });
  } catch (err) {
    pool?.terminate();
    post({ type: "relay-error", message: (err as Error)?.message ?? String(err) });
    return;
  }
  const queued = early ?? [];
  early = undefined;
  for (const r of queued) serve(r);
}

/**
 * What tells a blocked executor that this relay died (it hears no events while blocked): a
 * Web Lock held for as long as this worker lives, which the browser releases when it dies and
 * the coordinator checks (routes.ts LEASE_PREFIX); or, on the Atomics path, a heartbeat in
 * memory the executor watches (answer-slot.ts `heartbeat`).
 */
async function keepLease(m: Extract<ToRelay, { type: "relay-init" }>): Promise<void> {
  if (m.beat) {
    const cell = new Int32Array(m.beat);
    setInterval(() => Atomics.add(cell, 0, 1), 1_000);
  }
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (m.lease === undefined || !locks) return;
  // Resolves once the lock is held; the lock's callback never settles, so it is held for good.
  await new Promise<void>((held) => {
    void locks.request(m.lease!, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
}

/** The relay answers through the coordinator only if the coordinator controls it. */
async function pingFromHere(coordinator: string): Promise<void> {
  let status = 0;
  let body = "";
  try {
    const r = await fetch(`${coordinator}ping`, { signal: AbortSignal.timeout(10_000) });
    status = r.status;
    body = await r.text();
  } catch {}
  if (status !== 200 || !body.startsWith(PING_BODY)) {
    throw new PoolStartError(
      `sync mode from a worker: no coordinator answers the relay at ${coordinator}ping (HTTP ${status || "network error"}); ` +
        `the coordinator's scope must contain the relay's script ${String((globalThis as { location?: unknown }).location)}`,
    );
  }
}

/** The app's worker, the one executor this relay serves: it lives as long as the relay (the
 * relay is its child), so it is always current. */
const executor = {
  current: () => true,
  post: (m: FromRelay) => post(m),
};

function serve(m: ExecutorRequest): void {
  pipes!.handle(m, executor);
}
