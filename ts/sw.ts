/**
 * The ready-made coordinator service worker, for apps without a service worker of their
 * own. Register it (as a module) with a scope that covers the wasm-pmap worker scripts:
 * `navigator.serviceWorker.register(swUrl, { type: "module", scope })`.
 */
import { type ServiceWorkerScope, setupCoordinator } from "./coordinator.js";

declare const self: ServiceWorkerScope & {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (e: { waitUntil(p: Promise<unknown>): void }) => void): void;
};

setupCoordinator(self);
// Take control at once: a page waiting for sync mode should not need a reload.
self.addEventListener("install", (e) => e.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
