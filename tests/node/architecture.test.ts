// docs/architecture.md describes the code: a drift test of its checkable claims (as the
// webpack e2e test pins the README's webpack config). The file tree it draws names every
// folder and source file there is; every path it names exists; every code symbol it names is
// declared, in the file it names beside it where it pairs them; the numbers it states are
// the code's. A claim no test can check belongs in prose that says why, not in a path or a
// backticked name. The parsing: doc-claims.ts.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_SHARE } from "../../ts/coordinator/caps.js";
import { CLIENT_LOOKUP_MS } from "../../ts/coordinator/clients.js";
import { MAX_KEPT_PORTS } from "../../ts/coordinator/kept-ports.js";
import { AUTO_CHUNKS_PER_WORKER, AUTO_MAX_CHUNK } from "../../ts/pool/schedule.js";
import { MAX_RESPAWN_BACKOFF_MS, MAX_START_FAILURES, RESPAWN_BACKOFF_MS } from "../../ts/pool/start-policy.js";
import { READY_TIMEOUT_MS } from "../../ts/pool/worker-slot.js";
import { INLINE_FRAME_MAX, MAX_WAIT_MS } from "../../ts/protocol/routes.js";
import { PORT_SILENT_MS, REOFFER_AFTER_EVICTION_MS } from "../../ts/sync/link.js";
import {
  camelNames,
  declaredIn,
  declares,
  filesUnder,
  GENERATED,
  pairs,
  parseTree,
  pathTokens,
  read,
  resolve,
  root,
  split,
  symbols,
} from "./doc-claims.js";

const doc = read("docs/architecture.md");
const { blocks, prose } = split(doc);
const tree = parseTree(blocks[0]!);
const named = new Set(tree.flatMap((e) => e.paths));

// A parser that stopped reading would pass every check below: it must read what is there.
it("the doc is read: its tree, paths, symbols and pairs", () => {
  expect(tree.length).toBeGreaterThan(70);
  expect(pathTokens(prose.join("\n")).length).toBeGreaterThan(50);
  expect(new Set(symbols(prose.join("\n"))).size).toBeGreaterThan(80);
  expect(pairs(prose.join("\n")).length).toBeGreaterThanOrEqual(10);
});
/** Names of another project's files, said as theirs ("rayon-core's `latch.rs`"). */
const OTHERS = ["rayon-core's `latch.rs`"];
/** Names that are not this package's: the platform's, Rust's, wasm-bindgen's, serde's, cbor-x's. */
const EXTERNAL = new Set([
  ...["WebAssembly.Module", "Worker", "EventTarget", "MessagePort", "SharedArrayBuffer", "Int32Array", "Uint8Array"],
  ...["Atomics.wait", "Atomics.notify", "ServiceWorker.postMessage", "postMessage", "crossOriginIsolated"],
  ...["clients.get", "clientId", "getRandomValues", "asyncDispose", "worker_threads"],
  ...["Vec", "Option", "Value", "__wasm_call_ctors", "__wbg_reset_state", "typescript_custom_section"],
  ...["deserialize_any", "int64AsNumber"],
]);
const ours = (s: string) => !EXTERNAL.has(s);
/** `globalThis.x`: a global the package sets by name. */
const isDeclared = (s: string) =>
  s.startsWith("globalThis.")
    ? filesUnder("ts").some((f) => read(f).includes(s.slice("globalThis.".length)))
    : declaredIn(s).length > 0;

