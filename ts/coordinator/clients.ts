/**
 * Runs in the service worker. Who sent a request: the coordinator opens tickets only for
 * workers and takes no POST from a page, and asks the Clients API, remembering the answers
 * (setupCoordinator uses it). A POST proves it is the relay's by its answer key instead
 * (routes.ts KEY_HEADER): the Clients API cannot tell a relay apart.
 */
import type { ServiceWorkerScope } from "./scope.js";

/** How long an opening wait's client lookup may take before the client counts as blocked. */
export const CLIENT_LOOKUP_MS = 50;
/** How many clients' types the coordinator remembers (an app has a few executors at most). */
export const KNOWN_CLIENTS = 64;

/** A client's type as `clients.get()` told it, or as guessed while it did not settle. */
export interface KnownClient {
  type: string;
  guessed: boolean;
}

/**
 * The requesting client's type (`"worker"`, `"window"`, …), or `undefined` for a client the
 * service worker does not know. Why the race: Firefox (153 ESR) never settles
 * `clients.get()` for a client that is blocked in a synchronous request — which the
 * SyncExecutor is, on its opening wait — so the request would hang for good.  A lookup still pending after {@link CLIENT_LOOKUP_MS} is taken for a
 * worker blocked in its sync XHR (Chromium answers in well under a millisecond; a page's
 * `fetch` is not blocked, so pages are still told apart and refused).
 *
 * A page blocked in its own sync XHR would be guessed a worker too: what that admits is
 * bounded (it opens tickets only it can read, within its share of the caps; a POST needs the
 * executor's answer key).
 */
export async function lookupClient(
  scope: ServiceWorkerScope,
  id: string,
  known: Map<string, KnownClient>,
): Promise<string | undefined> {
  // Why remembered: `clients.get()` costs ≈ 0.2–0.3 ms on every opening wait in Chromium
  // (one per `collect_vec_sync()`), and a client id names one client for its whole life, so
  // its type cannot change. The fallback's guess is remembered too, until `clients.get()`
  // settles and overwrites it (or, for an unknown client, forgets it): in Firefox a worker
  // that blocks again at once may never let its lookup settle, and without the guess every
  // blocking call would pay the full CLIENT_LOOKUP_MS (measured: 1 000 calls from an
  // app-owned worker ran past 60 s). The guess admits nothing the fallback would not.
  const k = known.get(id);
  if (k !== undefined) return k.type;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settled = false;
  const pending = new Promise<string>((r) => {
    timer = setTimeout(() => {
      if (!settled) remember(known, id, { type: "worker", guessed: true });
      r("worker");
    }, CLIENT_LOOKUP_MS);
  });
  const lookup = scope.clients.get(id).then((c) => {
    settled = true;
    if (c) remember(known, id, { type: c.type, guessed: false });
    else known.delete(id);
    return c?.type;
  });
  try {
    return await Promise.race([lookup, pending]);
  } finally {
    clearTimeout(timer);
  }
}

function remember(known: Map<string, KnownClient>, id: string, client: KnownClient): void {
  known.delete(id);
  known.set(id, client);
  for (const oldest of known.keys()) {
    if (known.size <= KNOWN_CLIENTS) break;
    known.delete(oldest);
  }
}
