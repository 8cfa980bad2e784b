// Semaphore and Mutex (ts/pool/locks.ts): pure logic.
import { describe, expect, it } from "vitest";
import { Mutex, Semaphore } from "../../ts/pool/locks.js";
import { AbortError } from "../../ts/protocol/errors.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Semaphore", () => {
  it("admits at most n holders, first come first served", async () => {
    const sem = new Semaphore(2);
    let inside = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        await using _permit = await sem.acquire();
        order.push(i);
        peak = Math.max(peak, ++inside);
        await tick();
        inside--;
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sem.available).toBe(2);
  });

  it("a permit handed to a waiter goes straight to it: none is free in between", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const next = sem.acquire();
    held.release();
    expect(sem.available).toBe(0);
    expect(sem.waiting).toBe(0);
    (await next)[Symbol.dispose]();
    expect(sem.available).toBe(1);
  });

  it("a double release does not mint a permit", async () => {
    const sem = new Semaphore(1);
    const r = await sem.acquire();
    r.release();
    r.release();
    expect(sem.available).toBe(1);
  });

  it("release, dispose and asyncDispose are the same one-time release", async () => {
    const sem = new Semaphore(2);
    const r = await sem.acquire();
    r[Symbol.dispose]();
    await r[Symbol.asyncDispose]();
    r.release();
    expect(sem.available).toBe(2);
  });

  it("an aborted wait rejects with AbortError and leaves the queue", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const ctrl = new AbortController();
    const waiting = sem.acquire({ signal: ctrl.signal });
    expect(sem.waiting).toBe(1);
    ctrl.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    expect(sem.waiting).toBe(0);
    held.release();
    expect(sem.available).toBe(1);
  });

  it("an aborted wait leaves the others waiting in their order", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const ctrl = new AbortController();
    const got: string[] = [];
    const a = sem.acquire().then((r) => {
      got.push("a");
      return r;
    });
    const b = sem.acquire({ signal: ctrl.signal });
    const c = sem.acquire().then((r) => {
      got.push("c");
      return r;
    });
    ctrl.abort();
    await expect(b).rejects.toThrow(new AbortError("acquire aborted"));
    expect(sem.waiting).toBe(2);
    held.release();
    (await a).release();
    (await c).release();
    expect(got).toEqual(["a", "c"]);
    expect(sem.available).toBe(1);
  });

  it("an already-aborted signal rejects at once with AbortError, even with permits free, and takes none", async () => {
    const sem = new Semaphore(1);
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(sem.acquire({ signal: ctrl.signal })).rejects.toThrow(new AbortError("acquire aborted"));
    expect(sem.available).toBe(1);
    expect(sem.waiting).toBe(0);
  });

  it("rejects nonsense sizes", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });

  it("a nonsense size is a RangeError naming it", () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => new Semaphore(n)).toThrow(new RangeError(`permits must be a positive integer, got ${n}`));
    }
    expect(new Semaphore(3).permits).toBe(3);
  });
});

describe("Mutex", () => {
  it("serialises critical sections", async () => {
    const m = new Mutex();
    const log: string[] = [];
    await Promise.all(
      ["a", "b", "c"].map(async (name) => {
        using _lock = await m.acquire();
        log.push(`${name}:in`);
        expect(m.locked).toBe(true);
        await tick();
        log.push(`${name}:out`);
      }),
    );
    expect(log).toEqual(["a:in", "a:out", "b:in", "b:out", "c:in", "c:out"]);
    expect(m.locked).toBe(false);
  });

  it("is not locked until acquired; acquire honours an abort signal", async () => {
    const m = new Mutex();
    expect(m.locked).toBe(false);
    const held = await m.acquire();
    const ctrl = new AbortController();
    const waiting = m.acquire({ signal: ctrl.signal });
    ctrl.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    held.release();
    expect(m.locked).toBe(false);
  });
});
