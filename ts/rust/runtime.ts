/**
 * Runs wherever a Rust app's wasm-bindgen glue or the pool loads it: the JavaScript runtime
 * of the Rust-side init API (rust/pmap/src/init.rs). scripts/build-runtime.mjs bundles it
 * into one self-contained ES module, rust/pmap/js/runtime.js, which the crate ships as a
 * wasm-bindgen snippet (wasm-bindgen copies it to pkg/snippets/wasm-pmap-<hash>/js/), so a
 * Rust app needs nothing from npm. One file, three roles, by where it was loaded:
 * - imported by the app's glue (page, or a worker the app owns): the init functions below;
 * - the script of a pool worker it spawned (named `wasm-pmap…`): a compute worker or the
 *   SyncExecutor (ts/worker/serve.ts), or the relay of `init_pool_sync_from_worker`
 *   (`wasm-pmap-relay`, ts/worker/relay.ts);
 * - the script of a service worker (`register_coordinator(None)`): the coordinator.
 * Why one file: snippets are copied file by file, so the workers' and the service worker's
 * code cannot be separate chunks; and a service worker's scope (its script's folder) must
 * contain the executor's script, which it does when both are this file.
 */
import { type CoordinatorWorkerScope, serveCoordinator } from "../coordinator/serve.js";
import * as executorHost from "../worker/executor-host.js";
import { serveRelay } from "../worker/relay.js";
import { serveWorker } from "../worker/serve.js";
import { claimServing } from "../worker/serving.js";
import { RELAY_NAME, spawnRuntimeWorker } from "./init.js";

export { initPoolAsync, initPoolSync, initPoolSyncFromWorker, registerCoordinator } from "./init.js";

/**
 * Serves the coordinator in a service worker of the app's own, registered with
 * `register_coordinator(Some(url))` (wasm-par-mq's `setupCoordinator()`): its `sw.js` imports
 * this file (copied next to the glue, as wasm-par-mq's `coordinator.js` is) and calls it.
 * `register_coordinator(None)` needs no such file: it registers this one.
 */
export function setupCoordinator(
  scope: CoordinatorWorkerScope = globalThis as unknown as CoordinatorWorkerScope,
): void {
  serveCoordinator(scope);
}

const scope = globalThis as unknown as { location?: { href: string }; name?: unknown };
// Why the URL check before the name: an app's own worker that merely imports the glue (and
// so this file) has another script, whatever the app named it.
// claimServing: a second evaluation of this file in the same worker (WebKit's, when the
// app's glue imports it back) must not serve again over the live handler (ts/worker/serving.ts).
if (scope.location?.href === import.meta.url && claimServing()) {
  if ("ServiceWorkerGlobalScope" in globalThis) serveCoordinator(globalThis as unknown as CoordinatorWorkerScope);
  else if (scope.name === RELAY_NAME) serveRelay(spawnRuntimeWorker);
  else if (typeof scope.name === "string" && scope.name.startsWith("wasm-pmap")) serveWorker(executorHost);
}
