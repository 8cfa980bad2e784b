/**
 * The SyncExecutor's host: the object Rust's parallel iterators call from inside the
 * executor worker (`globalThis[Symbol.for("wasm-pmap.host")]`, see
 * rust/pmap/src/par/host.rs).
 *
 * `runSync` is how `collect_vec_sync()` blocks without SharedArrayBuffer: it posts the
 * chunks to the pool (postMessage leaves a blocked worker at once), then blocks on the
 * job's `wait` request — a synchronous XHR answered by the coordinator service worker,
 * whose first one creates the job, re-issued every ≤ 10 s — until the pool has delivered
 * the result to the coordinator. If the service worker was stopped meanwhile (the browser stops idle ones)
 * the job is gone: the wait answers 404 or fails, and the job is created again and its
 * chunks re-run, twice at most, then `CoordinatorError`. Protocol: coordinator section of
 * wire.ts.
 */
import { AbortError, CoordinatorError, fromFailure, PmapError } from "./errors.js";
import {
  decodeChunkResults,
  decodeResponse,
  decodeValue,
  type ExecutorSetup,
  type Failure,
  type FromWorker,
  MAX_WAIT_MS,
} from "./wire.js";

export const HOST_KEY = Symbol.for("wasm-pmap.host");

/** How often a job is re-created after its coordinator lost it, before giving up. */
const MAX_RESTARTS = 2;

/** Installs the host; returns the handler for the pool's `pipe-result` answers. */
export function installExecutorHost(setup: ExecutorSetup, post: (msg: FromWorker) => void) {
  // Why a namespace per executor: job ids must never collide across pools, tabs or reloads.
  const namespace = crypto.randomUUID();
  let seq = 0;
  const pending = new Map<number, { resolve(b: Uint8Array[]): void; reject(e: unknown): void }>();

  const host = {
    workers: setup.workers,

    /** `collect_vec().await` inside the executor (between blocking calls). */
    run(label: string, payloads: Uint8Array[]): Promise<Uint8Array[]> {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: "pipe", id, label, payloads });
      });
    },

    /** `collect_vec_sync()`: blocks this worker until the pool has run every chunk. */
    runSync(label: string, payloads: Uint8Array[]): Uint8Array[] {
      for (let restart = 0; ; restart++) {
        const id = ++seq;
        const job = `${namespace}:${id}`;
        // Post first, then block: the first wait creates the job at the coordinator (or
        // adopts a result that beat it there). Structured clone copies the payloads: the
        // originals stay here for a re-run.
        post({ type: "pipe", id, job, label, payloads, rerun: restart });
        const outcome = waitFor(job);
        if (outcome !== "lost") return outcome;
        if (restart >= MAX_RESTARTS) {
          throw new CoordinatorError(`sync mode: the coordinator lost job ${job} ${restart + 1} times (its service worker was stopped or replaced each time)`);
        }
      }
    },
  };

  /** Blocks on the job's wait requests: its bodies, or "lost" (re-create it), or throws. */
  function waitFor(job: string): Uint8Array[] | "lost" {
    for (let first = true; ; first = false) {
      const r = xhr("GET", `${setup.coordinator}jobs/${job}/wait?ms=${MAX_WAIT_MS}${first ? "&chunks=1" : ""}`);
      if (first && r.status !== 200 && r.status !== 204) {
        throw new CoordinatorError(
          `sync mode: job ${job} at ${setup.coordinator} answered HTTP ${r.status || "(network error)"}: ${r.text}. ` +
            `Is the coordinator service worker active, with a scope that contains this worker's script?`,
        );
      }
      switch (r.status) {
        case 204:
          continue; // not yet: ask again (each request stays short for the service worker's sake)
        case 200: {
          post({ type: "pipe-taken", job });
          const [[, frame] = [0, undefined]] = decodeChunkResults(r.bytes);
          if (!frame) throw new CoordinatorError(`sync mode: job ${job} finished without a result`);
          const resp = decodeResponse(frame);
          if (!resp.ok) throw fromFailure(resp.failure);
          return decodeValue<Uint8Array[]>(resp.body);
        }
        case 404: // unknown job: the service worker restarted and forgot it
        case 0: // the request died with the service worker
          return "lost";
        case 410:
          throw new AbortError(`sync mode: job ${job} was cancelled`);
        default:
          throw new CoordinatorError(`sync mode: waiting for job ${job} answered HTTP ${r.status}: ${r.text}`);
      }
    }
  }

  (globalThis as Record<symbol, unknown>)[HOST_KEY] = host;

  return (msg: { id: number; bodies?: Uint8Array[]; error?: Failure }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.bodies) p.resolve(msg.bodies);
    else p.reject(msg.error ? fromFailure(msg.error) : new PmapError("pipe failed"));
  };
}

/** Checks, once at start-up, that the coordinator answers this worker. */
export function pingCoordinator(setup: ExecutorSetup): void {
  const r = xhr("GET", `${setup.coordinator}ping`);
  if (r.status !== 200 || !r.text.startsWith("wasm-pmap coordinator")) {
    throw new CoordinatorError(
      `sync mode: no coordinator answers ${setup.coordinator}ping (HTTP ${r.status || "network error"}); ` +
        `the coordinator service worker must be active and its scope must contain ${String(globalThis.location?.href)}`,
    );
  }
}

interface XhrResult {
  status: number;
  bytes: Uint8Array;
  text: string;
}

/** A synchronous XHR (allowed in workers, and the only way to block without SAB). */
function xhr(method: string, url: string): XhrResult {
  const x = new XMLHttpRequest();
  x.open(method, url, false);
  x.responseType = "arraybuffer";
  try {
    x.send();
  } catch {
    return { status: 0, bytes: new Uint8Array(), text: "network error" };
  }
  const bytes = new Uint8Array((x.response as ArrayBuffer | null) ?? new ArrayBuffer(0));
  const type = x.getResponseHeader("content-type") ?? "";
  return { status: x.status, bytes, text: type.startsWith("text/") ? new TextDecoder().decode(bytes).slice(0, 300) : "" };
}
