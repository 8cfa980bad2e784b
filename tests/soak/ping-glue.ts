// Not a kernel module: loaded as one by a wasm-pmap worker (dist/worker/entry.js imports
// whatever glue its init message names), it asks the coordinator what it holds. Why this
// detour: only a client inside the service worker's scope (dist/) reaches the coordinator,
// and the test page is outside it; the worker entry is the one script in there, and it
// runs this module in its own global scope before it notices this is no kernel module.
const res = await fetch(new URL("../../dist/__wasm_pmap__/ping", import.meta.url));
const body = await res.text();
(globalThis as unknown as { postMessage(m: unknown): void }).postMessage({ soakPing: { status: res.status, body } });
