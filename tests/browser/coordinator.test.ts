// The coordinator in a real service worker, reached by real workers inside its scope and by
// the page's messages, as sync mode uses it (protocol: ts/protocol/routes.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeResponse } from "../../dist/protocol/frames.js";
import { needsServiceWorkerStop, stopServiceWorkers } from "./fixtures/stop-service-workers.js";

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
  for (const w of workers) w.terminate();
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

/** Tickets the coordinator holds now (its ping says), asked by a probe worker with fetch. */
async function ticketsHeld(): Promise<number> {
  const [ping] = await probe()([{ method: "GET", url: `${prefix}ping`, sync: false }]);
  workers.pop()?.terminate();
  return JSON.parse(new TextDecoder().decode(ping!.body).replace(/^[^{]*/, "")).tickets;
}

/** The page's side, as sync/link.ts speaks it: a message to the service worker, its status back. */
function tell(
  msg: { wasmPmap: "deliver"; ticket: string; frame: Uint8Array } | { wasmPmap: "forget"; ticket: string },
) {
  const channel = new MessageChannel();
  return new Promise<number>((resolve) => {
    channel.port1.onmessage = (e) => resolve(e.data.status);
    reg.active!.postMessage(msg, [channel.port2]);
  });
}

const newTicket = () => `${crypto.randomUUID()}:1`;
const answer = (t: string) => encodeResponse({ call: t, chunk: 0, ok: true, body: Uint8Array.of(0x81, 0x07) });
const wait = (t: string, ms: number, open = false, sync = true) => ({
  method: "GET",
  url: `${prefix}tickets/${t}/wait?ms=${ms}${open ? "&open=1" : ""}`,
  sync,
});

describe("coordinator service worker", () => {
  it("a blocked synchronous XHR is released when the page delivers the ticket's answer", async () => {
    const executor = probe();
    const ticket = newTicket();
    // The executor blocks (sync XHR, re-issued while 204) while the page delivers the answer.
    const waiting = executor([wait(ticket, 1000, true), ...Array.from({ length: 4 }, () => wait(ticket, 1000))]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await tell({ wasmPmap: "deliver", ticket, frame: answer(ticket) })).toBe(204);
    const answers = await waiting;
    const first = answers.find((a) => a.status === 200)!;
    expect(first).toBeDefined();
    expect(Array.from(first.body)).toEqual(Array.from(answer(ticket)));
    expect(answers.slice(answers.indexOf(first) + 1).every((a) => a.status === 404)).toBe(true); // read once, then forgotten
  });

  it("passes every request outside its prefix through unchanged", async () => {
    const w = probe();
    const outside = new URL("./fixtures/probe-worker.ts", import.meta.url).href;
    const [viaSw] = await w([{ method: "GET", url: outside, sync: false }]);
    const direct = new Uint8Array(await (await fetch(outside)).arrayBuffer()); // the page is not controlled
    expect(viaSw!.status).toBe(200);
    expect(Array.from(viaSw!.body)).toEqual(Array.from(direct));
    // …and answers under its prefix (proof the worker is controlled at all).
    const [own] = await w([{ method: "GET", url: `${prefix}tickets/not-a-ticket/wait`, sync: false }]);
    expect(own!.status).toBe(400);
  });

  it("two tickets (two pools' ids) never mix", async () => {
    const w = probe();
    const a = newTicket();
    const b = newTicket();
    await w([wait(a, 0, true), wait(b, 0, true)]);
    expect(await tell({ wasmPmap: "deliver", ticket: a, frame: answer(b) })).toBe(400); // b's answer to a: refused
    expect(await tell({ wasmPmap: "deliver", ticket: b, frame: answer(b) })).toBe(204);
    const res = await w([wait(a, 100), wait(b, 100)]);
    expect(res.map((r) => r.status)).toEqual([204, 200]);
  });

  it("the page's forget ends a held wait and drops the ticket", async () => {
    const executor = probe();
    const ticket = newTicket();
    const before = await ticketsHeld();
    const waiting = executor([wait(ticket, 5000, true)]);
    // Forget once the wait holds its ticket (a fixed sleep raced a slow worker start, and
    // Firefox's client lookup: coordinator.ts lookupClient).
    for (let i = 0; i < 100 && (await ticketsHeld()) === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await ticketsHeld()).toBe(before + 1);
    expect(await tell({ wasmPmap: "forget", ticket })).toBe(204);
    const [held] = await waiting;
    expect(held!.status).toBe(404);
    expect(held!.ms).toBeLessThan(4000); // ended by the forget, not by the wait's own bound
  });

  it("a navigation or the page's own fetch under the prefix gets a 4xx and opens nothing", async () => {
    const ticket = newTicket();
    const target = `${prefix}tickets/${ticket}/wait?ms=0&open=1`;
    const frame = document.createElement("iframe");
    const loaded = new Promise((r) => frame.addEventListener("load", r, { once: true }));
    frame.src = target;
    document.body.append(frame);
    await loaded;
    expect(frame.contentDocument?.body.textContent).toContain("not a wasm-pmap request (a navigation)");
    frame.remove();
    // The page: refused by the coordinator if it controls the page, or not found if it does not.
    expect([403, 404]).toContain((await fetch(target)).status);
    // Neither opened the ticket: the executor's re-issued wait finds nothing.
    const [after] = await probe()([wait(ticket, 0)]);
    expect(after!.status).toBe(404);
  });

  it("a stopped service worker loses its tickets: the wait answers 404 at once, it never hangs", async (ctx) => {
    needsServiceWorkerStop(ctx);
    const w = probe();
    const ticket = newTicket();
    const [opened] = await w([wait(ticket, 0, true)]);
    expect(opened!.status).toBe(204);
    await stopServiceWorkers();
    const [after] = await w([wait(ticket, 1000)]);
    expect(after!.status).toBe(404);
    expect(new TextDecoder().decode(after!.body)).toContain("unknown ticket");
  });

  // Firefox 153 never settled the coordinator's clients.get() for a worker blocked in a
  // sync XHR, so this hung there until the coordinator stopped waiting for it (lookupClient).
  it("a synchronous XHR wait is answered at once (it never hangs)", async () => {
    const w = probe();
    const hung = new Promise<undefined>((r) => setTimeout(r, 5000, undefined));
    const answered = await Promise.race([w([wait(newTicket(), 0, true, true)]), hung]);
    workers.pop()?.terminate(); // frees a hung worker at once
    expect(answered?.[0]?.status).toBe(204);
  });
});
