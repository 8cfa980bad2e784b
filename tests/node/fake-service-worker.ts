/**
 * A service worker global scope for driving setupCoordinator from node: `clients.get()`
 * answers from a table (a pending promise stands for Firefox's lookup of a blocked client),
 * and fetches and messages are dispatched to the coordinator's listeners as the browser would.
 */
import type {
  FetchEventLike,
  MessageEventLike,
  PortLike,
  ServiceWorkerScope,
} from "../../ts/coordinator/coordinator.js";
import type { StatusMessage } from "../../ts/protocol/routes.js";

export const swScope = "https://app.test/base/";
export const swUrl = (path: string) => `${swScope}__wasm_pmap__/${path}`;

type ClientAnswer = { type: string } | null | Promise<{ type: string } | null>;

export function fakeServiceWorker(clients: Record<string, ClientAnswer> = {}) {
  const listeners: { fetch?: (e: FetchEventLike) => void; message?: (e: MessageEventLike) => void } = {};
  const lookups: string[] = [];
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
  /** Dispatches a fetch of `path` (under the prefix) from client `clientId`; its response, or undefined if let through. */
  const fetch = async (path: string, clientId: string, init?: RequestInit): Promise<Response | undefined> => {
    let responded: Promise<Response> | undefined;
    const request = new Request(swUrl(path), { duplex: "half", ...init } as RequestInit);
    listeners.fetch!({ request, clientId, respondWith: (r) => (responded = r) });
    return responded && (await responded);
  };
  /** Posts a message from client `source` (with a reply port, and `offered` as a kept port); what came back on the reply port. */
  const message = (data: unknown, source: string | undefined, offered?: PortLike): StatusMessage[] => {
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
  /** What the coordinator holds, as its ping says. */
  const held = async (): Promise<{ tickets: number; bytes: number }> =>
    JSON.parse((await (await fetch("ping", ""))!.text()).replace("wasm-pmap coordinator ", ""));
  return { sw, fetch, message, held, lookups };
}
