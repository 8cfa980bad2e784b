// The same app from a page one folder down: `run()` starts its pools with no URLs
// (`init_pool_async(Some(2))`, `init_pool_sync(Some(2))`), so nothing in it is relative to
// this page. What it saw goes to window.__result for tests/e2e/rust-app.test.ts.
import init, { run } from "../pkg/app.js";

window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
);
try {
  await init();
  window.__result = await run();
} catch (e) {
  window.__result = { failed: `${e?.name}: ${e?.message ?? e}` };
}
