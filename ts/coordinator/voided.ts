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
