// One worker's life as the pool sees it (ts/pool/worker-slot.ts), driven directly through
// the worker seam: start-up and its failures (each a PoolStartError naming the worker and the
// cause, never also a crash), crashes after start, and what the slot forwards.
import { describe, expect, it, vi } from "vitest";
import type { PoolWorker, SpawnWorker, WorkerEvents } from "../../ts/pool/backend.js";
import type { Task } from "../../ts/pool/call.js";
import { READY_TIMEOUT_MS, WorkerSlot } from "../../ts/pool/worker-slot.js";
import { PoolStartError } from "../../ts/protocol/errors.js";
import type { FromWorker, ToWorker } from "../../ts/protocol/messages.js";
import { DOUBLE, track, useFakeTimers } from "./fake-worker.js";

/** A worker backend that records what the slot does and lets the test speak for the worker. */
function backend(fail?: unknown) {
  const posted: Array<[ToWorker, Transferable[] | undefined]> = [];
  const state = { terminated: 0, name: "", events: undefined as WorkerEvents | undefined };
  const spawn: SpawnWorker = (name, events) => {
    if (fail !== undefined) throw fail;
    state.name = name;
    state.events = events;
    const w: PoolWorker = {
      post: (m, t) => posted.push([m, t]),
      terminate: () => state.terminated++,
    };
    return w;
  };
  return {
    spawn,
    posted,
    state,
    say: (m: FromWorker) => state.events!.message(m),
    die: (r: string) => state.events!.error(r),
  };
}

function slotOf(b: ReturnType<typeof backend>, readyTimeoutMs?: number) {
  const messages: FromWorker[] = [];
  const crashes: string[] = [];
  const slot = new WorkerSlot(
    3,
    b.spawn,
    "pool-3",
    { module: {} as WebAssembly.Module, glue: "glue.js" },
    { message: (_, m) => messages.push(m), crash: (_, r) => crashes.push(r) },
    readyTimeoutMs,
  );
  return { slot, messages, crashes, ready: track(slot.ready) };
}

useFakeTimers();

