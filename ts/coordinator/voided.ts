/**
 * Runs in the service worker. The namespaces of executors the page replaced: their tickets
 * never open again (a wait the dying executor sent just before it died gets 410).
 */

/** How long, and how many, voided executor namespaces are remembered (a replaced executor's
 * last wait arrives within a few seconds at most; the bound keeps memory flat). */
const VOIDED_TTL_MS = 10 * 60_000;
const MAX_VOIDED = 1000;

export class VoidedNamespaces {
  /** Namespace → when it was voided; insertion order is age order. */
  readonly #at = new Map<string, number>();

  add(namespace: string): void {
    this.#at.delete(namespace);
    this.#at.set(namespace, Date.now());
    for (const oldest of this.#at.keys()) {
      if (this.#at.size <= MAX_VOIDED) break;
      this.#at.delete(oldest);
    }
  }

  /** Is ticket `id`'s namespace void? */
  voids(id: string): boolean {
    const at = this.#at.get(id.slice(0, id.indexOf(":")));
    return at !== undefined && Date.now() - at < VOIDED_TTL_MS;
  }

  /** Forgets the namespaces voided longer ago than they are remembered. */
  sweep(now: number): void {
    for (const [ns, at] of this.#at) {
      if (now - at < VOIDED_TTL_MS) break;
      this.#at.delete(ns);
    }
  }
}

/** How many executor namespaces' answer keys are remembered (an app has a few executors). */
const MAX_KEYS = 1000;

/**
 * The answer key (routes.ts KEY_HEADER) each executor namespace opened its tickets with: a
 * relay voids its namespace only by showing it. Bounded, the least recently opened forgotten.
 */
export class NamespaceKeys {
  readonly #keys = new Map<string, string>();

  remember(namespace: string, key: string): void {
    this.#keys.delete(namespace);
    this.#keys.set(namespace, key);
    for (const oldest of this.#keys.keys()) {
      if (this.#keys.size <= MAX_KEYS) break;
      this.#keys.delete(oldest);
    }
  }

  get(namespace: string): string | undefined {
    return this.#keys.get(namespace);
  }
}
