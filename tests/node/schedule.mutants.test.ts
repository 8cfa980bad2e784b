// Chunk-size refusals name what was passed: found unpinned by the mutation run (npm run mutants).
import { describe, expect, it } from "vitest";
import { resolveChunkSize } from "../../ts/pool/schedule.js";

describe("resolveChunkSize", () => {
  it("a nonsense chunkSize is a RangeError naming it", () => {
    for (const n of [0, -3, 2.5]) {
      expect(() => resolveChunkSize(n, 10, 2)).toThrow(
        new RangeError(`chunkSize must be a positive integer or "auto", got ${n}`),
      );
    }
  });
});
