// The coordinator's routing and job table, driven with real fetch Request/Response objects
// (no service worker here: the browser test registers a real one).
import { describe, expect, it } from "vitest";
import { Coordinator } from "../../ts/coordinator.js";
import { decodeChunkResults, encodeResponse } from "../../ts/wire.js";

const scope = "https://app.test/base/";
const job = "0b8f6a2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b:1";
const other = "7d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a:1";
const url = (path: string) => `${scope}__wasm_pmap__/${path}`;
const okFrame = (j: string, i: number) => encodeResponse({ job: j, chunk: i, ok: true, body: Uint8Array.of(0x80 + i) });

async function call(c: Coordinator, method: string, path: string, body?: Uint8Array) {
  const res = await c.handle(new Request(url(path), { method, body: body as BodyInit | undefined }));
  return res!;
}

describe("Coordinator", () => {
  it("answers only under its prefix; everything else passes through (undefined)", () => {
    const c = new Coordinator(scope);
    expect(c.handle(new Request("https://app.test/base/index.html"))).toBeUndefined();
    expect(c.handle(new Request("https://app.test/__wasm_pmap__/jobs/x"))).toBeUndefined(); // outside the scope's prefix
    expect(c.handle(new Request("https://cdn.test/base/__wasm_pmap__/jobs/x"))).toBeUndefined();
  });

  it("collects every chunk, then answers the wait with all frames in index order", async () => {
    const c = new Coordinator(scope);
    expect((await call(c, "PUT", `jobs/${job}?chunks=2`)).status).toBe(201);
    expect((await call(c, "GET", `jobs/${job}/wait?ms=0`)).status).toBe(204);
    const waiting = call(c, "GET", `jobs/${job}/wait?ms=5000`);
    expect((await call(c, "POST", `jobs/${job}/chunks/1`, okFrame(job, 1))).status).toBe(204);
    expect((await call(c, "POST", `jobs/${job}/chunks/0`, okFrame(job, 0))).status).toBe(204);
    const res = await waiting;
    expect(res.status).toBe(200);
    const results = decodeChunkResults(new Uint8Array(await res.arrayBuffer()));
    expect(results.map(([i]) => i)).toEqual([0, 1]);
    expect(Array.from(results[1]![1])).toEqual(Array.from(okFrame(job, 1)));
  });

  it("an error frame ends the wait at once with that error", async () => {
    const c = new Coordinator(scope);
    await call(c, "PUT", `jobs/${job}?chunks=3`);
    const waiting = call(c, "GET", `jobs/${job}/wait?ms=5000`);
    const err = encodeResponse({ job, chunk: 2, ok: false, failure: { kind: "kernel", kernel: "k", message: "bad" } });
    await call(c, "POST", `jobs/${job}/chunks/2`, err);
    const results = decodeChunkResults(new Uint8Array(await (await waiting).arrayBuffer()));
    expect(results).toHaveLength(1);
    expect(results[0]![0]).toBe(2);
  });

  it("a wait is bounded: it returns 204 after its time (capped), never hangs", async () => {
    const c = new Coordinator(scope, { maxWaitMs: 100 });
    await call(c, "PUT", `jobs/${job}?chunks=1`);
    expect((await call(c, "GET", `jobs/${job}/wait?ms=50`)).status).toBe(204);
    const t0 = Date.now();
    expect((await call(c, "GET", `jobs/${job}/wait?ms=999999999`)).status).toBe(204);
    expect(Date.now() - t0).toBeLessThan(2000); // held ≈ 100 ms, not the asked-for 11 days
  });

  it("keeps jobs apart: a frame for another job is refused, ids must be namespaced", async () => {
    const c = new Coordinator(scope);
    await call(c, "PUT", `jobs/${job}?chunks=1`);
    await call(c, "PUT", `jobs/${other}?chunks=1`);
    expect((await call(c, "POST", `jobs/${job}/chunks/0`, okFrame(other, 0))).status).toBe(400);
    expect((await call(c, "PUT", `jobs/1?chunks=1`)).status).toBe(400);
    expect((await call(c, "PUT", `jobs/${job}?chunks=1`)).status).toBe(409);
    expect((await call(c, "POST", `jobs/${job}/chunks/5`, okFrame(job, 5))).status).toBe(400);
    expect((await call(c, "POST", `jobs/${job}/chunks/0`, Uint8Array.of(1, 2, 3))).status).toBe(400);
  });

  it("unknown jobs are 404 (a restarted coordinator), cancelled waits end with 410", async () => {
    const c = new Coordinator(scope);
    expect((await call(c, "GET", `jobs/${job}/wait?ms=10`)).status).toBe(404);
    await call(c, "PUT", `jobs/${job}?chunks=1`);
    const waiting = call(c, "GET", `jobs/${job}/wait?ms=5000`);
    expect((await call(c, "DELETE", `jobs/${job}`)).status).toBe(204);
    expect((await waiting).status).toBe(410);
    expect(c.jobs).toBe(0);
  });

  it("the first wait creates the job (chunks=N); a re-issued wait of a forgotten job is 404", async () => {
    const c = new Coordinator(scope);
    const waiting = call(c, "GET", `jobs/${job}/wait?ms=5000&chunks=1`);
    await new Promise((r) => setTimeout(r, 5));
    expect(c.jobs).toBe(1);
    expect((await call(c, "POST", `jobs/${job}/chunks/0`, okFrame(job, 0))).status).toBe(204);
    expect((await waiting).status).toBe(200);
    expect(c.jobs).toBe(0); // handed to its one reader: forgotten
    expect((await call(c, "GET", `jobs/${job}/wait?ms=10`)).status).toBe(404); // no chunks=: no re-creation
  });

  it("a result delivered before the job's first wait is kept and adopted by that wait", async () => {
    const c = new Coordinator(scope);
    expect(c.deliver(job, 0, okFrame(job, 0)).status).toBe(204);
    expect((await call(c, "GET", `jobs/${job}/wait?ms=10`)).status).toBe(404); // not a job yet
    const res = await call(c, "GET", `jobs/${job}/wait?ms=5000&chunks=1`);
    expect(res.status).toBe(200);
    const [[i, frame]] = decodeChunkResults(new Uint8Array(await res.arrayBuffer())) as [[number, Uint8Array]];
    expect(i).toBe(0);
    expect(Array.from(frame)).toEqual(Array.from(okFrame(job, 0)));
    expect(c.deliver(job, 0, okFrame(other, 0)).status).toBe(400); // still checked against the job
  });

  it("bounds the number of jobs", async () => {
    const c = new Coordinator(scope, { maxJobs: 1 });
    expect((await call(c, "PUT", `jobs/${job}?chunks=1`)).status).toBe(201);
    expect((await call(c, "PUT", `jobs/${other}?chunks=1`)).status).toBe(503);
  });
});
