// Semaphore and Mutex: pure logic.
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

  it("a double release does not mint a permit", async () => {
    const sem = new Semaphore(1);
    const r = await sem.acquire();
    r.release();
    r.release();
    expect(sem.available).toBe(1);
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

  it("rejects nonsense sizes", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
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
});
