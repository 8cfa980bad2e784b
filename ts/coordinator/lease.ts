/**
 * Runs in the coordinator service worker. Is a relay's lease still held? (routes.ts
 * LEASE_PREFIX: the Web Lock an app-owned executor's relay holds while it lives.)
 */
import { LEASE_PREFIX } from "../protocol/routes.js";

interface LockManagerLike {
  query(): Promise<{ held?: Array<{ name?: string }> }>;
}

/**
 * `false` only when the lease is known to be gone: the name is a lease's, the browser has Web
 * Locks, and no lock of that name is held. Anything else — no Web Locks here, a query that
 * failed — is `true`: the executor's own `callTimeoutMs` still bounds its wait.
 */
export async function leaseHeld(name: string): Promise<boolean> {
  if (!name.startsWith(LEASE_PREFIX)) return true;
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks) return true;
  try {
    const { held = [] } = await locks.query();
    return held.some((l) => l.name === name);
  } catch {
    return true;
  }
}
