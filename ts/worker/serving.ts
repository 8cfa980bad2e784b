/**
 * Runs inside a worker (or the service worker). Who serves this global scope: the first
 * evaluation of a worker script only.
 *
 * Why: WebKit evaluates a module worker's main script a second time when a module it loads
 * imports that script back — the Rust runtime's worker imports the app's wasm-bindgen glue,
 * which imports the runtime as its snippet; a bundler's chunk may import a constant from the
 * entry. Chromium and Firefox share one module instance. The second copy used to install its
 * own message handler over the live one, which then never heard of the module it had been
 * sent: the worker answered "ready" and never ran a chunk (a silent hang).
 */
const SERVING = Symbol.for("wasm-pmap.serving");

/** True the first time it is called in this global scope, false ever after. */
export function claimServing(): boolean {
  const scope = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (scope[SERVING]) return false;
  scope[SERVING] = true;
  return true;
}
