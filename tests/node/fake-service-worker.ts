/**
 * A service worker running the real coordinator (setupCoordinator on a fake global scope),
 * reached the way a page reaches it: `postMessage` with real MessagePorts (node has
 * MessageChannel). For the kept-port tests and bench/kept-ports.ts.
 */
import { type MessageEventLike, type ServiceWorkerScope, setupCoordinator } from "../../ts/coordinator/coordinator.js";
import { CoordinatorLink } from "../../ts/sync/link.js";

/** The service worker; counts what reaches it by postMessage, and the ports offered with it. */
export function serviceWorker() {
  let onMessage: ((e: MessageEventLike) => void) | undefined;
  const scope = {
    registration: { scope: "https://app.test/" },
    clients: { get: async () => ({ type: "worker" }) },
    addEventListener(type: string, l: never) {
      if (type === "message") onMessage = l;
    },
  } as unknown as ServiceWorkerScope;
  const coordinator = setupCoordinator(scope);
  const posted: Array<{ data: unknown; ports: number }> = [];
  const adopted: MessagePort[] = [];
  const sw = {
    postMessage(data: unknown, ports: MessagePort[]) {
      posted.push({ data, ports: ports.length });
      if (ports[1]) adopted.push(ports[1]);
      onMessage!({ data: structuredClone(data), ports });
    },
  };
  return { sw, coordinator, posted, adopted };
}

/** A page's link to service worker `sw` (one per sync pool). */
export function linkTo(sw: unknown) {
  const registration = { active: sw } as unknown as ServiceWorkerRegistration;
  return { registration, link: new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/") };
}

/** Ticket `n` of one executor namespace. */
export const ticket = (n: number) => `0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:${n}`;
