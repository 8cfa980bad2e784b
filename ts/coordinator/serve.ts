/**
 * Runs in the service worker. A whole coordinator service worker in one call: what the
 * package's `wasm-pmap/sw.js` (ts/sw.ts) runs, and the Rust runtime's service-worker role
 * (ts/rust/runtime.ts).
 */
import { type ServiceWorkerScope, setupCoordinator } from "./coordinator.js";

/** The service worker scope, with what taking control at once needs. */
export type CoordinatorWorkerScope = ServiceWorkerScope & {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (e: { waitUntil(p: Promise<unknown>): void }) => void): void;
};

/** Makes `self` the coordinator, active and in control as soon as it is installed. */
export function serveCoordinator(self: CoordinatorWorkerScope): void {
  setupCoordinator(self);
  // Take control at once: a page waiting for sync mode should not need a reload.
  self.addEventListener("install", (e) => e.waitUntil(self.skipWaiting()));
  self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
}
