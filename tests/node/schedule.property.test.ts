// Properties of the pure scheduling logic (ts/pool/schedule.ts), checked with fast-check
// over arbitrary inputs: chunk plans cover every index once, in order; the fair queue never
// loses nor duplicates a task, whatever the sequence of push / next / unshift / drop.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUTO_MAX_CHUNK, FairQueue, planChunks, resolveChunkSize } from "../../ts/pool/schedule.js";

const chunkOpt = fc.oneof(fc.constant<"auto">("auto"), fc.constant(undefined), fc.integer({ min: 1, max: 20_000 }));

describe("chunk plans (property)", () => {
  it("cover 0..total exactly once, in order, in non-empty chunks of at most the resolved size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000 }),
        chunkOpt,
        fc.integer({ min: 1, max: 64 }),
        (total, opt, workers) => {
          const size = resolveChunkSize(opt, total, workers);
          expect(Number.isInteger(size) && size >= 1).toBe(true);
          if (typeof opt === "number") expect(size).toBe(opt);
          else expect(size).toBeLessThanOrEqual(AUTO_MAX_CHUNK);
          const plan = planChunks(total, size);
          let next = 0;
          for (const [a, b] of plan) {
            // Contiguous (no gap, no overlap, in order) and non-empty, at most `size` long.
            if (a !== next || b <= a || b - a > size) expect.fail(`bad chunk [${a}, ${b}) after ${next}, size ${size}`);
            next = b;
          }
          expect(next).toBe(total);
          expect(plan).toHaveLength(Math.ceil(total / size));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("auto: more than 2 and at most 4 chunks per worker, one item each for tiny inputs, capped for huge ones", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 64 }), (total, workers) => {
        const size = resolveChunkSize("auto", total, workers);
        const chunks = planChunks(total, size).length;
        if (size === AUTO_MAX_CHUNK) expect(total).toBeGreaterThan((AUTO_MAX_CHUNK - 1) * 4 * workers);
        else if (size === 1) expect(total).toBeLessThanOrEqual(4 * workers);
        else {
          expect(chunks).toBeLessThanOrEqual(4 * workers);
          expect(chunks).toBeGreaterThan(2 * workers);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("rejects every chunk size that is not a positive integer", () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double().filter((x) => !Number.isInteger(x) || x < 1),
      fc.constant(Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(bad, fc.nat(1000), (opt, total) => {
        expect(() => resolveChunkSize(opt, total, 2)).toThrow(RangeError);
      }),
      { numRuns: 500 },
    );
  });
});

// FairQueue against a model. Tasks are unique strings; a task is, at any moment, in exactly
// one place: queued (in the model, per call, in order), taken (by `next`, as a worker holds
// it), or gone (dropped, or done). `unshift` puts a taken task back, as a retry does.
type Op =
  | { op: "push"; call: number; n: number }
  | { op: "next"; allow: number[] | null }
  | { op: "unshift"; pick: number }
  | { op: "done"; pick: number }
  | { op: "drop"; call: number };

const CALLS = 5;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("push"), call: fc.nat(CALLS - 1), n: fc.nat(4) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("next"),
      allow: fc.option(fc.uniqueArray(fc.nat(CALLS - 1), { maxLength: CALLS }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("unshift"), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("done"), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("drop"), call: fc.nat(CALLS - 1) }) },
) as fc.Arbitrary<Op>;

describe("FairQueue (property)", () => {
  it("never loses or duplicates a task, keeps each call's order, and serves only eligible calls", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const q = new FairQueue<string>();
        const model = new Map<string, string[]>(); // call → its queued tasks, in order
        const taken: string[] = [];
        const gone = new Set<string>();
        const pushed = new Set<string>();
        const callOf = (t: string) => t.split("/")[0]!;
        const queuedCount = () => [...model.values()].reduce((s, l) => s + l.length, 0);
        let seq = 0;
        for (const o of ops) {
          if (o.op === "push") {
            const call = `c${o.call}`;
            const tasks = Array.from({ length: o.n }, () => `${call}/${seq++}`);
            for (const t of tasks) pushed.add(t);
            q.push(call, tasks);
            if (tasks.length > 0) model.set(call, [...(model.get(call) ?? []), ...tasks]);
          } else if (o.op === "next") {
            const allowed = o.allow && new Set(o.allow.map((c) => `c${c}`));
            const t = q.next(allowed ? (c) => allowed.has(c) : undefined);
            if (t === undefined) {
              // Nothing eligible was queued.
              for (const [call, list] of model) if (!allowed || allowed.has(call)) expect(list).toEqual([]);
            } else {
              const list = model.get(callOf(t));
              expect(allowed === null || allowed.has(callOf(t))).toBe(true);
              expect(list?.[0]).toBe(t); // the head of its call's line, never from the middle
              list!.shift();
              taken.push(t);
            }
          } else if (o.op === "unshift" || o.op === "done") {
            if (taken.length === 0) continue;
            const [t] = taken.splice(o.pick % taken.length, 1);
            if (o.op === "done") gone.add(t!);
            else {
              q.unshift(callOf(t!), t!);
              model.set(callOf(t!), [t!, ...(model.get(callOf(t!)) ?? [])]);
            }
          } else {
            const call = `c${o.call}`;
            expect(q.drop(call)).toEqual(model.get(call) ?? []);
            for (const t of model.get(call) ?? []) gone.add(t);
            model.delete(call);
          }
          expect(q.size).toBe(queuedCount());
        }
        // Drain: every task comes out exactly once, across queued, taken and gone.
        const drained: string[] = [];
        for (let t = q.next(); t !== undefined; t = q.next()) drained.push(t);
        expect(q.size).toBe(0);
        const all = [...drained, ...taken, ...gone];
        expect(all).toHaveLength(pushed.size);
        expect(new Set(all)).toEqual(pushed);
        // …and each call's drained tasks in the model's order.
        for (const [call, list] of model) expect(drained.filter((t) => callOf(t) === call)).toEqual(list);
      }),
      { numRuns: 1_000 },
    );
  });

  it("round-robin: with every call eligible, no call is served twice while another queued call waits", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: CALLS }), (sizes) => {
        const q = new FairQueue<string>();
        for (const [c, n] of sizes.entries())
          q.push(
            `c${c}`,
            Array.from({ length: n }, (_, i) => `c${c}/${i}`),
          );
        const order: string[] = [];
        for (let t = q.next(); t !== undefined; t = q.next()) order.push(t.split("/")[0]!);
        // Round r serves every call that still has more than r tasks, each once.
        const rounds = Math.max(...sizes);
        const expected: string[] = [];
        for (let r = 0; r < rounds; r++) for (const [c, n] of sizes.entries()) if (r < n) expected.push(`c${c}`);
        expect(order).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
