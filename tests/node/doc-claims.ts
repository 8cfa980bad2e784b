/**
 * Reading docs/architecture.md's checkable claims (architecture.test.ts checks them against
 * the code): the file tree it draws, the paths and code symbols it names, and which symbol it
 * names beside which file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";

export const root = join(import.meta.dirname, "../..");
const texts = new Map<string, string>();
export const read = (path: string) => {
  if (!texts.has(path)) texts.set(path, readFileSync(join(root, path), "utf8"));
  return texts.get(path)!;
};

/** Files made by the build, never committed, that the doc may name: path → what writes it. */
export const GENERATED: Record<string, string> = {
  "rust/pmap/js/runtime.js": "scripts/build-runtime.mjs",
};

/** The doc's fenced code blocks, and its prose: everything else, each paragraph on one line. */
export function split(markdown: string): { blocks: string[]; prose: string[] } {
  const blocks: string[] = [];
  const prose: string[] = [];
  let block: string[] | undefined;
  let para: string[] = [];
  const endPara = () => {
    if (para.length) prose.push(para.join(" "));
    para = [];
  };
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) {
      if (block) {
        blocks.push(block.join("\n"));
        block = undefined;
      } else {
        endPara();
        block = [];
      }
    } else if (block) block.push(line);
    else if (line.trim() === "" || /^(#+ |\|)/.test(line)) {
      endPara();
      if (line.startsWith("|")) prose.push(line);
    } else para.push(line.trim());
  }
  endPara();
  return { blocks, prose };
}

/** One line of the tree: the files or folders it names (full paths), and what it says of them. */
export interface Entry {
  paths: string[];
  description: string;
  line: string;
}

const NAME = /^[\w.-]+(?:\/[\w.-]+)*(?:\.(?:ts|rs|js|mjs|json|md|toml)|\/)$/;

/** The tree block: indentation is nesting; a line's leading file and folder names are its
 * entries, the rest (and the deeper-indented lines after it) their description. */
export function parseTree(block: string): Entry[] {
  const entries: Entry[] = [];
  const parents: Array<{ indent: number; dir: string }> = [];
  for (const line of block.split("\n")) {
    const indent = line.length - line.trimStart().length;
    const last = entries.at(-1);
    if (!line.trim()) continue;
    if (indent >= 12 && last) {
      last.description += ` ${line.trim()}`;
      continue;
    }
    // The names, one space apart; two or more spaces (or a word that names no file) end them.
    const [head = "", ...rest] = line.trim().split(/ {2,}/);
    const words = head.split(" ");
    const names: string[] = [];
    while (words.length && NAME.test(words[0]!)) names.push(words.shift()!);
    words.push(...rest);
    if (!names.length) throw new Error(`a tree line without a file or folder name: ${line}`);
    while (parents.length && parents.at(-1)!.indent >= indent) parents.pop();
    const dir = parents.at(-1)?.dir ?? "";
    const paths = names.map((n) => dir + n);
    entries.push({ paths, description: words.join(" "), line });
    if (names.length === 1 && names[0]!.endsWith("/")) parents.push({ indent, dir: paths[0]! });
  }
  return entries;
}

/** Files below `dir` (relative to the repo), skipping build outputs and dependencies. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(root, d))) {
      if (["node_modules", "pkg", "target", "dist", ".git"].includes(name)) continue;
      const p = d ? `${d}/${name}` : name;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

const SOURCES = ["ts", "rust", "tests", "scripts", "bench", "examples"].flatMap(filesUnder);

/** The same file as TypeScript writes it: a `.js` under ts/ is its `.ts` source. */
const sourceOf = (p: string) => (p.startsWith("ts/") ? p.replace(/\.js$/, ".ts") : p);
const exists = (p: string) => existsSync(join(root, sourceOf(p))) || p in GENERATED;

/** Where a path the doc names is: as written from the repo root, else from ts/ or the
 * Rust crate's src/ (the doc names `pool/call.ts`, `par/plan.rs`), else (for `../x`, or a
 * bare name) beside `from`; a bare name may also be any one file of that name. */
export function resolve(token: string, from = ""): string | undefined {
  const bases = token.includes("/") && !token.startsWith(".") ? ["", "ts/", "rust/pmap/src/", "rust/pmap/"] : [];
  for (const base of bases) if (exists(base + token)) return sourceOf(base + token);
  const beside = posix.normalize(posix.join(from, token));
  if (from && exists(beside)) return sourceOf(beside);
  if (!token.includes("/")) {
    const stem = token.replace(/\.js$/, "");
    const hits = SOURCES.filter((f) => f.endsWith(`/${token}`) || (stem !== token && f.endsWith(`/${stem}.ts`)));
    if (hits.length >= 1) return hits[0];
  }
  return undefined;
}

