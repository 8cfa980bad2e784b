/**
 * Runs in the service worker. Who sent a request: the coordinator opens tickets only for
 * workers, and asks the Clients API, remembering the answers (setupCoordinator uses it).
 */
import type { ServiceWorkerScope } from "./coordinator.js";

/** How long the requesting client's lookup may take before it counts as blocked. */
export const CLIENT_LOOKUP_MS = 50;
/** How many clients' types the coordinator remembers (an app has a few executors at most). */
export const KNOWN_CLIENTS = 64;

/**
 * The requesting client as the service worker knows it. Why the race: Firefox (153 ESR)
 * never settles `clients.get()` for a client that is blocked in a synchronous request —
 * which the SyncExecutor is, on its opening wait — so the request would hang for good. A
 * lookup still pending after {@link CLIENT_LOOKUP_MS} is taken for a worker blocked in its
 * sync XHR (Chromium answers in well under a millisecond; a page's `fetch` is not blocked,
 * so pages are still told apart and refused).
 */
export async function lookupClient(
  scope: ServiceWorkerScope,
  id: string,
  known: Map<string, string>,
): Promise<{ type: string } | undefined> {
  // Why remembered: `clients.get()` costs ≈ 0.2–0.3 ms on every opening wait in Chromium
  // (one per `collect_vec_sync()`), and a client id names one client for its whole life, so
  // its type cannot change. The fallback's guess is remembered too, until `clients.get()`
  // settles and overwrites it (or, for an unknown client, forgets it): in Firefox a worker
  // that blocks again at once may never let its lookup settle, and without the guess every
  // blocking call would pay the full CLIENT_LOOKUP_MS (measured: 1 000 calls from an
  // app-owned worker ran past 60 s). The guess admits nothing the fallback would not.
  const type = known.get(id);
  if (type !== undefined) return { type };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settled = false;
  const blocked = new Promise<{ type: string }>((r) => {
    timer = setTimeout(() => {
      if (!settled) remember(known, id, "worker");
      r({ type: "worker" });
    }, CLIENT_LOOKUP_MS);
  });
  const lookup = scope.clients.get(id).then((c) => {
    settled = true;
    if (c) remember(known, id, c.type);
    else known.delete(id);
    return c;
  });
  try {
    return (await Promise.race([lookup, blocked])) ?? undefined;
  } finally {
    clearTimeout(timer);
  }
}

function remember(known: Map<string, string>, id: string, type: string): void {
  known.delete(id);
  known.set(id, type);
  for (const oldest of known.keys()) {
    if (known.size <= KNOWN_CLIENTS) break;
    known.delete(oldest);
  }
}
