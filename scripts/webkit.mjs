// How the e2e tests drive WebKit: WebKitGTK's WebDriver (Debian's webkit2gtk-driver) starting
// its MiniBrowser, under Xvfb (MiniBrowser has no headless mode), over classic WebDriver (it
// has no WebDriver BiDi). The engine code Safari shares; not Safari itself. PMAP_MINIBROWSER
// points elsewhere.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { defineBrowserProvider } from "@vitest/browser";
import { WebdriverBrowserProvider } from "@vitest/browser-webdriverio";

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

/** A port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts WebKitWebDriver on a free port under a fresh Xvfb display (`xvfb-run -a`: a free
 * display per run); resolves once it answers /status. `stop()` ends the driver, its Xvfb and
 * every MiniBrowser it started (one process group). `env` is added to the browser's
 * environment (the driver passes its own on), e.g. `JSC_useSharedArrayBuffer: "1"`.
 * @param {Record<string, string>} [env]
 * @returns {Promise<{ port: number, stop: () => void }>}
 */
export async function startWebKitDriver(env = {}) {
  const port = await freePort();
  const driver = spawn("xvfb-run", ["-a", "-s", "-screen 0 1280x1024x24", "WebKitWebDriver", `--port=${port}`], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, ...env },
  });
  const stop = () => {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {}
  };
  const until = Date.now() + 20_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}) before it answered`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return { port, stop };
    } catch {}
    if (Date.now() > until) {
      stop();
      throw new Error("WebKitWebDriver did not answer within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * vitest browser mode's webdriverio provider, for WebKitGTK: the stock provider knows
 * firefox, chrome, edge and safari (Safari's own safaridriver, macOS only) and would start
 * their drivers; this one starts WebKitWebDriver under Xvfb first, points webdriverio at it
 * and sends MiniBrowser's capabilities. Everything else (the iframe, commands, locators) is
 * the stock provider's, so tests see `server.provider === "webdriverio"` and
 * `server.browser === "webkit"`.
 */
class WebKitGtkProvider extends WebdriverBrowserProvider {
  #driver = null;
  #env;

  constructor(project, { env = {}, ...options }) {
    super(project, options);
    this.#env = env;
  }

  async openBrowser() {
    if (!this.browser && !this.#driver) {
      this.#driver = await startWebKitDriver(this.#env);
      this.options = { ...this.options, hostname: "127.0.0.1", port: this.#driver.port, path: "/" };
    }
    return super.openBrowser();
  }

  buildCapabilities() {
    return webkitCapabilities();
  }

  async close() {
    try {
      await super.close();
    } finally {
      this.#driver?.stop();
      this.#driver = null;
    }
  }
}

/**
 * The provider for `{ browser: "webkit", provider: webkitgtk() }` in a vitest project;
 * `webkitgtk({ env: { JSC_useSharedArrayBuffer: "1" } })` for cross-origin-isolated pages
 * (WebKitGTK ships SharedArrayBuffer off even there; Safari has it on).
 */
export function webkitgtk(options = {}) {
  return defineBrowserProvider({
    name: "webdriverio",
    supportedBrowser: ["webkit"],
    options,
    providerFactory: (project) => new WebKitGtkProvider(project, options),
  });
}

/**
 * A WebDriver session in a fresh MiniBrowser of its own driver and display:
 * `{ browser, stop }`; `stop()` ends the driver, its Xvfb and the browser (delete the
 * session first to close the page politely).
 */
export async function openWebKit() {
  const { remote } = await import("webdriverio");
  const driver = await startWebKitDriver();
  try {
    const browser = await remote({
      hostname: "127.0.0.1",
      port: driver.port,
      path: "/",
      logLevel: "error",
      capabilities: webkitCapabilities(),
    });
    return { browser, stop: driver.stop };
  } catch (err) {
    driver.stop();
    throw err;
  }
}
