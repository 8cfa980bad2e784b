/**
 * Runs on the page. The pool's `"change"` events: at most one per microtask, and none built
 * at all while nobody listens (a pool nobody watches skips making stats on every chunk).
 */

type Listener = EventListenerOrEventListenerObject;

/** An EventTarget that knows whether anyone listens to its `"change"` events. */
export class ChangeEvents<T> extends EventTarget {
  /** `"change"` listeners registered now, keyed as EventTarget keys them: listener and capture.
   * Why not a count: adding twice registers once, and removing what was never added removes
   * nothing — a count would drift on both. */
  readonly #listeners = [new Set<Listener>(), new Set<Listener>()] as const;
  #queued = false;

  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener, options);
    if (type !== "change" || !listener) return;
    const set = this.#listeners[capture(options)];
    set.add(listener);
    // A `once` listener, or one whose `signal` aborts, leaves EventTarget's list by itself.
    const forget = () => set.delete(listener);
    if (typeof options === "object" && options.signal) options.signal.addEventListener("abort", forget, { once: true });
    if (typeof options === "object" && options.once) super.addEventListener(type, forget, { once: true });
  }

  override removeEventListener(
    type: string,
    listener: Listener | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, listener, options);
    if (type === "change" && listener) this.#listeners[capture(options)].delete(listener);
  }

  /** Something changed: one `"change"` event with `detail()` follows, at the next microtask. */
  protected notifyChange(detail: () => T): void {
    if (this.#queued || this.#listeners[0].size + this.#listeners[1].size === 0) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.dispatchEvent(new CustomEvent<T>("change", { detail: detail() }));
    });
  }
}

function capture(options: EventListenerOptions | boolean | undefined): 0 | 1 {
  return (typeof options === "boolean" ? options : !!options?.capture) ? 1 : 0;
}
