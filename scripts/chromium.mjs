// How every harness here (vitest browser mode, the bench, the e2e test) launches Chromium.
// Debian's Chromium by default (no browser download is possible on our machines);
// PMAP_CHROMIUM points elsewhere, e.g. a Playwright-managed browser on a dev laptop.
export const chromiumExecutable = process.env.PMAP_CHROMIUM || "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps dialing out, which a closed
// network refuses (slow, noisy); --no-sandbox because CI runs as root.
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
