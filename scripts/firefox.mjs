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
 * The same, over classic WebDriver instead of a WebDriver BiDi session: for the suites whose
 * workers start workers of their own (an app-owned pool: app worker → relay → compute
 * workers, tests/own-worker). Why: every BiDi session makes Firefox's remote agent listen
 * for workers in each content process (WebDriverWorkerListenerChild, a
 * WorkerDebuggerManager listener), and with a listener present Firefox (153 ESR) can
 * deadlock `new Worker()` called from a worker: the parent blocks in
 * WorkerPrivate::WaitForIsDebuggerRegistered on the new worker's condition variable, which
 * the new worker's own thread, already started, also waits on; the main thread's
 * SetIsDebuggerRegistered signals just one waiter (Notify, not NotifyAll), and when that is
 * the new worker's thread the parent never wakes (nothing else dispatches to the new worker:
 * its parent would). Seen as "the relay runs; starting 2 compute workers" and nothing more
 * in about 1 run in 6; not once in 28 runs without a BiDi session. A worker started from a
 * page is not exposed (the main thread registers it synchronously). Used by the own-worker
 * project; tests/isolated/from-worker.test.ts nests workers the same way.
 */
export const firefoxClassicCapabilities = { ...firefoxCapabilities, "wdio:enforceWebDriverClassic": true };

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
