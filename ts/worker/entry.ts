/**
 * Runs inside a worker. The worker entry the pool's workers load (pool/browser-worker.ts
 * names this file literally, so bundlers emit it): compute worker or SyncExecutor, see
 * serve.ts.
 */
import { serveWorker } from "./serve.js";
import { claimServing } from "./serving.js";

if (claimServing()) serveWorker();
