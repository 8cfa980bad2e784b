/**
 * Runs in the service worker. The slice of a service worker's global scope the coordinator
 * uses (setupCoordinator in coordinator.ts, the client lookups in clients.ts): what tests
 * fake and what a real `ServiceWorkerGlobalScope` has.
 */
import type { PortLike } from "./kept-ports.js";

/** The slice of a service worker's global scope the coordinator uses. */
export interface ServiceWorkerScope {
  registration: { scope: string };
  clients: { get(id: string): Promise<{ type: string } | undefined | null> };
  addEventListener(type: "fetch", listener: (e: FetchEventLike) => void): void;
  addEventListener(type: "message", listener: (e: MessageEventLike) => void): void;
}
export interface MessageEventLike {
  data: unknown;
  /** The client that posted it (a page): its answers count against that client's share. */
  source?: { id?: string } | null;
  /** [the reply port, and optionally a kept port the page offers (routes.ts)] */
  ports: readonly PortLike[];
}
export interface FetchEventLike {
  request: Request;
  /** The requesting client's id ("" for a navigation). */
  clientId: string;
  respondWith(r: Promise<Response>): void;
}
