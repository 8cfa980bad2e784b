/**
 * The page's sync mode (ts/sync/sync-mode.ts) driven from node: a real SyncMode whose executor
 * is a scripted fake worker (fake-worker.ts), whose coordinator is a fake registration
 * (fake-coordinator.ts), and whose pool (`pipe`) answers each pipe request as the test says.
 * What the sync-mode tests share.
 */
import type { Call } from "../../ts/pool/call.js";
import type { AnswerSlot } from "../../ts/protocol/answer-slot.js";
import type { KernelInfo } from "../../ts/protocol/kernel-module.js";
import type { ToWorker } from "../../ts/protocol/messages.js";
import { SyncMode } from "../../ts/sync/sync-mode.js";
import { fakeCoordinator } from "./fake-coordinator.js";
import { deferred, Fleet, type Job } from "./fake-worker.js";

export const JOB: KernelInfo = { name: "squares", kind: "job", input: "number", output: "number[]" };

/** What the pool's `pipe` does for one request: resolve with bodies, reject, throw, or stay pending. */
export type PipeOutcome =
  | { bodies: Uint8Array[] }
  | { later: Promise<Uint8Array[]> }
  | { reject: unknown }
  | { throw: unknown }
  | "pending";

export function syncHarness(
  opts: {
    /** What the coordinator answers each message (default 204; undefined: never). */
    status?: number | undefined;
    pipe?: (label: string) => PipeOutcome;
    workers?: { n: number };
    /** No coordinator: the cross-origin-isolated page's sync mode (answer slots). */
    noLink?: boolean;
    /** The job's output, by job; by default a job echoes its first item once `finish()` is called. */
    run?: (job: Job) => Promise<unknown>;
  } = {},
) {
  const status = "status" in opts ? opts.status : 204;
  const { link, received, deliveries } = fakeCoordinator(status);
  const blocked = deferred<void>();
  let running: Job | undefined;
  const fleet = new Fleet(
    {
      run: async (j) => {
        running = j;
        if (opts.run) return { outputs: [await opts.run(j)] };
        await blocked.promise;
        return { outputs: [j.items[0]] };
      },
    },
    [JOB],
  );
  /** Every message the page posted to the executor (init first). */
  const toExecutorAll: ToWorker[] = [];
  const spawn: typeof fleet.spawn = (name, events) => {
    const w = fleet.spawn(name, events);
    const post = w.post;
    w.post = (m: ToWorker) => {
      toExecutorAll.push(m);
      post(m);
    };
    return w;
  };
  const cancelled: Array<[Call, unknown]> = [];
  const pipes: Call[] = [];
  const workers = opts.workers ?? { n: 2 };
  const sync = new SyncMode({
    link: opts.noLink ? undefined : link,
    spawn,
    init: { module: {} as WebAssembly.Module, glue: "fake" },
    workers: () => workers.n,
    changed: () => {},
    nextId: (() => {
      let n = 0;
      return () => `pool:${++n}`;
    })(),
    pipe: (label) => {
      const out = opts.pipe?.(label) ?? { bodies: [Uint8Array.of(0x80)] };
      if (out !== "pending" && "throw" in out) throw out.throw;
      const call = {
        label,
        promise:
          out === "pending"
            ? new Promise(() => {})
            : "later" in out
              ? out.later
              : "reject" in out
                ? Promise.reject(out.reject)
                : Promise.resolve(out.bodies),
      } as unknown as Call;
      call.promise.catch(() => {});
      pipes.push(call);
      return call;
    },
    cancel: (c, err) => cancelled.push([c, err]),
  });
  const start = () => sync.start();
  /** What the page answered the executor's requests (neither init nor jobs). */
  const toExecutor = {
    filter: (f: (m: ToWorker) => boolean) => toExecutorAll.filter((m) => m.type === "pipe-result").filter(f),
  };
  const executor = () => {
    if (!running) throw new Error("no job is running");
    return running.worker;
  };
  return {
    sync,
    fleet,
    received,
    deliveries,
    cancelled,
    pipes,
    toExecutor,
    toExecutorAll,
    start,
    executor,
    finish: () => blocked.resolve(),
  };
}

/** The executor's `pipe` request (id 1 unless given), for one payload of label "square". */
export const pipeMsg = (extra: { id?: number; ticket?: string; rerun?: number; slot?: AnswerSlot } = {}) => ({
  type: "pipe" as const,
  id: extra.id ?? 1,
  label: "square",
  payloads: [Uint8Array.of(0x80)],
  ...extra,
});
