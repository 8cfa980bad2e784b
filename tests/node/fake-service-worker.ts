/**
 * Service workers running the real coordinator (setupCoordinator on a fake global scope):
 * - `fakeServiceWorker`: `clients.get()` answers from a table (a pending promise stands for
 *   Firefox's lookup of a blocked client); fetches and messages are dispatched to the
 *   coordinator's listeners as the browser would;
 * - `serviceWorker`: reached the way a page reaches it, `postMessage` with real MessagePorts
 *   (node has MessageChannel), for the kept-port tests and bench/kept-ports.ts.
 */
import {
  type FetchEventLike,
  type MessageEventLike,
  type PortLike,
  type ServiceWorkerScope,
  setupCoordinator,
} from "../../ts/coordinator/coordinator.js";
import type { StatusMessage } from "../../ts/protocol/routes.js";
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

export const swScope = "https://app.test/base/";
export const swUrl = (path: string) => `${swScope}__wasm_pmap__/${path}`;

type ClientAnswer = { type: string } | null | Promise<{ type: string } | null>;

export function fakeServiceWorker(clients: Record<string, ClientAnswer> = {}) {
  const listeners: { fetch?: (e: FetchEventLike) => void; message?: (e: MessageEventLike) => void } = {};
  const lookups: string[] = [];
  /** Every request dispatched, in order (a test checks whether its body was read). */
  const requests: Request[] = [];
  const sw = {
    registration: { scope: swScope },
    clients: {
      get: (id: string) => {
        lookups.push(id);
        return Promise.resolve(clients[id]);
      },
    },
    addEventListener(type: string, l: never) {
      (listeners as Record<string, unknown>)[type] = l;
    },
  } as ServiceWorkerScope;
  /** Dispatches a fetch of `path` (under the prefix, or an absolute URL) from client `clientId`; its response, or
   * undefined if let through. */
  const fetch = async (path: string, clientId: string, init?: RequestInit): Promise<Response | undefined> => {
    let responded: Promise<Response> | undefined;
    const href = /^https?:/.test(path) ? path : swUrl(path);
    const request = new Request(href, { duplex: "half", ...init } as RequestInit);
    requests.push(request);
    listeners.fetch!({ request, clientId, respondWith: (r) => (responded = r) });
    return responded && (await responded);
  };
  /** Posts a message from client `source` (with a reply port, and `offered` as a kept port); what came back on the reply port. */
  const message = (data: unknown, source?: string, offered?: PortLike): StatusMessage[] => {
    const replies: StatusMessage[] = [];
    const reply: PortLike = { postMessage: (m) => replies.push(m as StatusMessage) };
    const e = {
      data,
      ports: offered ? [reply, offered] : [reply],
      source: source === undefined ? null : { id: source },
    };
    listeners.message!(e as MessageEventLike);
    return replies;
  };
  /** Posts a message with no port at all (nothing can come back). */
  const messageWithoutPort = (data: unknown) => listeners.message!({ data, ports: [] } as unknown as MessageEventLike);
  /** What the coordinator holds, as its ping says. */
  const held = async (): Promise<{ tickets: number; bytes: number }> =>
    JSON.parse((await (await fetch("ping", ""))!.text()).replace("wasm-pmap coordinator ", ""));
  return { sw, fetch, message, messageWithoutPort, held, lookups, requests };
}
