/**
 * Runs inside a worker: the package's relay script (started by from-worker.ts, which names
 * this file literally so bundlers emit it). Its compute workers run the package's entry.js.
 */
import { spawnBrowserWorker } from "../pool/browser-worker.js";
import { serveRelay } from "./relay.js";
import { claimServing } from "./serving.js";

if (claimServing()) serveRelay(spawnBrowserWorker);
