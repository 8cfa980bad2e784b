// The coordinator in a real service worker, reached by real workers inside its scope.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "vitest/browser";
import { decodeChunkResults, encodeResponse } from "../../dist/wire.js";

declare module "vitest/browser" {
  interface BrowserCommands {
    stopServiceWorkers(): Promise<void>;
  }
}

const swUrl = new URL("./fixtures/sw.ts", import.meta.url);
const scope = new URL(".", swUrl).href; // the folder of the script: the widest scope it may have
const prefix = `${scope}__wasm_pmap__/`;
let reg: ServiceWorkerRegistration;
const workers: Worker[] = [];

beforeAll(async () => {
  reg = await navigator.serviceWorker.register(swUrl, { type: "module", scope });
  const sw = reg.installing ?? reg.waiting ?? reg.active!;
  if (sw.state !== "activated") {
    await new Promise<void>((r) => sw.addEventListener("statechange", () => sw.state === "activated" && r()));
  }
});
afterAll(async () => {
  workers.forEach((w) => w.terminate());
  await reg?.unregister();
});

/** A fresh probe worker (created after activation, so the coordinator controls it). */
function probe() {
  const w = new Worker(new URL("./fixtures/probe-worker.ts", import.meta.url), { type: "module" });
  workers.push(w);
  let seq = 0;
  return (requests: Array<{ method: string; url: string; body?: Uint8Array; sync: boolean }>) =>
    new Promise<Array<{ status: number; body: Uint8Array; ms: number }>>((resolve, reject) => {
      const id = ++seq;
      w.addEventListener("message", function on(e) {
        if (e.data.id !== id) return;
        w.removeEventListener("message", on);
        if (e.data.error) reject(new Error(e.data.error));
        else resolve(e.data.out);
      });
      w.postMessage({ id, requests });
    });
}

const newJob = () => `${crypto.randomUUID()}:1`;
const frame = (job: string, i: number) => encodeResponse({ job, chunk: i, ok: true, body: Uint8Array.of(0x80 + i) });

describe("coordinator service worker", () => {
  it("a blocked synchronous XHR is released when the last chunk is POSTed by another worker", async () => {
    const executor = probe();
    const compute = probe();
    const job = newJob();
    const [created] = await executor([{ method: "PUT", url: `${prefix}jobs/${job}?chunks=2`, sync: true }]);
    expect(created!.status).toBe(201);
    // The executor blocks (sync XHR, re-issued while 204) while a compute worker posts results.
    const waiting = executor(Array.from({ length: 5 }, () => ({ method: "GET", url: `${prefix}jobs/${job}/wait?ms=1000`, sync: true })));
    await new Promise((r) => setTimeout(r, 50));
    const posted = await compute([
      { method: "POST", url: `${prefix}jobs/${job}/chunks/1`, body: frame(job, 1), sync: false },
      { method: "POST", url: `${prefix}jobs/${job}/chunks/0`, body: frame(job, 0), sync: false },
    ]);
    expect(posted.map((r) => r.status)).toEqual([204, 204]);
    const answers = await waiting;
    const first = answers.find((a) => a.status === 200)!;
    expect(first).toBeDefined();
    const results = decodeChunkResults(first.body);
    expect(results.map(([i]) => i)).toEqual([0, 1]);
    expect(Array.from(results[0]![1])).toEqual(Array.from(frame(job, 0)));
  });

  it("passes every request outside its prefix through unchanged", async () => {
    const w = probe();
    const outside = new URL("./fixtures/probe-worker.ts", import.meta.url).href;
    const [viaSw] = await w([{ method: "GET", url: outside, sync: false }]);
    const direct = new Uint8Array(await (await fetch(outside)).arrayBuffer()); // the page is not controlled
    expect(viaSw!.status).toBe(200);
    expect(Array.from(viaSw!.body)).toEqual(Array.from(direct));
    // …and answers under its prefix (proof the worker is controlled at all).
    const [own] = await w([{ method: "GET", url: `${prefix}jobs/not-a-job/wait`, sync: false }]);
    expect(own!.status).toBe(400);
  });

  it("two jobs (two pools' ids) never mix", async () => {
    const w = probe();
    const a = newJob();
    const b = newJob();
    const res = await w([
      { method: "PUT", url: `${prefix}jobs/${a}?chunks=1`, sync: true },
      { method: "PUT", url: `${prefix}jobs/${b}?chunks=1`, sync: true },
      { method: "POST", url: `${prefix}jobs/${a}/chunks/0`, body: frame(b, 0), sync: true }, // b's frame to a: refused
      { method: "POST", url: `${prefix}jobs/${b}/chunks/0`, body: frame(b, 0), sync: true },
      { method: "GET", url: `${prefix}jobs/${a}/wait?ms=100`, sync: true },
      { method: "GET", url: `${prefix}jobs/${b}/wait?ms=100`, sync: true },
    ]);
    expect(res.map((r) => r.status)).toEqual([201, 201, 400, 204, 204, 200]);
  });

  it("a stopped service worker loses its jobs: the wait answers 404 at once, it never hangs", async () => {
    const w = probe();
    const job = newJob();
    const [created] = await w([{ method: "PUT", url: `${prefix}jobs/${job}?chunks=1`, sync: true }]);
    expect(created!.status).toBe(201);
    await commands.stopServiceWorkers();
    const [after] = await w([{ method: "GET", url: `${prefix}jobs/${job}/wait?ms=1000`, sync: true }]);
    expect(after!.status).toBe(404);
    expect(new TextDecoder().decode(after!.body)).toContain("unknown job");
  });
});
