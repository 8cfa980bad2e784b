/**
 * The coordinator: the service-worker side of sync mode. A SyncExecutor worker blocks on
 * a synchronous XHR `wait` request; chunk results arrive by POST (from a worker it
 * controls) or by a `deliver` message (from the pool's page, controlled or not); the
 * coordinator answers the wait once every chunk is in, or at once with the first error.
 * Protocol: see the coordinator section of wire.ts.
 *
 * Use it inside your own service worker:
 * ```ts
 * import { setupCoordinator } from "wasm-pmap/coordinator";
 * setupCoordinator(self);
 * ```
 * or register the ready-made `wasm-pmap/sw.js`. It answers only under its prefix and lets
 * every other request through untouched.
 */
import {
  COORDINATOR_PREFIX,
  decodeResponse,
  type DeliverMessage,
  encodeChunkResults,
  JOB_ID,
  MAX_WAIT_MS,
} from "./wire.js";

export interface CoordinatorOptions {
  /** Path prefix, relative to the service worker's scope. Default `__wasm_pmap__/`. */
  prefix?: string;
  /** A job untouched for this long is forgotten (its waiters get 404). Default 5 min. */
  jobTtlMs?: number;
  /** Most jobs held at once; creating one more fails with 503. Default 1000. */
  maxJobs?: number;
  /** Cap on one wait request, in ms. Default (and upper bound) 10 000. */
  maxWaitMs?: number;
}

/** Results delivered for a job nobody created are kept this long at most. */
const ORPHAN_TTL_MS = 60_000;

function newJob(expected: number): Job {
  return { expected, frames: new Map(), error: undefined, waiters: new Set(), touched: Date.now() };
}

interface Job {
  /** Chunks the job expects; -1 while only delivered results exist (no wait yet). */
  expected: number;
  frames: Map<number, Uint8Array>;
  error: [number, Uint8Array] | undefined;
  waiters: Set<(r: Response) => void>;
  touched: number;
}

/** The coordinator's state and routing, independent of the service worker plumbing. */
export class Coordinator {
  readonly #jobs = new Map<string, Job>();
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #maxJobs: number;
  readonly #maxWait: number;

  constructor(scopeUrl: string, opts: CoordinatorOptions = {}) {
    this.#prefix = new URL(opts.prefix ?? COORDINATOR_PREFIX, scopeUrl).href;
    this.#ttl = opts.jobTtlMs ?? 5 * 60_000;
    this.#maxJobs = opts.maxJobs ?? 1000;
    this.#maxWait = Math.min(MAX_WAIT_MS, opts.maxWaitMs ?? MAX_WAIT_MS);
  }

  /** Number of jobs held (for tests and diagnostics). */
  get jobs(): number {
    return this.#jobs.size;
  }

