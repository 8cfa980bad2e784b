// The Vite consumer test's twin for webpack 5: `npm pack` this package, install the tarball
// and webpack into a fresh app, build it with the app's own webpack and the config the
// README shows (tests/e2e/fixtures/webpack-app/), serve the output with a bare static server
// that sends a strict CSP on every response (fixtures/static-server.ts), and run `pmap`
// and a sync-mode job through the coordinator service worker in Chromium.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { appMain, EXPECTED_RESULT, installPackedPackage, runInChromium } from "./fixtures/consumer-app.js";
import { serveStatic } from "./fixtures/static-server.js";

const root = resolve(import.meta.dirname, "../..");
const fixture = join(import.meta.dirname, "fixtures/webpack-app");
const app = mkdtempSync(join(tmpdir(), "wasm-pmap-webpack-"));
// webpack brings thousands of files: removing them can outlast the default hook timeout.
afterAll(() => rm(app, { recursive: true, force: true }), 60_000);

// The repo's own devDependency, so the npm cache has it: the install stays offline-friendly.
const WEBPACK = "5.112.2";
it("the README's webpack config is the one this test builds", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const shown = readme.match(/```js\n\/\/ webpack\.config\.js\n([\s\S]*?)```/)?.[1];
  // The fixture's first two lines say where it comes from; the rest is the README's block.
  const config = readFileSync(join(fixture, "webpack.config.js"), "utf8").split("\n").slice(3).join("\n");
  expect(shown).toBe(config);
});

it("installs from the packed tarball, builds with webpack 5, and runs pmap and a sync job under a strict CSP", async () => {
  installPackedPackage(root, app, { webpack: WEBPACK });
  for (const f of ["webpack.config.js", "build.mjs"]) copyFileSync(join(fixture, f), join(app, f));
  mkdirSync(join(app, "src"));
  // The coordinator is the `wasm-pmap-sw` entry, next to the page's bundle.
  writeFileSync(join(app, "src/main.js"), appMain(`__webpack_public_path__ + "wasm-pmap-sw.js"`));

  const out = execFileSync("node", ["build.mjs"], { cwd: app, encoding: "utf8", stdio: "pipe" });
  const { errors, warnings } = JSON.parse(out) as { errors: string[]; warnings: string[] };
  expect(errors).toEqual([]);
  // Only webpack's size hints (the wasm is 340 KiB); a "Critical dependency" would mean an
  // import() webpack could not follow, which fails at run time.
  expect(warnings.filter((w) => !/size limit/.test(w))).toEqual([]);

  const dist = join(app, "dist");
  writeFileSync(join(dist, "index.html"), `<!doctype html><html><body><script src="./main.js"></script></body></html>`);
  const server = await serveStatic(dist);
  try {
    const run = await runInChromium(server.url);
    expect(run.result).toEqual(EXPECTED_RESULT);
    expect(run.violations).toEqual([]);
    expect(run.errors).toEqual([]);
  } finally {
    await server.close();
  }
}, 240_000);
