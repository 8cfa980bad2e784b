// Faults the soak injects from outside the kernels: worker starts that fail, and the
// coordinator's own account of what it holds.
import type { SpawnWorker, WorkerEvents } from "../../dist/pool/backend.js";
import { spawnBrowserWorker } from "../../dist/pool/browser-worker.js";

/**
 * A spawn wrapper (for `new Pool(code, opts, spawn)`) whose replacement workers now and then
 * fail to load their script, as after a deploy removed it: a module Worker of a URL that
 * 404s, which fires `error` before it is ready. One failure at a time: it injects another
 * only after a healthy worker started since, so the pool's give-up rule (3 failed starts in
 * a row, dispatch.ts #startFailed) is never reached.
 */
export class StartFaults {
  injected = 0;
  #spawned = 0;
  #healthy = true;

  constructor(
    readonly rand: () => number,
    /** Spawns before this many (the pool's first workers) always start. */
    readonly first: number,
    /** Chance that an eligible replacement fails. */
    readonly rate: number,
  ) {}

  readonly spawn: SpawnWorker = (name, events) => {
    if (this.#spawned++ >= this.first && this.#healthy && this.rand() < this.rate) {
      this.#healthy = false;
      this.injected++;
      return brokenWorker(name, events);
    }
    return spawnBrowserWorker(name, {
      message: (m) => {
        if (m.type === "ready") this.#healthy = true;
        events.message(m);
      },
      error: events.error,
    });
  };
}

function brokenWorker(name: string, events: WorkerEvents) {
  const worker = new Worker("/no-such-worker.js", { type: "module", name });
  let dead = false;
  worker.onerror = (e) => {
    e.preventDefault();
    if (dead) return;
    dead = true;
    events.error("soak: injected start failure (/no-such-worker.js is a 404)");
  };
  return {
    post: (msg: unknown, transfer: Transferable[] = []) => worker.postMessage(msg, transfer),
    terminate: () => {
      dead = true;
      worker.terminate();
    },
  };
}

/** What the coordinator holds now: its `GET <scope>__wasm_pmap__/ping`, asked from inside its scope. */
export async function coordinatorHolds(): Promise<{ tickets: number; bytes: number }> {
  const worker = new Worker(new URL("../../dist/worker/entry.js", import.meta.url), { type: "module" });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the ping worker did not answer within 5 s")), 5_000);
      worker.onmessage = (e: MessageEvent) => {
        const ping = e.data?.soakPing as { status: number; body: string } | undefined;
        if (!ping) return; // the entry's own init-error: the glue was no kernel module
        clearTimeout(timer);
        const m = /^wasm-pmap coordinator (\{.*\})$/.exec(ping.body);
        if (ping.status === 200 && m) resolve(JSON.parse(m[1]!));
        else reject(new Error(`ping: HTTP ${ping.status}: ${ping.body.slice(0, 200)}`));
      };
      worker.postMessage({ type: "init", module: null, glue: new URL("./ping-glue.ts", import.meta.url).href });
    });
  } finally {
    worker.terminate();
  }
}
