// The bench's Firefox line: Debian's firefox-esr through the geckodriver setup.sh builds
// (scripts/firefox.mjs), headless, over WebDriver BiDi. Never fatal: a Firefox that cannot
// be started or run is reported with the reason, as the peers are.
import { firefoxCapabilities } from "../scripts/firefox.mjs";

/** Runs bench/firefox.html?query at `base`: `{ ok, results }` or `{ ok: false, reason }`. */
export async function runFirefox(base, query) {
  let browser;
  try {
    const { remote } = await import("webdriverio");
    const caps = structuredClone(firefoxCapabilities);
    caps["moz:firefoxOptions"].args = ["-headless"];
    // No system access here: nothing privileged is needed to time a page.
    caps["wdio:geckodriverOptions"] = { binary: caps["wdio:geckodriverOptions"].binary };
    browser = await remote({ capabilities: caps, logLevel: "error" });
    await browser.url(`${base}bench/firefox.html${query}`);
    const version = browser.capabilities.browserVersion;
    let r;
    await browser.waitUntil(async () => (r = await browser.execute(() => window.__ff)), {
      timeout: 600_000,
      interval: 250,
    });
    if (!r.ok) return { ok: false, reason: r.error.split("\n")[0] };
    return { ok: true, version, results: r.results };
  } catch (err) {
    return { ok: false, reason: String(err?.message ?? err).split("\n")[0] };
  } finally {
    await browser?.deleteSession().catch(() => {});
  }
}