/** Every path-like token of a text: `a/b.ts`, `x.rs`, `dir/` (not URLs, routes, or `a/b` prose). */
export function pathTokens(text: string): string[] {
  const found = text.match(
    /(?<![\w./<>$:-])(?:\.\.?\/)*[\w-]+(?:[./][\w-]+)*(?:\.(?:ts|rs|js|mjs|json|md|toml)|\/)(?![\w/<])/g,
  );
  // Not package specifiers (`wasm-pmap/vite`), nor names like Node.js.
  return [...new Set(found ?? [])].filter((t) => !/^wasm-pmap\//.test(t) && !/^[A-Z][\w]*\.js$/.test(t));
}

const CODE = /^[A-Za-z_$#][\w$#]*(?:(?:\.|::)[#\w$]+)*!?$/;
const FILE = /\.(?:ts|rs|js|mjs|json|md|toml)$/;
/** A backticked name that can be looked up: `Name`, `Name.member`, `mod::name`, `name()`,
 * `macro!`; not a prose word (`call`), a snippet or a literal. */
function symbolOf(raw: string): string | undefined {
  const s = raw.replace(/\([^()]*\)$/, "");
  if (!CODE.test(s) || FILE.test(s)) return undefined;
  // `pool.map`: the method of the pool a user holds.
  return /[A-Z_:#.!]/.test(s.slice(1)) || /^[A-Z]/.test(s) ? s.replace(/^pool\./, "Pool.") : undefined;
}

/** The backticked code symbols of a text (prose, not a code block). */
export function symbols(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => symbolOf(m[1]!)).filter((s) => s !== undefined);
}

/** The bare camelCase names of a text (`createPool`, `__wasmPmapRun`), as the tree writes them. */
export function camelNames(text: string): string[] {
  return [...text.replace(/`[^`]*`/g, "").matchAll(/(?<![\w.])_{0,2}[a-z][a-z\d]*[A-Z]\w*/g)].map((m) => m[0]);
}

/** The symbols prose names beside a file: "`path` `Sym`", "`Sym` in path", "`A`/`B` in
 * path", "(`Sym`, path)", "`path` (`A`, `B`)". Pairs of [symbol, path as written]. */
export function pairs(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const P = "`?([\\w./-]+\\.(?:ts|rs))`?";
  const S = "`([^`]+)`";
  const add = (syms: string, path: string) => {
    for (const [, raw] of syms.matchAll(/`([^`]+)`/g)) {
      const s = symbolOf(raw!);
      if (s) out.push([s, path]);
    }
  };
  for (const m of text.matchAll(new RegExp(`\`([\\w./-]+\\.(?:ts|rs))\`\\s+(${S})`, "g"))) add(m[2]!, m[1]!);
  for (const m of text.matchAll(new RegExp(`((?:${S}\\s*(?:/|,|and)?\\s*)+)\\s+in\\s+${P}`, "g"))) add(m[1]!, m[3]!);
  for (const m of text.matchAll(new RegExp(`\\((${S}),\\s*${P}\\)`, "g"))) add(m[1]!, m[3]!);
  for (const m of text.matchAll(new RegExp(`${P}\\s*\\(((?:${S},?\\s*)+)\\)`, "g"))) add(m[2]!, m[1]!);
  return out;
}

const TS_DECL = (n: string) =>
  new RegExp(`\\b(?:class|function\\*?|const|let|var|interface|type|enum|namespace)\\s+${esc(n)}\\b`);
const RS_DECL = (n: string) =>
  new RegExp(`\\b(?:fn|struct|enum|trait|const|static|mod|type|union)\\s+${esc(n)}\\b|macro_rules!\\s*${esc(n)}\\b`);
const MEMBER = (n: string) => new RegExp(`(?:^|[\\s;{(,.])${esc(n)}\\s*[?!]?\\s*[(:=<{,]`, "m");
function esc(s: string): string {
  return s.replace(/[$#.*+?^{}()|[\]\\]/g, "\\$&");
}

/** An enum variant, or a type a declaring macro makes (`handle!(KernelFn<I, O, W>)`). */
const VARIANT = (n: string) => new RegExp(`^\\s*${esc(n)}\\b\\s*(?:[,({=]|<[\\w, ]*>\\s*$)`, "m");

/** Does `file` declare `symbol` (`A`, `A.b`, `A::b`, `m::f`, `name!`; a lone name may also
 * be a field, an option or an enum variant)? */
export function declares(file: string, symbol: string): boolean {
  const text = read(file);
  const parts = symbol.replace(/!$/, "").split(/\.|::/);
  const decl = file.endsWith(".rs") ? RS_DECL : TS_DECL;
  const first = parts[0]!;
  // A Rust re-export under another name (`pub use crate::registry::{find as find_kernel}`) declares it too.
  const renamed = file.endsWith(".rs") && new RegExp(`\\buse\\b[^;]*\\bas\\s+${first}\\b`).test(text);
  if (parts.length === 1 && !symbol.endsWith("!"))
    return (
      decl(first).test(text) ||
      renamed ||
      VARIANT(first).test(text) ||
      (file.endsWith(".ts") && MEMBER(first).test(text))
    );
  // `mod::f`: the module is the file (par::auto_chunk_size, pipe::run).
  const head = decl(first).test(text) || file.endsWith(`/${first}.rs`) || file.endsWith(`/${first}/mod.rs`);
  if (symbol.endsWith("!") && parts.length === 1) return decl(first).test(text) || MEMBER(`fn ${first}`).test(text);
  return head && parts.slice(1).every((m) => decl(m).test(text) || MEMBER(m).test(text));
}

/** The source files (ts/, rust/) that declare `symbol`. */
export function declaredIn(symbol: string): string[] {
  return SOURCES.filter((f) => /^(ts|rust)\/.*\.(ts|rs)$/.test(f) && !f.includes("/tests/")).filter((f) =>
    declares(f, symbol),
  );
}
