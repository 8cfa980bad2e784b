// The bench's peers, node side: building the wasm-bindgen-rayon peer, serving its page
// cross-origin isolated, running it, and turning every variant's timings into the
// `mandelbrot.*` / `peers.*` figures, the peers tables and the chart's series.
import { spawnSync } from "node:child_process";

/**
 * Builds bench/rayon-peer (cached: ≈ 1 s when nothing changed). Never throws: a peer
 * that cannot be built is reported, not fatal.
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
export function buildRayonPeer() {
  const r = spawnSync("bash", ["bench/rayon-peer/build.sh"], { encoding: "utf8" });
  if (r.status === 0) return { ok: true };
  const lines = `${r.error?.message ?? ""}\n${r.stderr ?? ""}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^(=|\||warning: unstable feature)/.test(l));
  return { ok: false, reason: `build failed: ${lines.slice(-3).join(" / ") || `exit ${r.status}`}` };
}

/**
 * A Vite plugin: COOP/COEP on the rayon peer's page, its worker and its wasm (every
 * /bench/rayon* path) and nowhere else — wasm-pmap's own page is served as its users'
 * pages are, without them.
 */
export function isolateRayonPage() {
  return {
    name: "bench-isolate-rayon-page",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.startsWith("/bench/rayon")) {
          res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
          res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
        }
        next();
      });
    },
  };
}

/** Runs bench/rayon.html; a failure inside the page is reported, not thrown. */
export async function runRayonPage(context, url) {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__rayon, null, { timeout: 600_000 });
    const r = await page.evaluate(() => window.__rayon);
    return r.ok ? r : { ok: false, reason: `in the page: ${r.error}` };
  } catch (e) {
    return { ok: false, reason: `page did not finish: ${e.message.split("\n")[0]}` };
  } finally {
    await page.close();
  }
}

/**
 * Adds the speedups (against single-thread wasm on the main thread) and the `hcw` aliases
 * (hardwareConcurrency workers) to one variant's `ms_<w>w` figures.
 */
export function withSpeedups(figures, msMain, counts) {
  const hc = counts[counts.length - 1];
  const out = { ...figures };
  for (const w of counts) out[`speedup_${w}w_vs_main`] = msMain / figures[`ms_${w}w`];
  out.ms_hcw = figures[`ms_${hc}w`];
  out.speedup_hcw_vs_main = msMain / out.ms_hcw;
  if (figures.ms_1w && figures.ms_2w) out.speedup_2w_vs_1w = figures.ms_1w / figures.ms_2w;
  return out;
}

const cell = (ms, base) =>
  typeof ms === "number" ? `${ms.toFixed(1).padStart(8)} ms ${(base / ms).toFixed(2).padStart(5)}×` : "".padStart(18);

/**
 * Prints one table: a row per variant, a column per worker count, each cell the median
 * and its ratio to `base` (single-thread wasm on the main thread), or to the row's own
 * third element (a baseline measured on that variant's page).
 */
export function printTable(title, counts, base, rows) {
  console.log(`\n${title}`);
  console.log(`  ${"".padEnd(48)}${counts.map((w) => `${w} worker${w > 1 ? "s" : ""}`.padStart(18)).join("")}`);
  for (const [label, value, rowBase = base] of rows) {
    if (typeof value === "string") console.log(`  ${label.padEnd(48)}${value}`);
    else console.log(`  ${label.padEnd(48)}${counts.map((w) => cell(value[w], rowBase)).join("")}`);
  }
}
