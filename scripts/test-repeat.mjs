// `npm run test:repeat -- N [vitest args…]`: runs the browser test projects N times back to
// back (after one setup + build) and prints which tests failed in which run, and the flake
// count: a test that fails in some runs and passes in others is a defect to find, never a
// timeout to widen. Extra arguments go to vitest, e.g. `-- 5 --browser firefox` or
// `-- 3 tests/isolated`. `LOAD=1` runs a CPU hog per core beside it (a loaded machine).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const [count = "5", ...extra] = process.argv.slice(2);
const runs = Number(count);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: npm run test:repeat -- N [vitest args…] (N a positive integer, got ${count})`);
  process.exit(2);
}
const projects = extra.some((a) => a.startsWith("--project"))
  ? []
  : ["browser", "isolated", "own-worker", "soak"].flatMap((p) => ["--project", p]);

for (const step of ["scripts/setup.sh", "scripts/build.sh"]) {
  const r = spawnSync("bash", [step], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const hogs = process.env.LOAD
  ? Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }),
    )
  : [];
const stopHogs = () => {
  for (const h of hogs) h.kill();
};
process.on("exit", stopHogs);
if (hogs.length) console.log(`[repeat] ${hogs.length} CPU hogs running beside the tests`);

const dir = mkdtempSync(join(tmpdir(), "pmap-repeat-"));
/** test name → run numbers it failed in */
const failed = new Map();
const passedIn = new Map();
const log = [];
for (let run = 1; run <= runs; run++) {
  const out = join(dir, `run-${run}.json`);
  const started = Date.now();
  const r = spawnSync(
    "npx",
    ["vitest", "run", ...projects, ...extra, "--reporter=dot", "--reporter=json", `--outputFile.json=${out}`],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  let report;
  try {
    report = JSON.parse(readFileSync(out, "utf8"));
  } catch {
    log.push(`run ${run}: no report (vitest exit ${r.status}) in ${secs} s`);
    failed.set("(vitest produced no report)", [...(failed.get("(vitest produced no report)") ?? []), run]);
    continue;
  }
  const bad = [];
  for (const file of report.testResults) {
    const rel = file.name.replace(`${process.cwd()}/`, "");
    // A file whose hooks failed has no failed assertion results: count the file itself.
    if (file.status === "failed" && !file.assertionResults.some((t) => t.status === "failed")) {
      bad.push(`${rel} (file: ${String(file.message).split("\n")[0]})`);
    }
    for (const t of file.assertionResults) {
      const name = `${rel} > ${t.fullName}`;
      if (t.status === "failed") bad.push(`${name} — ${String(t.failureMessages?.[0] ?? "").split("\n")[0]}`);
      else if (t.status === "passed") passedIn.set(name, (passedIn.get(name) ?? 0) + 1);
    }
  }
  for (const b of bad) {
    const key = b.split(" — ")[0];
    failed.set(key, [...(failed.get(key) ?? []), run]);
  }
  log.push(
    `run ${run}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numFailedTestSuites} files failed, ${secs} s` +
      bad.map((b) => `\n    ✗ ${b}`).join(""),
  );
}
stopHogs();
rmSync(dir, { recursive: true, force: true });

console.log(`\n== test:repeat: ${runs} runs${hogs.length ? ", loaded" : ""}`);
for (const l of log) console.log(l);
const flaky = [...failed].filter(([name]) => (passedIn.get(name) ?? 0) > 0);
const red = [...failed].length;
console.log(
  `\n${runs - new Set([...failed.values()].flat()).size} of ${runs} runs green; ` +
    `${flaky.length} flaky tests (failed in some runs, passed in others); ${red} tests failed at least once`,
);
for (const [name, inRuns] of failed) console.log(`  ${name}: failed in run(s) ${inRuns.join(", ")}`);
process.exit(red ? 1 : 0);
