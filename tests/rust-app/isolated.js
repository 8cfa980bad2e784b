// The cross-origin-isolated page (served with COOP/COEP): no service worker; the app's own
// worker (worker.js) blocks in Atomics.wait. What it reports goes to window.__result.
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = (e) => {
  window.__result = { ...e.data, isolated: crossOriginIsolated, sw: !!navigator.serviceWorker?.controller };
};
worker.onerror = (e) => {
  window.__result = { failed: `worker error: ${e.message}` };
};
worker.postMessage({ times: 200, n: 16n }); // n is a u64: a BigInt
