/**
 * Protocol: runs wherever it is imported. The keys `using` / `await using` look up, where the
 * engine has none: WebKit (and Safari to this day) has no `Symbol.dispose` or
 * `Symbol.asyncDispose`, so a class member `[Symbol.asyncDispose]` got the key "undefined"
 * and `await using pool = await createPool()` threw "not disposable". This defines each
 * missing one as the well-known fallback `Symbol.for("Symbol.asyncDispose")` — the key
 * esbuild's, Oxc's and core-js's helpers already fall back to — the way the TypeScript
 * handbook's polyfill does. Where the engine has them, nothing changes.
 */

/** Defines `Symbol.dispose` / `Symbol.asyncDispose` where missing (on `symbols`, the global
 * `Symbol` but in tests). Call it at module top level, before a class that uses them as keys
 * is evaluated. */
export function ensureDisposeSymbols(symbols: { dispose?: symbol; asyncDispose?: symbol } = Symbol): void {
  if (symbols.dispose === undefined) Object.defineProperty(symbols, "dispose", { value: Symbol.for("Symbol.dispose") });
  if (symbols.asyncDispose === undefined)
    Object.defineProperty(symbols, "asyncDispose", { value: Symbol.for("Symbol.asyncDispose") });
}
