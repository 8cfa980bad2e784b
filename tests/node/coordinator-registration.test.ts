// Sync mode's start (startCoordinator, ts/sync/link.ts): registering the coordinator service
// worker, or finding the app's own registration, and waiting for its newest service worker to
// activate — each failure a PoolStartError (or CoordinatorError) saying what to do. Driven
// from node with a fake `navigator.serviceWorker`.
import { afterEach, describe, expect, it, vi } from "vitest";
import { CoordinatorError, PoolStartError } from "../../ts/protocol/errors.js";
import { startCoordinator } from "../../ts/sync/link.js";
import { rejection, track, useFakeTimers } from "./fake-worker.js";

const page = "https://app.test/app/index.html";

/** A service worker in `state`, whose `statechange` listeners the test can fire. */
function fakeServiceWorker(state: string) {
  const listeners: Array<() => void> = [];
  return {
    state,
    addEventListener: (type: string, l: () => void) => {
      if (type === "statechange") listeners.push(l);
    },
    become(s: string) {
      this.state = s;
      for (const l of listeners) l();
    },
  };
}
type FakeSW = ReturnType<typeof fakeServiceWorker>;

function fakeRegistration(scope: string, sws: { installing?: FakeSW; waiting?: FakeSW; active?: FakeSW }) {
  return { scope, installing: null, waiting: null, active: null, ...sws } as unknown as ServiceWorkerRegistration;
}

/** `navigator.serviceWorker` with one registration; records register / getRegistration calls. */
function fakeContainer(reg: ServiceWorkerRegistration | undefined, registerError?: Error) {
  const calls: unknown[][] = [];
  const container = {
    register: async (script: URL, opts: unknown) => {
      calls.push(["register", script.href, opts]);
      if (registerError) throw registerError;
      return reg;
    },
    getRegistration: async (scope?: string) => {
      calls.push(["getRegistration", scope]);
      return reg;
    },
  };
  vi.stubGlobal("navigator", { serviceWorker: container });
  vi.stubGlobal("location", { href: page });
  return calls;
}

