// How the e2e tests drive WebKit: WebKitGTK's WebDriver (Debian's webkit2gtk-driver) starting
// its MiniBrowser, under Xvfb (MiniBrowser has no headless mode), over classic WebDriver (it
// has no WebDriver BiDi). The engine code Safari shares; not Safari itself. PMAP_MINIBROWSER
// points elsewhere.
import { existsSync, readdirSync } from "node:fs";

/** MiniBrowser of the installed WebKitGTK (its folder names the architecture and API version). */
export function miniBrowser() {
  if (process.env.PMAP_MINIBROWSER) return process.env.PMAP_MINIBROWSER;
  for (const arch of existsSync("/usr/lib") ? readdirSync("/usr/lib") : []) {
    for (const api of ["webkit2gtk-4.1", "webkit2gtk-4.0", "webkitgtk-6.0"]) {
      const path = `/usr/lib/${arch}/${api}/MiniBrowser`;
      if (existsSync(path)) return path;
    }
  }
  throw new Error("WebKit: no MiniBrowser found (apt install webkit2gtk-driver; scripts/setup.sh does)");
}

/** webdriverio capabilities for WebKitWebDriver. */
export function webkitCapabilities() {
  return {
    browserName: "MiniBrowser",
    "wdio:enforceWebDriverClassic": true,
    "webkitgtk:browserOptions": { binary: miniBrowser(), args: ["--automation"] },
  };
}
