// Sync mode's link to the coordinator (ts/sync/link.ts): registering or finding the service
// worker and waiting for it to activate (startCoordinator), and how the link treats a
// coordinator that answers late, badly or not at all — driven from node with a fake
// `navigator.serviceWorker`. Found unpinned by the mutation run (npm run mutants).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CoordinatorError, PoolStartError } from "../../ts/protocol/errors.js";
import { decodeResponse } from "../../ts/protocol/frames.js";
import type { DeliverMessage, ForgetMessage } from "../../ts/protocol/routes.js";
import { decodeValue } from "../../ts/protocol/values.js";
import { CoordinatorLink, startCoordinator } from "../../ts/sync/link.js";
import { rejection, track } from "./fake-worker.js";

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

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
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

/** A registration whose active service worker answers each message with `reply(msg)` on its port (undefined: never). */
function coordinatorReplying(reply: (m: DeliverMessage | ForgetMessage) => unknown) {
  const received: Array<DeliverMessage | ForgetMessage> = [];
  const registration = {
    active: {
      postMessage(msg: DeliverMessage | ForgetMessage, [port]: MessagePort[]) {
        received.push(msg);
        const r = reply(msg);
        if (r !== undefined) port!.postMessage(r);
      },
    },
  } as unknown as ServiceWorkerRegistration;
  return { link: new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/"), received };
}

describe("CoordinatorLink", () => {
  it("an answer is the ticket's response frame, chunk 0: the bodies, or the failure", async () => {
    const { link, received } = coordinatorReplying(() => ({ status: 204 }));
    void link.answer("t:1", { bodies: [Uint8Array.of(1, 2)] }, () => true);
    void link.answer("t:2", { failure: { kind: "kernel", kernel: "k", message: "bad" } }, () => true);
    await vi.advanceTimersByTimeAsync(0);
    const frames = received.map((m) => decodeResponse((m as DeliverMessage).frame));
    expect(frames[0]).toMatchObject({ call: "t:1", chunk: 0, ok: true });
    const bodies = decodeValue<Uint8Array[]>((frames[0] as { body: Uint8Array }).body);
    expect(bodies.map((b) => Array.from(b))).toEqual([[1, 2]]);
    expect(frames[1]).toEqual({
      call: "t:2",
      chunk: 0,
      ok: false,
      failure: { kind: "kernel", kernel: "k", message: "bad" },
    });
    link.taken("t:1");
    link.taken("t:2");
  });

  it("a coordinator that never answers: three tries 5 s apart (plus 100 ms), then false while the job still waits", async () => {
    const { link, received } = coordinatorReplying(() => undefined);
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(5_099);
    expect(received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(received).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5_100);
    expect(received).toHaveLength(3);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(5_100);
    expect(read.state).toBe("resolved");
    expect(read.value).toEqual({ read: false });
    expect(received).toHaveLength(3);
  });

  it("no active service worker (it is being replaced) counts as silence: three quick tries, then false", async () => {
    const link = new CoordinatorLink({ active: null } as unknown as ServiceWorkerRegistration, "x");
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    await vi.advanceTimersByTimeAsync(299);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    expect(read.value).toEqual({ read: false });
    expect(await link.forget("t:1")).toBe(0);
  });

  it("a reply without a status counts as silence; any status (even an error) resets the count", async () => {
    let n = 0;
    const replies = [{}, {}, { status: 400 }, null, {}, {}];
    const { link, received } = coordinatorReplying(() => (n < replies.length ? replies[n++] : {}));
    const read = track(link.answer("t:1", { bodies: [] }, () => true));
    // 2 silent (100 ms each), one 400 (2 s), then 3 silent: false after six tries.
    await vi.advanceTimersByTimeAsync(100 + 100 + 2_000 + 100 + 100);
    expect(received).toHaveLength(6);
    expect(read.state).toBe("pending");
    await vi.advanceTimersByTimeAsync(100);
    expect(read.value).toEqual({ read: false });
  });

  it("an answer not waited for any more resolves true without delivering", async () => {
    const { link, received } = coordinatorReplying(() => ({ status: 204 }));
    expect(await link.answer("t:1", { bodies: [] }, () => false)).toEqual({ read: true });
    expect(received).toHaveLength(0);
  });

  it("taken() for a ticket it is not delivering is a no-op", () => {
    const { link } = coordinatorReplying(() => ({ status: 204 }));
    expect(() => link.taken("t:404")).not.toThrow();
  });

  it("forget sends the ticket's forget message and resolves with the coordinator's status", async () => {
    const { link, received } = coordinatorReplying((m) => ({ status: m.wasmPmap === "forget" ? 204 : 500 }));
    const status = track(link.forget("t:7"));
    await vi.advanceTimersByTimeAsync(0);
    expect(status.value).toBe(204);
    expect(received).toEqual([{ wasmPmap: "forget", ticket: "t:7" }]);
  });
});