useFakeTimers();
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("startCoordinator", () => {
  it("without service workers (no secure context), or no navigator at all, it is a PoolStartError saying so", async () => {
    for (const navigator of [{}, undefined]) {
      vi.stubGlobal("navigator", navigator);
      const err = await rejection(startCoordinator({ serviceWorker: "sw.js" }));
      expect(err).toBeInstanceOf(PoolStartError);
      expect(err.message).toMatch(/secure context/);
    }
  });

  it("works without a location when the script URL is absolute", async () => {
    const active = fakeServiceWorker("activated");
    const calls = fakeContainer(fakeRegistration("https://app.test/lib/", { active }));
    vi.stubGlobal("location", undefined);
    await startCoordinator({ serviceWorker: "https://app.test/lib/sw.js" });
    expect(calls[0]![1]).toBe("https://app.test/lib/sw.js");
  });

  it("registers the script as a module, scoped to its folder by default, resolved against the page", async () => {
    const active = fakeServiceWorker("activated");
    const calls = fakeContainer(fakeRegistration("https://app.test/app/lib/", { active }));
    const link = await startCoordinator({ serviceWorker: "lib/sw.js" });
    expect(calls).toEqual([
      ["register", "https://app.test/app/lib/sw.js", { type: "module", scope: "https://app.test/app/lib/" }],
    ]);
    expect(link.base).toBe("https://app.test/app/lib/__wasm_pmap__/");
  });

  it("a given scope is resolved against the script, and a given prefix against the registration's scope", async () => {
    const active = fakeServiceWorker("activated");
    const calls = fakeContainer(fakeRegistration("https://app.test/", { active }));
    const link = await startCoordinator({ serviceWorker: "/lib/sw.js", scope: "../", prefix: "sync/" });
    expect(calls[0]![2]).toEqual({ type: "module", scope: "https://app.test/" });
    expect(link.base).toBe("https://app.test/sync/");
  });

  it("a failed registration is a PoolStartError naming the script, the scope and the cause", async () => {
    fakeContainer(undefined, new Error("bad MIME type"));
    const err = await rejection(startCoordinator({ serviceWorker: "sw.js" }));
    expect(err).toBeInstanceOf(PoolStartError);
    expect(err.message).toBe(
      "sync mode: registering the coordinator https://app.test/app/sw.js (scope https://app.test/app/) failed: bad MIME type",
    );
  });

  it("without a script it uses the app's own registration (for the given scope, else the page's)", async () => {
    const active = fakeServiceWorker("activated");
    const calls = fakeContainer(fakeRegistration("https://app.test/", { active }));
    await startCoordinator({});
    await startCoordinator({ scope: "/" });
    expect(calls).toEqual([
      ["getRegistration", undefined],
      ["getRegistration", "https://app.test/"],
    ]);
  });

  it("without a script and no registration it is a PoolStartError telling to pass sync.serviceWorker", async () => {
    fakeContainer(undefined);
    const err = await rejection(startCoordinator({}));
    expect(err).toBeInstanceOf(PoolStartError);
    expect(err.message).toMatch(/sync\.serviceWorker/);
  });

  it("a registration without any service worker is a CoordinatorError", async () => {
    fakeContainer(fakeRegistration("https://app.test/", {}));
    const err = await rejection(startCoordinator({}));
    expect(err).toBeInstanceOf(CoordinatorError);
    expect(err.message).toBe("sync mode: the registration has no service worker");
  });

  it("waits for the newest service worker (installing, else waiting, else active) to activate", async () => {
    const installing = fakeServiceWorker("installing");
    const waiting = fakeServiceWorker("installed");
    fakeContainer(
      fakeRegistration("https://app.test/", { installing, waiting, active: fakeServiceWorker("activated") }),
    );
    const started = track(startCoordinator({}));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.state).toBe("pending"); // not the old active one
    installing.become("activating");
    await vi.advanceTimersByTimeAsync(0);
    expect(started.state).toBe("pending");
    installing.become("activated");
    await vi.advanceTimersByTimeAsync(0);
    expect(started.state).toBe("resolved");

    const w = fakeServiceWorker("installed");
    fakeContainer(fakeRegistration("https://app.test/", { waiting: w, active: fakeServiceWorker("activated") }));
    const second = track(startCoordinator({}));
    await vi.advanceTimersByTimeAsync(0);
    expect(second.state).toBe("pending");
    w.become("activated");
    await vi.advanceTimersByTimeAsync(0);
    expect(second.state).toBe("resolved");
  });

  it("a service worker that turns redundant is a PoolStartError at once", async () => {
    const installing = fakeServiceWorker("installing");
    fakeContainer(fakeRegistration("https://app.test/", { installing }));
    const started = track(startCoordinator({}));
    await vi.advanceTimersByTimeAsync(0);
    installing.become("redundant");
    await vi.advanceTimersByTimeAsync(0);
    expect(started.state).toBe("rejected");
    expect(started.error).toBeInstanceOf(PoolStartError);
    expect((started.error as Error).message).toMatch(/redundant/);
  });

  it("one that does not activate in activateTimeoutMs (default 10 s) is a PoolStartError naming the time and its state", async () => {
    fakeContainer(fakeRegistration("https://app.test/", { installing: fakeServiceWorker("installing") }));
    const byDefault = track(startCoordinator({}));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(byDefault.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(byDefault.state).toBe("rejected");
    expect((byDefault.error as Error).message).toBe(
      "sync mode: the coordinator service worker did not activate within 10000 ms (state: installing)",
    );
    const short = track(startCoordinator({ activateTimeoutMs: 50 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(short.error).toBeInstanceOf(PoolStartError);
  });

  it("activating in time clears the activation timer", async () => {
    const installing = fakeServiceWorker("installing");
    fakeContainer(fakeRegistration("https://app.test/", { installing }));
    const started = track(startCoordinator({ activateTimeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(0);
    installing.become("activated");
    await vi.advanceTimersByTimeAsync(0);
    expect(started.state).toBe("resolved");
    expect(vi.getTimerCount()).toBe(0);
  });
});
