// The host Rust reaches on a thread (`globalThis[HOST_KEY]`, kernel-module.ts installHost) with
// two pools on one thread. Before: each pool set and deleted the global itself, so ending the
// first of two app-owned pools in a worker took the second's host away (review finding N5),
// and Rust's next call failed with NoPool although a pool was running.
import { afterEach, describe, expect, it } from "vitest";
import { HOST_KEY, installHost } from "../../ts/protocol/kernel-module.js";

const g = globalThis as Record<symbol, unknown>;
afterEach(() => {
  delete g[HOST_KEY];
  delete g[Symbol.for("wasm-pmap.hosts")];
});

describe("installHost", () => {
  it("ending the first of two pools leaves the second's host in place", () => {
    const a = installHost({ name: "a" });
    const b = { name: "b" };
    installHost(b);
    a.uninstall();
    expect(g[HOST_KEY]).toBe(b);
    a.retire(); // (either way of ending)
    expect(g[HOST_KEY]).toBe(b);
  });

  it("ending the newest hands Rust back to the older one still running", () => {
    const a = { name: "a" };
    installHost(a);
    installHost({ name: "b" }).retire();
    expect(g[HOST_KEY]).toBe(a);
  });

  it("a retired host with nothing below stays, to say why calls fail, until a new one comes", () => {
    const a = { name: "a" };
    const ha = installHost(a);
    ha.retire();
    expect(g[HOST_KEY]).toBe(a);
    const b = { name: "b" };
    const hb = installHost(b);
    expect(g[HOST_KEY]).toBe(b);
    hb.uninstall();
    expect(g[HOST_KEY]).toBeUndefined(); // the retired one was dropped when b came
  });

  it("uninstalling the last host leaves none", () => {
    installHost({}).uninstall();
    expect(HOST_KEY in g).toBe(false);
  });
});
