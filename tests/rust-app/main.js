// The page's whole JavaScript, as in README "From Rust": the wasm-bindgen output and nothing
// else. (A file, not an inline script, so the test can serve the page under a strict CSP.)
// What the page saw goes to window.__result for tests/e2e/rust-app.test.ts.
import init, { run } from "./pkg/app.js";

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
