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
  // Why claim() is not waited for: Firefox (153 ESR) keeps the worker "activating" until the
  // activate handler's promises settle, and claim() does not settle while a worker client in
  // the scope is busy (a compute worker in a long kernel) or blocked (an executor in
  // Atomics.wait or a sync XHR) — so a sync pool started beside a busy one failed with "did
  // not activate" (tests/browser/coordinator-activate.test.ts). Nothing waits on the claim:
  // the workers a sync pool starts are created after activation, controlled from birth.
  self.addEventListener("activate", () => {
    self.clients.claim().catch(() => {});
  });
}
