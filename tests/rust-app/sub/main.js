// The same app from a page one folder down: it runs ../main.js itself, whose imports resolve
// against its own URL (./pkg/app.js → /pkg/app.js), so only `run()` could depend on this
// page's folder — and it starts its pools with no URLs. tests/e2e/rust-app.test.ts checks it.
import "../main.js";