  /** The response for a request under the prefix, or `undefined`: not ours, let it through. */
  handle(request: Request): Promise<Response> | undefined {
    if (!request.url.startsWith(this.#prefix)) return undefined;
    return this.#route(request).catch((err: unknown) => text(500, `coordinator error: ${(err as Error)?.message ?? err}`));
  }

  async #route(req: Request): Promise<Response> {
    this.#sweep();
    const url = new URL(req.url);
    const path = url.href.slice(this.#prefix.length).split("?")[0]!.split("/").map(decodeURIComponent);
    if (path.length === 1 && path[0] === "ping" && req.method === "GET") return text(200, "wasm-pmap coordinator");
    if (path[0] !== "jobs" || path[1] === undefined) return text(404, "no such coordinator route");
    const id = path[1];
    if (!JOB_ID.test(id)) return text(400, "malformed job id (expected <pool uuid>:<number>)");
    const job = this.#jobs.get(id);
    const route = `${req.method} ${path.slice(2).join("/").replace(/^chunks\/[^/]+$/, "chunks/:i")}`;
    switch (route) {
      case "PUT ": {
        const n = Number(url.searchParams.get("chunks"));
        if (!Number.isInteger(n) || n < 0) return text(400, "chunks must be a non-negative integer");
        if (job && job.expected >= 0) return text(409, "job exists");
        if (job) job.expected = n; // adopt results delivered ahead of it
        else if (this.#jobs.size >= this.#maxJobs) return text(503, `too many jobs (${this.#maxJobs})`);
        else this.#jobs.set(id, newJob(n));
        this.#release(id, job ?? this.#jobs.get(id)!);
        return new Response(null, { status: 201 });
      }
      case "DELETE ": {
        if (job) this.#forget(id, job, text(410, "job cancelled"));
        return new Response(null, { status: 204 });
      }
      case "POST chunks/:i": {
        const status = this.deliver(id, Number(path[3]), new Uint8Array(await req.arrayBuffer()));
        return status.status === 204 ? new Response(null, { status: 204 }) : text(status.status, status.why);
      }
      case "GET wait": {
        let job = this.#jobs.get(id);
        // `chunks=N` on the first wait creates the job (or adopts results delivered
        // before it): one request fewer than PUT + wait. A re-issued wait omits it, so a
        // coordinator that restarted meanwhile answers 404 instead of waiting forever.
        const n = url.searchParams.get("chunks");
        if (n !== null) {
          const expected = Number(n);
          if (!Number.isInteger(expected) || expected < 0) return text(400, "chunks must be a non-negative integer");
          if (!job) {
            if (this.#jobs.size >= this.#maxJobs) return text(503, `too many jobs (${this.#maxJobs})`);
            this.#jobs.set(id, (job = newJob(expected)));
          } else if (job.expected < 0) job.expected = expected;
        }
        if (!job || job.expected < 0) return text(404, "unknown job (the coordinator may have been restarted)");
        job.touched = Date.now();
        const ready = this.#result(job);
        if (ready) {
          this.#jobs.delete(id); // its one reader has it: nothing left to keep
          return ready;
        }
        const ms = Math.min(this.#maxWait, Math.max(0, Number(url.searchParams.get("ms") ?? this.#maxWait) || 0));
        // Why bounded: the browser stops a service worker that keeps one event open for
        // minutes; a short wait the caller re-issues keeps every request well inside that.
        return new Promise<Response>((resolve) => {
          const timer = setTimeout(() => {
            job.waiters.delete(done);
            resolve(new Response(null, { status: 204 }));
          }, ms);
          const done = (r: Response) => {
            clearTimeout(timer);
            resolve(r);
          };
          job.waiters.add(done);
        });
      }
      default:
        return text(405, `${req.method} not allowed here`);
    }
  }

  /**
   * Stores chunk `i`'s response frame for job `id` (the POST route and the `deliver`
   * message): 204 stored, 404 unknown job, 400 a frame that is not for this job and chunk.
   */
  deliver(id: string, i: number, frame: Uint8Array): { status: 204 | 400 | 404; why: string } {
    this.#sweep();
    if (!JOB_ID.test(id)) return { status: 400, why: "malformed job id" };
    let ok: boolean;
    try {
      const resp = decodeResponse(frame);
      if (resp.job !== id || resp.chunk !== i) return { status: 400, why: `frame is for ${resp.job}#${resp.chunk}, not ${id}#${i}` };
      ok = resp.ok;
    } catch (err) {
      return { status: 400, why: `not a response frame: ${(err as Error).message}` };
    }
    let job = this.#jobs.get(id);
    if (!job) {
      // Not created yet (its first wait is on its way) or forgotten in a restart: keep the
      // frame for a while; a wait with `chunks` adopts it.
      if (this.#jobs.size >= this.#maxJobs) return { status: 404, why: "unknown job" };
      this.#jobs.set(id, (job = newJob(-1)));
    }
    if (!Number.isInteger(i) || i < 0 || (job.expected >= 0 && i >= job.expected)) return { status: 400, why: `chunk index must be in 0..${job.expected}` };
    job.touched = Date.now();
    if (!ok) job.error ??= [i, frame];
    else job.frames.set(i, frame);
    this.#release(id, job);
    return { status: 204, why: "" };
  }

  /** The final answer for a job, if it has one: the first error, or every chunk. */
  #result(job: Job): Response | undefined {
    if (job.expected < 0) return undefined; // results delivered ahead of the job's creation
    if (job.error) return binary(encodeChunkResults([job.error]));
    if (job.frames.size < job.expected) return undefined;
    const all = [...job.frames.entries()].sort((a, b) => a[0] - b[0]);
    return binary(encodeChunkResults(all));
  }

  #release(id: string, job: Job): void {
    if (job.waiters.size === 0 || !this.#result(job)) return;
    for (const w of job.waiters) w(this.#result(job)!); // a fresh Response per waiter
    job.waiters.clear();
    this.#jobs.delete(id); // handed over: forgotten
  }

  #forget(id: string, job: Job, answer: Response): void {
    this.#jobs.delete(id);
    for (const w of job.waiters) w(answer.clone());
    job.waiters.clear();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, job] of this.#jobs) {
      const ttl = job.expected < 0 ? Math.min(this.#ttl, ORPHAN_TTL_MS) : this.#ttl;
      if (now - job.touched > ttl && job.waiters.size === 0) this.#forget(id, job, text(404, "job expired"));
    }
  }
}

/** The slice of a service worker's global scope the coordinator uses. */
export interface ServiceWorkerScope {
  registration: { scope: string };
  addEventListener(type: "fetch", listener: (e: FetchEventLike) => void): void;
  addEventListener(type: "message", listener: (e: MessageEventLike) => void): void;
}
export interface MessageEventLike {
  data: unknown;
  ports: readonly { postMessage(m: unknown): void }[];
}
export interface FetchEventLike {
  request: Request;
  respondWith(r: Promise<Response>): void;
}

/**
 * Installs the coordinator in a service worker: it answers requests under its prefix and
 * does not touch any other request (no `respondWith`, so the browser fetches it as usual).
 */
export function setupCoordinator(scope: ServiceWorkerScope, opts: CoordinatorOptions = {}): Coordinator {
  const coordinator = new Coordinator(scope.registration.scope, opts);
  scope.addEventListener("fetch", (e) => {
    const answer = coordinator.handle(e.request);
    if (answer) e.respondWith(answer);
  });
  // The page delivers a job's outcome by message (it may not be controlled, so no fetch).
  scope.addEventListener("message", (e) => {
    const m = e.data as Partial<DeliverMessage> | null;
    if (m?.wasmPmap !== "deliver" || typeof m.job !== "string" || !(m.frame instanceof Uint8Array)) return;
    const { status } = coordinator.deliver(m.job, Number(m.chunk), m.frame);
    e.ports[0]?.postMessage({ status });
  });
  return coordinator;
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function binary(body: Uint8Array): Response {
  return new Response(body as BodyInit, { status: 200, headers: { "content-type": "application/cbor" } });
}