describe("the tree", () => {
  it("names every ts/ folder, and every TypeScript file in its folder", () => {
    const folders = (p: string) => [...new Set(filesUnder(p).map((f) => f.split("/").slice(0, 2).join("/")))];
    const tsFolders = folders("ts")
      .filter((f) => !f.endsWith(".ts"))
      .map((f) => `${f}/`);
    expect(tsFolders.filter((f) => !named.has(f))).toEqual([]);
    const tsFiles = filesUnder("ts").filter((f) => f.endsWith(".ts"));
    expect(tsFiles.filter((f) => !named.has(f))).toEqual([]);
  });

  it("names every Rust source file of the wasm-pmap and wasm-pmap-macros crates", () => {
    // A folder's description may name the files in it (`par/`: mod.rs, handles.rs, …).
    const mentioned = new Set(named);
    for (const e of tree)
      if (e.paths.length === 1 && e.paths[0]!.endsWith("/"))
        for (const t of pathTokens(e.description)) mentioned.add(e.paths[0]! + t);
    const rust = [...filesUnder("rust/pmap/src"), ...filesUnder("rust/pmap-macros/src")];
    // Unit tests are named by the rule the doc states: a `tests` submodule beside its module.
    const unitTest = (f: string) => /\/tests(\.rs$|\/)/.test(f);
    expect(rust.filter((f) => f.endsWith(".rs") && !unitTest(f) && !mentioned.has(f))).toEqual([]);
  });

  it("names every folder of tests/", () => {
    const tests = tree.find((e) => e.paths[0] === "tests/")!;
    const folders = readdirSync(join(root, "tests"), { withFileTypes: true }).filter((d) => d.isDirectory());
    const said = new Set(pathTokens(tests.description));
    expect(folders.map((d) => `${d.name}/`).filter((d) => !said.has(d))).toEqual([]);
  });

  it("names only files and folders that exist", () => {
    const missing: string[] = [];
    for (const e of tree) {
      for (const p of e.paths) if (!resolve(p)) missing.push(p);
      const dir = e.paths[0]!.endsWith("/") ? e.paths[0]! : e.paths[0]!.replace(/[^/]*$/, "");
      for (const t of pathTokens(e.description)) if (!resolve(t, dir)) missing.push(`${t} (in ${e.paths[0]})`);
    }
    expect(missing).toEqual([]);
  });
});

describe("the prose", () => {
  it("names only paths that exist", () => {
    const text = prose.join("\n");
    const others = OTHERS.filter((o) => text.includes(o)).map((o) => /`(.*)`/.exec(o)![1]!);
    const missing = pathTokens(text).filter((t) => !others.includes(t) && !resolve(t));
    expect(missing).toEqual([]);
  });

  it("names only package entry points the package exports", () => {
    const exported = Object.keys(JSON.parse(read("package.json")).exports as object);
    const specifiers = [...doc.matchAll(/`(wasm-pmap(?:\/[\w.-]+)?)`/g)].map((m) => m[1]!.replace("wasm-pmap", "."));
    expect(specifiers.filter((s) => !exported.includes(s))).toEqual([]);
  });

  it("names generated files only with what generates them, and they are gitignored", () => {
    for (const [file, script] of Object.entries(GENERATED)) {
      if (!doc.includes(file)) continue;
      expect(resolve(script), script).toBe(script);
      expect(read(script)).toContain(file.split("/").at(-1));
      expect(read(".gitignore").split("\n")).toContain(file);
    }
  });
});

