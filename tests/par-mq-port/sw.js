// The coordinator service worker, as wasm-par-mq's README has it: `coordinator.js` copied
// next to the wasm-bindgen output (scripts/build-rust-app.sh copies wasm-pmap's runtime
// snippet there, as a static-file user of wasm-par-mq copies its coordinator.js).
import { setupCoordinator } from "./pkg/coordinator.js";

setupCoordinator();
