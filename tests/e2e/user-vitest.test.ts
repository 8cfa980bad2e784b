// The README's "Testing your kernels", done as a user does it: `npm pack` this package,
// install the tarball with vitest and its two browser providers into a fresh project, write
// the section's vitest.config.ts and test file into it as the README shows them (read from
// the README here, so the two cannot drift apart), and run that project's own `vitest run`
// in Chromium and Firefox: a map call, a KernelError from bad input, a sync-mode job.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { installPackedPackage } from "./fixtures/consumer-app.js";
import { exampleFiles, markdownSection } from "./fixtures/readme.js";

const root = resolve(import.meta.dirname, "../..");
const app = mkdtempSync(join(tmpdir(), "wasm-pmap-user-vitest-"));
afterAll(() => rm(app, { recursive: true, force: true }), 60_000);

// The repo's own devDependencies, at their versions: the npm cache has them.
const dev = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies as Record<string, string>;
const DEPS = [
  "vite",
  "vitest",
  "@vitest/browser-playwright",
  "@vitest/browser-webdriverio",
  "playwright",
  "webdriverio",
];

/** The section's example files: path → text. */
function readmeExample(): Map<string, string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return exampleFiles(markdownSection(readme, "## Testing your kernels"));
}

// Beside the README's config, never in place of it: the same config with the providers given
// this machine's browsers (Debian's chromium and firefox-esr, geckodriver from cargo: no
// browser download here), as the README says to do on such a machine.
const machineConfig = (scripts: string) => `import { playwright } from "@vitest/browser-playwright";
import { webdriverio } from "@vitest/browser-webdriverio";
import { chromiumArgs, chromiumExecutable } from ${JSON.stringify(`${scripts}/chromium.mjs`)};
import { firefoxCapabilities } from ${JSON.stringify(`${scripts}/firefox.mjs`)};
import config from "./vitest.config.ts";

const machine = {
  chromium: playwright({ launchOptions: { executablePath: chromiumExecutable, args: chromiumArgs } }),
  firefox: webdriverio({ capabilities: firefoxCapabilities }),
};
for (const instance of config.test.browser.instances) {
  const provider = machine[instance.browser];
  if (instance.provider?.name !== provider?.name) throw new Error(\`unexpected \${instance.browser} provider\`);
  instance.provider = provider;
}
export default config;
`;

// Which test ran in which browser, and how it ended (vitest's JSON report does not name the project).
const REPORTER = `import { writeFileSync } from "node:fs";
const results = [];
export default class {
  onTestCaseResult(test) {
    const { state, errors = [] } = test.result();
    results.push({ browser: test.project.name, test: test.name, state, errors: errors.map((e) => e.message) });
  }
  onTestRunEnd() {
    writeFileSync("results.json", JSON.stringify(results));
  }
}
`;

it("the README's example is a vitest config and a test file that maps, fails with a KernelError and runs a sync-mode job", () => {
  const files = readmeExample();
  expect([...files.keys()]).toEqual(["vitest.config.ts", "tests/kernels.test.ts"]);
  const config = files.get("vitest.config.ts")!;
  expect(config).toContain("plugins: [wasmPmap()]");
  expect(config).toMatch(/browser: "chromium", provider: playwright\(\)/);
  expect(config).toMatch(/browser: "firefox", provider: webdriverio\(\)/);
  const test = files.get("tests/kernels.test.ts")!;
  expect(test).toContain('pool.map("double"');
  expect(test).toContain("toBeInstanceOf(KernelError)");
  expect(test).toContain('import.meta.env.BASE_URL + "wasm-pmap-sw.js"');
  expect(test).toContain('.execute("mandelbrotImage"');
});

it("runs the README's vitest config and test file in a fresh project, in Chromium and Firefox", async () => {
  const files = readmeExample();
  installPackedPackage(root, app, Object.fromEntries(DEPS.map((d) => [d, dev[d]!])));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  writeFileSync(join(app, "vitest.machine.config.ts"), machineConfig(pathToFileURL(join(root, "scripts")).href));
  writeFileSync(join(app, "reporter.js"), REPORTER);
  const vitest = join(app, "node_modules", ".bin", "vitest");
  await promisify(execFile)(vitest, ["run", "--config", "vitest.machine.config.ts", "--reporter=./reporter.js"], {
    cwd: app,
    env: { ...process.env, NO_COLOR: "1", CI: "1" },
  }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`the project's vitest run failed:\n${e.stdout}\n${e.stderr}`);
  });
  const results = JSON.parse(readFileSync(join(app, "results.json"), "utf8")) as Array<{ browser: string }>;
  const titles = [...files.get("tests/kernels.test.ts")!.matchAll(/^it\("([^"]+)"/gm)].map((m) => m[1]!);
  expect(titles).toHaveLength(3);
  const expected = ["chromium", "firefox"].flatMap((browser) =>
    titles.map((test) => ({ browser, test, state: "passed", errors: [] })),
  );
  const byBrowser = (a: { browser: string }, b: { browser: string }) => a.browser.localeCompare(b.browser);
  expect(results.sort(byBrowser)).toEqual(expected);
}, 300_000);
