/**
 * Runs in the service worker: the package's service-worker entry (`wasm-pmap/sw.js`), the
 * ready-made coordinator for apps without a service worker of their own. Register it (as a
 * module) with a scope that covers the wasm-pmap worker scripts:
 * `navigator.serviceWorker.register(swUrl, { type: "module", scope })`.
 *
 * Why at the top of ts/ and not in coordinator/: a service worker's scope can be no wider
 * than its script's folder, and it must contain `worker/entry.js` (the browser picks a
 * worker's service worker by the worker script's URL). From `dist/sw.js` it can.
 */
import { type CoordinatorWorkerScope, serveCoordinator } from "./coordinator/serve.js";

declare const self: CoordinatorWorkerScope;

serveCoordinator(self);
