// ensureDisposeSymbols (ts/protocol/disposal.ts): where the engine lacks Symbol.dispose /
// Symbol.asyncDispose (WebKit), they become the well-known fallbacks the bundlers' `using`
// helpers look up; where it has them, they stay the engine's own. (Node's own are not
// configurable, so the missing case is shown on a stand-in; tests/e2e/consumer.test.ts runs
// `await using` in WebKit itself.)
import { expect, it } from "vitest";
import { ensureDisposeSymbols } from "../../ts/protocol/disposal.js";

it("keeps an engine's own symbols", () => {
  const before = [Symbol.dispose, Symbol.asyncDispose];
  ensureDisposeSymbols();
  expect([Symbol.dispose, Symbol.asyncDispose]).toEqual(before);
  const own = { dispose: Symbol("mine"), asyncDispose: Symbol("mine too") };
  const copy = { ...own };
  ensureDisposeSymbols(own);
  expect(own).toEqual(copy);
});

it("defines missing ones as Symbol.for('Symbol.dispose') / Symbol.for('Symbol.asyncDispose')", () => {
  const engine: { dispose?: symbol; asyncDispose?: symbol } = {};
  ensureDisposeSymbols(engine);
  expect(engine.dispose).toBe(Symbol.for("Symbol.dispose"));
  expect(engine.asyncDispose).toBe(Symbol.for("Symbol.asyncDispose"));
  const half: { dispose?: symbol; asyncDispose?: symbol } = { dispose: Symbol.dispose };
  ensureDisposeSymbols(half);
  expect([half.dispose, half.asyncDispose]).toEqual([Symbol.dispose, Symbol.for("Symbol.asyncDispose")]);
});
