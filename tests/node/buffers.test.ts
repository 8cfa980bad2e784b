// The slice path's buffer reuse (ts/pool/buffers.ts), pure logic.
import { afterEach, describe, expect, it, vi } from "vitest";
import { BufferPool } from "../../ts/pool/buffers.js";

afterEach(() => vi.useRealTimers());

describe("BufferPool", () => {
  it("hands back a kept buffer of exactly the asked length, else a new one", () => {
    const pool = new BufferPool();
    const a = new ArrayBuffer(16);
    pool.give(a);
    expect(pool.bytes).toBe(16);
    expect(pool.take(8)).not.toBe(a); // another length: new
    expect(pool.take(16)).toBe(a);
    expect(pool.bytes).toBe(0);
    const fresh = pool.take(16); // none kept any more: new
    expect(fresh).not.toBe(a);
    expect(fresh.byteLength).toBe(16);
    pool.clear();
  });

  it("keeps several of one length, and nothing detached, resizable or beyond its cap", () => {
    const pool = new BufferPool(40);
    const [a, b, c] = [new ArrayBuffer(16), new ArrayBuffer(16), new ArrayBuffer(16)];
    pool.give(a);
    pool.give(b);
    pool.give(c); // 48 > 40: dropped
    expect(pool.bytes).toBe(32);
    const gone = new ArrayBuffer(8);
    structuredClone(gone, { transfer: [gone] });
    pool.give(gone);
    pool.give(new ArrayBuffer(4, { maxByteLength: 8 }));
    expect(pool.bytes).toBe(32);
    const got = [pool.take(16), pool.take(16)];
    expect(got.includes(a) && got.includes(b)).toBe(true);
    pool.clear();
  });

  it("drops what it holds after a quiet spell, and on clear", () => {
    vi.useFakeTimers();
    const pool = new BufferPool(1 << 20, 100);
    pool.give(new ArrayBuffer(8));
    vi.advanceTimersByTime(60);
    pool.give(new ArrayBuffer(8)); // re-arms the timer
    vi.advanceTimersByTime(60);
    expect(pool.bytes).toBe(16);
    vi.advanceTimersByTime(50);
    expect(pool.bytes).toBe(0);
    pool.give(new ArrayBuffer(8));
    pool.clear();
    expect(pool.bytes).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
