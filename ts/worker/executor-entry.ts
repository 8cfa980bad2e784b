/**
 * Runs inside a worker. The SyncExecutor's entry: entry.ts's code under a script URL of its
 * own (pool/browser-worker.ts names this file literally, so bundlers emit it). Why not
 * entry.js: WebKit lets the coordinator service worker control only the first of several
 * module workers of one URL started together — the compute workers and the executor start
 * together — and the executor's blocking requests are the ones it must see.
 */
import * as executorHost from "./executor-host.js";
import { serveWorker } from "./serve.js";
import { claimServing } from "./serving.js";

// Statically imported: one chunk, which imports nothing back from an entry (serve.ts says why).
if (claimServing()) serveWorker(executorHost);
