// The demo's speedup line (examples/raytracer/speedup.ts) on its own: the fastest warm frame
// at each worker count, one frame setting at a time, and never a figure above what the
// workers and cores can give (the e2e test meets only the branch its machine produces).
import { describe, expect, it } from "vitest";
import { Timings } from "../../examples/raytracer/speedup.js";

describe("the demo's speedup line", () => {
  it("compares the fastest frame at n workers with the fastest at 1 worker", () => {
    const t = new Timings();
    for (const ms of [900, 600, 800]) t.add("640x360x8", 1, ms);
    for (const ms of [500, 400]) t.add("640x360x8", 2, ms);
    const v = t.verdict("640x360x8", 2, 4);
    expect(v).toMatchObject({ kind: "speedup", workers: 2, oneWorkerMs: 600, workersMs: 400 });
    expect(v.text).toMatch(/^speedup 1\.50× on 2 workers: 400 ms \(best of 2 warm frames\) against 1 worker's 600 ms/);
  });

  it("never compares frames of another setting", () => {
    const t = new Timings();
    t.add("640x360x8", 1, 600);
    t.add("640x360x8/job", 2, 100);
    t.add("320x180x8", 2, 100);
    const none = { kind: "none", text: "speedup: needs a frame of this setting at 1 and at 2 workers" };
    expect(t.verdict("640x360x8", 2, 2)).toEqual(none);
    expect(t.verdict("640x360x8/job", 2, 2)).toEqual(none);
  });

  it("explains a ratio above the worker count or the cores instead of printing it as a speedup", () => {
    const t = new Timings();
    t.add("s", 1, 571);
    t.add("s", 2, 236); // the 2.42× once printed on 2 cores
    t.add("s", 3, 200); // 2.86×: under 3 workers, above 2 cores
    for (const [workers, cores] of [
      [2, 2],
      [2, 8],
      [3, 2],
    ]) {
      const v = t.verdict("s", workers!, cores!);
      expect(v.kind).toBe("above-bound");
      expect(v.text).not.toMatch(/speedup \d/);
      expect(v.text).toContain(`${(571 / v.workersMs!).toFixed(2)}× faster`);
    }
    expect(t.verdict("s", 3, 4)).toMatchObject({ kind: "speedup", workersMs: 200 });
  });

  it("with 1 worker, shows its best time and nothing to compare", () => {
    const t = new Timings();
    t.add("s", 1, 700);
    t.add("s", 1, 650);
    expect(t.verdict("s", 1, 2)).toEqual({
      kind: "none",
      text: "1 worker: 650 ms (best of 2 warm frames); render with more to compare",
    });
  });
});