describe("the code symbols", () => {
  it("every symbol named beside a file is declared in that file", () => {
    const wrong = pairs(prose.join("\n")).filter(([sym, path]) => {
      const file = resolve(path);
      return !file || !declares(file, sym);
    });
    expect(wrong).toEqual([]);
  });

  it("every name the tree gives a file is in that file, and declared in the package", () => {
    const wrong: string[] = [];
    for (const e of tree.filter((e) => !e.paths[0]!.endsWith("/"))) {
      const files = e.paths.map((p) => resolve(p)!);
      for (const name of [...camelNames(e.description), ...symbols(e.description)].filter(ours)) {
        const word = new RegExp(`\\b${name.replace(/[$]/g, "\\$")}\\b`);
        if (!files.some((f) => word.test(read(f))) || !isDeclared(name)) wrong.push(`${name} (${e.paths.join(" ")})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("every code symbol the prose names is declared in ts/ or rust/", () => {
    const names = [...new Set(symbols(prose.join("\n")))].filter(ours);
    expect(names.filter((s) => !isDeclared(s))).toEqual([]);
  });
});

/** A constant's value, read from its source line (`CAPACITY: usize = 4`, `?? 64 * 1024 * 1024`). */
function constant(file: string, pattern: RegExp): number {
  const expr = pattern.exec(read(file))?.[1];
  if (!expr || !/^[\d_ *<]+$/.test(expr)) throw new Error(`${pattern} not found in ${file}`);
  const factor = (f: string) => {
    const [a, shift = "0"] = f.split("<<");
    return Number(a) * 2 ** Number(shift);
  };
  return expr
    .replace(/_/g, "")
    .split("*")
    .map(factor)
    .reduce((x, y) => x * y, 1);
}
/** Fractions the doc writes in words. */
const WORDS: Record<string, number> = { half: 2, third: 3, quarter: 4 };

describe("the numbers", () => {
  /** Every number this pattern captures in the doc (at least one), as it is written ("16 384"). */
  const stated = (pattern: RegExp) => {
    const found = [...doc.replace(/\n\s*/g, " ").matchAll(new RegExp(pattern, "g"))].map((m) =>
      m.slice(1).map((n) => WORDS[n!] ?? Number(n!.replace(/ /g, ""))),
    );
    if (!found.length) throw new Error(`the doc no longer says ${pattern}`);
    return found;
  };
  const S = 1000;
  it.each([
    ["a worker's start", /worker start \((\d+) s\)/, [READY_TIMEOUT_MS / S]],
    ["no ready within", /no `ready` in (\d+) s/, [READY_TIMEOUT_MS / S]],
    ["the back-off", /\((\d+) ms doubling, at most (\d+) s;/, [RESPAWN_BACKOFF_MS, MAX_RESPAWN_BACKOFF_MS / S]],
    ["giving up", /failed (\d+) starts in a row/, [MAX_START_FAILURES]],
    ["auto chunking", /\((\d+) chunks per worker, at most ([\d ]+) items\)/, [AUTO_CHUNKS_PER_WORKER, AUTO_MAX_CHUNK]],
    ["the auto clamp", /clamped to 1 … ([\d ]+) items/, [AUTO_MAX_CHUNK]],
    [
      "chunks in flight",
      /`inflightPerWorker` \((\d+)\)/,
      [constant("ts/pool/pool.ts", /inflightPerWorker \?\? (\d+)/)],
    ],
    [
      "the context cache",
      /cache of (\d+) \(`context\.rs`\)/,
      [constant("rust/pmap/src/context.rs", /CAPACITY: usize = ([\d_]+)/)],
    ],
    [
      "lengths never trusted",
      /\(≤ (\d+) items reserved\)/,
      [constant("rust/pmap/src/lenient.rs", /PREALLOC_ITEMS: usize = ([\d_]+)/)],
    ],
    ["a held wait", /holds the request ≤ (\d+) s/, [MAX_WAIT_MS / S]],
    ["the wait URL", /\?ms=(\d+)&open=1/, [MAX_WAIT_MS]],
    ["re-delivery", /re-delivers every (\d+) s/, [constant("ts/sync/link.ts", /REDELIVER_MS = ([\d_]+)/) / S]],
    [
      "an early answer",
      /kept \(≤ (\d+) s\)/,
      [constant("ts/coordinator/coordinator.ts", /UNOPENED_TTL_MS = ([\d_]+)/) / S],
    ],
    [
      "unopened answers",
      /Unopened answers expire after (\d+) s/,
      [constant("ts/coordinator/coordinator.ts", /UNOPENED_TTL_MS = ([\d_]+)/) / S],
    ],
    [
      "the coordinator's caps",
      /capped in tickets \(([\d ]+)\) and in bytes of answers \((\d+) MiB\)/,
      [
        constant("ts/coordinator/coordinator.ts", /maxTickets \?\? ([\d_]+)/),
        constant("ts/coordinator/coordinator.ts", /maxBytes \?\? ([\d_ *]+)\)/) / 2 ** 20,
      ],
    ],
    ["a client's share", /holds at most a (quarter) of each/, [1 / CLIENT_SHARE]],
    [
      "the answer slot's control words",
      /over a (\d+)-byte SAB/,
      [constant("ts/protocol/answer-slot.ts", /ctrl: new SharedArrayBuffer\((\d+)\)/)],
    ],
    ["an inline answer frame", /small answer frame \(≤ (\d+) KiB\)/, [INLINE_FRAME_MAX / 1024]],
    ["a silent kept port", /after (\d+) ms of silence/, [PORT_SILENT_MS]],
    ["the kept ports", /keeps (\d+) ports/, [MAX_KEPT_PORTS]],
    ["the kept ports, in the tree", /answers on: at most (\d+),/, [MAX_KEPT_PORTS]],
    ["an evicted port", /offers no port for (\d+) s/, [REOFFER_AFTER_EVICTION_MS / S]],
    ["Firefox's fallback", /the (\d+) ms Firefox fallback/, [CLIENT_LOOKUP_MS]],
  ] as Array<[string, RegExp, number[]]>)("%s: the doc's number is the code's", (_, pattern, values) => {
    for (const numbers of stated(pattern)) expect(numbers).toEqual(values);
  });
});
