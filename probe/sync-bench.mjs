import { chromium } from "playwright";
import { createServer } from "vite";
import { chromiumArgs, chromiumExecutable } from "../scripts/chromium.mjs";
import { printSyncPaths, runSyncPaths, syncBenchHeaders } from "../bench/sync-paths.mjs";
const server = await createServer({ configFile: false, root: process.cwd(), logLevel: "error", plugins: [syncBenchHeaders()],
  optimizeDeps: { include: ["cbor-x/index-no-eval"] }, server: { port: 0, host: "127.0.0.1" } });
await server.listen();
const base = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: chromiumExecutable, args: chromiumArgs });
const s = await runSyncPaths(browser, base, Number(process.argv[2] || 3));
console.log(JSON.stringify(s));
printSyncPaths(s);
await browser.close(); await server.close();
