// The bench's other engines: bench/engine.html's Mandelbrot line in Firefox (Debian's
// firefox-esr through the geckodriver setup.sh builds, scripts/firefox.mjs; headless, WebDriver
// BiDi) and WebKit (WebKitGTK's MiniBrowser through WebKitWebDriver under Xvfb,
// scripts/webkit.mjs; classic WebDriver). Never fatal: an engine that cannot be started or run
// is reported with the reason, as the peers are.
import { firefoxCapabilities } from "../scripts/firefox.mjs";
import { openWebKit } from "../scripts/webkit.mjs";

/** Runs bench/engine.html?query at `base` in a session `open()` gives: `{ ok, version, results }` or `{ ok: false, reason }`. */
async function runIn(open, base, query) {
  let browser;
  let stop = () => {};
  try {
    ({ browser, stop } = await open());
    await browser.url(`${base}bench/engine.html${query}`);
    const version = browser.capabilities.browserVersion;
    let r;
    await browser.waitUntil(async () => (r = await browser.execute(() => window.__engine)), {
      timeout: 600_000,
      interval: 250,
    });
    if (!r.ok) return { ok: false, reason: r.error.split("\n")[0] };
    return { ok: true, version, results: r.results };
  } catch (err) {
    return { ok: false, reason: String(err?.message ?? err).split("\n")[0] };
  } finally {
    await browser?.deleteSession().catch(() => {});
    stop();
  }
}

export function runFirefox(base, query) {
  return runIn(
    async () => {
      const { remote } = await import("webdriverio");
      const caps = structuredClone(firefoxCapabilities);
      caps["moz:firefoxOptions"].args = ["-headless"];
      // No system access here: nothing privileged is needed to time a page.
      caps["wdio:geckodriverOptions"] = { binary: caps["wdio:geckodriverOptions"].binary };
      return { browser: await remote({ capabilities: caps, logLevel: "error" }), stop: () => {} };
    },
    base,
    query,
  );
}

export function runWebKit(base, query) {
  return runIn(openWebKit, base, query);
}
