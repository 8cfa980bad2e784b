// A new user's app, for real: `npm pack` this package, install the tarball (and Vite) into
// a fresh app that uses `wasm-pmap` and `wasm-pmap/vite`, `vite build` it, serve it with
// `vite preview` under a strict CSP, and run `pmap` in Chromium — and a sync-mode job
// through the coordinator service worker the plugin bundled and emitted. Then the same app
// on the Vite dev server. (The webpack twin: webpack.test.ts; the shared parts:
// fixtures/consumer-app.ts.)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build, createServer, preview } from "vite";
import { afterAll, expect, it } from "vitest";
import { appMain, CSP, EXPECTED_RESULT, installPackedPackage, runInChromium } from "./fixtures/consumer-app.js";
import { runInWebKit } from "./fixtures/webkit-page.js";

const root = resolve(import.meta.dirname, "../..");
const app = mkdtempSync(join(tmpdir(), "wasm-pmap-consumer-"));
afterAll(() => rmSync(app, { recursive: true, force: true }));

// The app has its own Vite, as a user's does (the plugin imports it), at the repo's version.
const VITE = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies.vite as string;

/** The app, made once: the packed tarball installed with its own Vite, a page and a config. */
function makeApp(): void {
  installPackedPackage(root, app, { vite: VITE });
  writeFileSync(
    join(app, "vite.config.js"),
    `import { wasmPmap } from "wasm-pmap/vite";\nexport default { plugins: [wasmPmap()] };\n`,
  );
  writeFileSync(
    join(app, "index.html"),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}"></head>` +
      `<body><script type="module" src="./main.js"></script></body></html>`,
  );
  // Sync mode through the coordinator service worker the plugin serves and emits at the root.
  writeFileSync(join(app, "main.js"), appMain(`import.meta.env.BASE_URL + "wasm-pmap-sw.js"`, { awaitUsing: true }));
  mkdirSync(join(app, "public"), { recursive: true });
}

/** Loads the app at `url` in Chromium (or `open`): right results, no CSP violation, no page error. */
async function expectAppWorks(url: string, open = runInChromium): Promise<void> {
  const run = await open(url);
  expect(run.result).toEqual(EXPECTED_RESULT);
  expect(run.violations).toEqual([]);
  expect(run.errors).toEqual([]);
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
  // No chunk imports a worker's entry chunk back: WebKit evaluates a module worker's main
  // script a second time when a module it loads imports it (the executor's host chunk once
  // did, and the second copy's handler replaced the live one: a silent hang).
  const chunks = readdirSync(assets).filter((f) => f.endsWith(".js"));
  const entries = chunks.filter((f) => /^(executor-|relay-)?entry-[\w-]+\.js$/.test(f));
  expect(entries.map((f) => /^(executor-entry|relay-entry|entry)-/.exec(f)?.[1]).sort()).toEqual([
    "entry",
    "executor-entry",
  ]);
  // An import, static or dynamic (the page's `new Worker(new URL(…entry…))` names it too: not one).
  const imports = (code: string) =>
    [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
  for (const f of chunks) {
    const imported = imports(readFileSync(join(assets, f), "utf8"));
    expect(imported.filter((i) => entries.some((e) => i.endsWith(`/${e}`) || i === e))).toEqual([]);
  }
  const server = await preview({
    root: app,
    configFile: join(app, "vite.config.js"),
    preview: { port: 0, host: "127.0.0.1" },
    logLevel: "error",
  });
  try {
    await expectAppWorks(server.resolvedUrls!.local[0]!);
    // WebKit too: sync mode there once failed with "no coordinator answers …/ping (HTTP 200)"
    // (the executor, started with the compute workers from one URL, was not controlled).
    await expectAppWorks(server.resolvedUrls!.local[0]!, runInWebKit);
  } finally {
    await new Promise<void>((r) => server.httpServer.close(() => r()));
  }
}, 240_000);

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
