// A new user's app, for real: `npm pack` this package, install the tarball into a fresh
// app that uses `wasm-pmap` and `wasm-pmap/vite`, `vite build` it, serve it with
// `vite preview` under a strict CSP, and run `pmap` in Chromium — and a sync-mode job
// through the coordinator service worker the plugin bundled and emitted.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright";
import { build, createServer, preview } from "vite";
import { afterAll, expect, it } from "vitest";
import { chromiumArgs, chromiumExecutable } from "../../scripts/chromium.mjs";

const root = resolve(import.meta.dirname, "../..");
const app = mkdtempSync(join(tmpdir(), "wasm-pmap-consumer-"));
afterAll(() => rmSync(app, { recursive: true, force: true }));

// The app has its own Vite, as a user's does (the plugin imports it), at the repo's version.
const VITE = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies.vite as string;
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";

/** The app, made once: the packed tarball installed with its own Vite, a page and a config. */
function makeApp(): void {
  execFileSync("npm", ["pack", "--silent", "--pack-destination", app], { cwd: root, stdio: "pipe" });
  const tgz = readdirSync(app).find((f) => f.endsWith(".tgz"))!;
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { "wasm-pmap": `file:./${tgz}`, vite: VITE },
    }),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: app,
    stdio: "pipe",
  });

  writeFileSync(
    join(app, "vite.config.js"),
    `import { wasmPmap } from "wasm-pmap/vite";\nexport default { plugins: [wasmPmap()] };\n`,
  );
  writeFileSync(
    join(app, "index.html"),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}"></head>` +
      `<body><script type="module" src="./main.js"></script></body></html>`,
  );
  writeFileSync(
    join(app, "main.js"),
    `import { pmap, createPool } from "wasm-pmap";
     window.__violations = [];
     document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
     const pool = await createPool({ concurrency: 2 });
     const doubled = await pool.map("double", Array.from({ length: 1000 }, (_, i) => i));
     const hashes = await pmap("sha256Hex", ["abc"]);
     // Sync mode through the coordinator service worker the plugin emitted at the root.
     const syncPool = await createPool({ concurrency: 2, sync: { serviceWorker: import.meta.env.BASE_URL + "wasm-pmap-sw.js" } });
     const image = await syncPool.execute("mandelbrotImage", { width: 64, height: 48, maxIter: 64 });
     const rows = await pool.map("mandelbrotRow", Array.from({ length: 48 }, (_, y) => ({ y, width: 64, height: 48, maxIter: 64 })));
     const sameImage = image.length === 64 * 48 && rows.every((row, y) => row.every((v, x) => image[y * 64 + x] === v));
     window.__result = { ok: doubled.every((x, i) => x === 2 * i) && doubled.length === 1000, hashes, sameImage };\n`,
  );
  mkdirSync(join(app, "public"), { recursive: true });
}

it("installs from the packed tarball, builds with the Vite plugin, and runs under a strict CSP", async () => {
  makeApp();
  await build({ root: app, configFile: join(app, "vite.config.js"), logLevel: "error" });
  // The kernel glue every worker loads is emitted minified (the plugin's generateBundle),
  // and still works: the page below runs on it.
  const assets = join(app, "dist", "assets");
  const glue = readdirSync(assets).find((f) => /^wasm_pmap_kernels-[\w-]+\.js$/.test(f))!;
  const shipped = readFileSync(join(assets, glue), "utf8");
  expect(shipped.length).toBeLessThan(readFileSync(join(root, "pkg", "wasm_pmap_kernels.js"), "utf8").length * 0.6);
  expect(shipped).toContain("export function __wasmPmapRun(");
  const server = await preview({
    root: app,
    configFile: join(app, "vite.config.js"),
    preview: { port: 0, host: "127.0.0.1" },
    logLevel: "error",
  });
  try {
    await expectAppWorks(server.resolvedUrls!.local[0]!);
  } finally {
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
}, 180_000);

// The dev server path of the plugin: the service worker served at the root as a one-line
// module that imports the real one through Vite (plugin.ts, configureServer), workers and
// wasm served from the package in node_modules — the same page, the same checks.
it("runs the same page on the Vite dev server, sync mode included", async () => {
  if (!readdirSync(app).includes("vite.config.js")) makeApp(); // run alone (-t)
  const server = await createServer({
    root: app,
    configFile: join(app, "vite.config.js"),
    server: { port: 0, host: "127.0.0.1" },
    logLevel: "error",
  });
  await server.listen();
  try {
    await expectAppWorks(server.resolvedUrls!.local[0]!);
  } finally {
    await server.close();
  }
}, 180_000);

/** Loads the app at `url` in Chromium: right results, no CSP violation, no page error. */
async function expectAppWorks(url: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page
      .waitForFunction(() => (window as unknown as Record<string, unknown>).__result || false, null, {
        timeout: 30_000,
      })
      .catch(() => {
        throw new Error(`no result; page errors: ${errors.join(" | ")}`);
      });
    const result = await page.evaluate(() => (window as unknown as Record<string, unknown>).__result);
    expect(result).toEqual({
      ok: true,
      hashes: ["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
      sameImage: true,
    });
    expect(await page.evaluate(() => (window as unknown as Record<string, unknown>).__violations)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}
