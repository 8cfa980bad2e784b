// How vitest browser mode launches Firefox (the browser suite runs in it beside Chromium).
// Debian's firefox-esr and a geckodriver built by `cargo install` (scripts/setup.sh): no
// browser or driver download is possible on our machines. PMAP_FIREFOX / PMAP_GECKODRIVER
// point elsewhere, e.g. a Mozilla build on a dev laptop.
import { homedir } from "node:os";
import { join } from "node:path";

export const firefoxExecutable = process.env.PMAP_FIREFOX || "/usr/bin/firefox-esr";
export const geckodriverExecutable =
  process.env.PMAP_GECKODRIVER || join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin", "geckodriver");

/** webdriverio capabilities: both `binary` paths set, so webdriverio downloads neither. */
export const firefoxCapabilities = {
  browserName: "firefox",
  "moz:firefoxOptions": { binary: firefoxExecutable },
  // System access (chrome-privileged scripts) only for stopServiceWorkers below.
  "wdio:geckodriverOptions": { binary: geckodriverExecutable, allowSystemAccess: true },
};

/**
 * Stops every running service worker, as Firefox does to idle ones: Firefox's counterpart of
 * Chromium's DevTools `ServiceWorker.stopAllWorkers`. WebDriver BiDi has no such command;
 * the service worker manager's `terminateWorker()` (what about:debugging uses) does, from a
 * chrome-privileged script. The next event starts the worker afresh, with empty globals.
 * @param {import("webdriverio").Browser} browser
 */
export async function stopFirefoxServiceWorkers(browser) {
  await browser.setMozContext("chrome");
  try {
    await browser.executeScript(
      `const swm = Cc["@mozilla.org/serviceworkers/manager;1"].getService(Ci.nsIServiceWorkerManager);
       const regs = swm.getAllRegistrations();
       for (let i = 0; i < regs.length; i++)
         regs.queryElementAt(i, Ci.nsIServiceWorkerRegistrationInfo).activeWorker?.terminateWorker();`,
      [],
    );
  } finally {
    await browser.setMozContext("content");
  }
}