describe("WorkerSlot start-up", () => {
  it("spawns under its name, sends init (module, glue) first, and is ready with the worker's kernels", async () => {
    const b = backend();
    const { slot, ready } = slotOf(b);
    expect(b.state.name).toBe("pool-3");
    expect(b.posted).toEqual([[{ type: "init", module: {}, glue: "glue.js" }, []]]);
    expect(slot.isReady).toBe(false);
    b.say({ type: "ready", kernels: [DOUBLE] });
    await vi.advanceTimersByTimeAsync(0);
    expect(slot.isReady).toBe(true);
    expect(ready.value).toEqual([DOUBLE]);
    await vi.advanceTimersByTimeAsync(READY_TIMEOUT_MS * 2);
    expect(slot.dead).toBe(false); // the start-up clock was stopped
    expect(b.state.terminated).toBe(0);
  });

  it("no answer within 30 s (the default) is a PoolStartError naming the worker; the worker is terminated", async () => {
    expect(READY_TIMEOUT_MS).toBe(30_000);
    const b = backend();
    const { slot, ready } = slotOf(b);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(ready.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(ready.error).toEqual(new PoolStartError("worker 3 did not start within 30000 ms"));
    expect(slot.dead).toBe(true);
    expect(b.state.terminated).toBe(1);
  });

  it("init-error is a PoolStartError naming the cause", async () => {
    const b = backend();
    const { ready, crashes } = slotOf(b, 100);
    b.say({ type: "init-error", message: "no such export" });
    await vi.advanceTimersByTimeAsync(0);
    expect(ready.error).toEqual(new PoolStartError("worker 3 could not load the kernel module: no such export"));
    expect(b.state.terminated).toBe(1);
    expect(crashes).toEqual([]);
  });

  it("an error event before ready is a start failure, never also a crash", async () => {
    const b = backend();
    const { slot, ready, crashes } = slotOf(b, 100);
    b.die("404");
    await vi.advanceTimersByTimeAsync(0);
    expect(ready.error).toEqual(new PoolStartError("worker 3 failed to start: 404"));
    expect(crashes).toEqual([]);
    expect(slot.dead).toBe(true);
    b.die("again");
    expect(crashes).toEqual([]);
  });

  it("a backend that throws on spawn is an asynchronous start failure naming the cause", async () => {
    const b = backend(new Error("bad URL"));
    const { slot, ready } = slotOf(b, 100);
    expect(ready.state).toBe("pending"); // not thrown out of the constructor
    expect(() => slot.post({ type: "run", id: 1, frame: new ArrayBuffer(0) })).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    expect(ready.error).toEqual(new PoolStartError("worker 3 could not be created: bad URL"));
    const nonError = slotOf(backend("nope"), 100);
    await vi.advanceTimersByTimeAsync(0);
    expect((nonError.ready.error as Error).message).toBe("worker 3 could not be created: nope");
  });

  it("terminate() before ready rejects ready (nobody waits forever); after ready it changes nothing of it", async () => {
    const b = backend();
    const { slot, ready } = slotOf(b);
    slot.terminate();
    await vi.advanceTimersByTimeAsync(0);
    expect(ready.error).toEqual(new PoolStartError("worker 3 was stopped before it started"));
    expect(slot.dead).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // the start-up clock is gone too

    const b2 = backend();
    const s2 = slotOf(b2);
    b2.say({ type: "ready", kernels: [] });
    await vi.advanceTimersByTimeAsync(0);
    s2.slot.terminate();
    await vi.advanceTimersByTimeAsync(0);
    expect(s2.ready.state).toBe("resolved");
    expect(b2.state.terminated).toBe(1);
  });
});

describe("WorkerSlot after start-up", () => {
  it("an error event is a crash, reported once; the slot is dead", async () => {
    const b = backend();
    const { slot, crashes } = slotOf(b);
    b.say({ type: "ready", kernels: [] });
    await vi.advanceTimersByTimeAsync(0);
    b.die("out of memory");
    b.die("out of memory");
    expect(crashes).toEqual(["out of memory"]);
    expect(slot.dead).toBe(true);
  });

  it("forwards every other message, and posts with the transfer list given", async () => {
    const b = backend();
    const { slot, messages } = slotOf(b);
    b.say({ type: "ready", kernels: [] });
    const done: FromWorker = {
      type: "done",
      id: 1,
      frame: new ArrayBuffer(1),
      startedAt: 0,
      finishedAt: 0,
      memoryBytes: 1,
    };
    b.say(done);
    expect(messages).toEqual([done]);
    const frame = new ArrayBuffer(2);
    slot.post({ type: "run", id: 2, frame }, [frame]);
    expect(b.posted.at(-1)).toEqual([{ type: "run", id: 2, frame }, [frame]]);
  });

  it("current is the call of the first chunk in flight (the one running), else undefined", () => {
    const { slot } = slotOf(backend());
    expect(slot.current).toBeUndefined();
    const a = { id: "a" } as unknown as Task["call"];
    const b = { id: "b" } as unknown as Task["call"];
    slot.inflight.set(5, { call: a } as Task);
    slot.inflight.set(6, { call: b } as Task);
    expect(slot.current).toBe(a);
    slot.inflight.delete(5);
    expect(slot.current).toBe(b);
  });
});

describe("WorkerSlot with the module still compiling", () => {
  const events = { message() {}, crash() {} };
  const make = (b: ReturnType<typeof backend>, module: Promise<WebAssembly.Module>) =>
    new WorkerSlot(0, b.spawn, "pool-0", { module, glue: "glue.js", executor: undefined }, events);

  it("tells the worker to load its glue at once, and sends init with the module once compiled", async () => {
    const b = backend();
    let compiled!: (m: WebAssembly.Module) => void;
    const module = new Promise<WebAssembly.Module>((r) => {
      compiled = r;
    });
    make(b, module);
    expect(b.posted.map(([m]) => m)).toEqual([{ type: "load", glue: "glue.js" }]);
    const m = { compiled: true } as unknown as WebAssembly.Module;
    compiled(m);
    await module;
    await Promise.resolve();
    expect(b.posted.map(([msg]) => msg)).toEqual([
      { type: "load", glue: "glue.js" },
      { type: "init", module: m, glue: "glue.js", executor: undefined },
    ]);
  });

  it("a slot stopped before the compile ended is never sent init; a failed compile sends nothing", async () => {
    const b = backend();
    let compiled!: (m: WebAssembly.Module) => void;
    const module = new Promise<WebAssembly.Module>((r) => {
      compiled = r;
    });
    make(b, module).terminate();
    compiled({} as WebAssembly.Module);
    await module;
    await Promise.resolve();
    expect(b.posted.map(([m]) => m.type)).toEqual(["load"]);

    const c = backend();
    const failed = Promise.reject(new Error("not wasm"));
    const slot = make(c, failed);
    await failed.catch(() => {});
    await Promise.resolve();
    expect(c.posted.map(([m]) => m.type)).toEqual(["load"]);
    slot.terminate();
  });
});
