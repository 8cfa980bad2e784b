/**
 * Runs on the page (or in a worker the app owns). The Rust-side init API's JavaScript half:
 * what `wasm_pmap::init_pool_async`, `register_coordinator`, `init_pool_sync` and
 * `init_pool_sync_from_worker` (rust/pmap/src/init.rs) call. Each starts a pool whose
 * workers run the runtime's own file (runtime.ts) and the app's own wasm module, and makes
 * it this thread's host (`pool.exposeToRust()`), so Rust's parallel iterators reach it.
 * Failures are the pool's typed errors, which Rust turns into a `PmapError` by class name.
 */

import { EXECUTOR_NAME } from "../pool/backend.js";
import { spawnWorkerWith } from "../pool/spawn-worker.js";
import { startPool } from "../pool/start.js";
import { PmapError, PoolStartError, SyncModeError } from "../protocol/errors.js";
import { startCoordinator } from "../sync/link.js";
import { startAppExecutor, type WorkerPool, type WorkerPoolOptions } from "../worker/app-executor.js";

/** The relay's worker name (runtime.ts serves the relay in a worker of that name). */
export const RELAY_NAME = "wasm-pmap-relay";

// The runtime's own file: compute workers and the SyncExecutor run it (runtime.ts serves
// the pool when it finds itself the script of a worker named `wasm-pmap…`). Why not a literal
// `new URL("…", import.meta.url)`: this file *is* the worker script, wherever wasm-bindgen
// copied it (pkg/snippets/wasm-pmap-<hash>/js/runtime.js).
const RUNTIME_URL = import.meta.url;

let starts = 0;
/**
 * This file's URL made unique to one worker start (a query the server ignores), for the
 * workers the coordinator service worker must control: the executor, whose blocking
 * requests it answers, and the relay. Why: WebKit gives several module workers of one
 * script URL started at the same moment one controller only — the first; the others fetch
 * from the network. The compute workers, which never talk to the coordinator, share the
 * plain URL (and the HTTP cache). In the started worker, `location.href` and this file's
 * `import.meta.url` are both the unique URL, so runtime.ts serves there as usual.
 */
function ownUrl(): string {
  const url = new URL(RUNTIME_URL);
  url.searchParams.set("wasm-pmap-start", `${++starts}`);
  return url.href;
}

export const spawnRuntimeWorker = spawnWorkerWith(
  (name) => new Worker(name === EXECUTOR_NAME ? ownUrl() : RUNTIME_URL, { type: "module", name }),
);

/** The pool this thread's Rust reaches, and how to undo `exposeToRust`. */
let current: { terminate(): void } | undefined;
/** The coordinator `registerCoordinator` registered, for `initPoolSync`. */
let registration: ServiceWorkerRegistration | undefined;

/**
 * The app's module as Rust passes it: `wasm` the running module (`wasm_bindgen::module()`,
 * compiled already: posted to the workers as is) or its URL, `glue` the wasm-bindgen glue's
 * URL (the glue's own `import.meta.url`, or the URL given). URLs are relative to the page.
 */
type Wasm = string | WebAssembly.Module;

/** `init_pool_async`: a pool of `numWorkers` (default: `hardwareConcurrency`) running the app's module. */
export async function initPoolAsync(numWorkers: number | undefined, wasm: Wasm, bindgenUrl: string) {
  await install("init_pool_async", numWorkers, wasm, bindgenUrl, undefined);
}

/**
 * `register_coordinator`: registers the coordinator service worker (as a module) and waits
 * until it is active. `url` omitted: this very file, whose folder — the scope — holds the
 * SyncExecutor's script (this file again), as the browser requires for it to be controlled.
 */
export async function registerCoordinator(url: string | undefined): Promise<void> {
  if (!globalThis.navigator?.serviceWorker) {
    throw new PoolStartError(
      "register_coordinator: this page has no service workers (they need a secure context: https or localhost, and no private-browsing block)",
    );
  }
  let script: URL;
  try {
    script = new URL(url ?? RUNTIME_URL, globalThis.location?.href);
  } catch (err) {
    throw new PoolStartError(`register_coordinator: ${url} is not a valid URL: ${(err as Error).message}`);
  }
  registration = (await startCoordinator({ serviceWorker: script })).registration;
}

/**
 * `init_pool_sync`: like `initPoolAsync`, plus the SyncExecutor, where `#[kernel(job)]`s run
 * (`execute_async`) and may block on `collect_vec_sync()`. Needs the coordinator: the one
 * `registerCoordinator` registered, else one already registered over this file.
 */
export async function initPoolSync(numWorkers: number | undefined, wasm: Wasm, bindgenUrl: string) {
  const reg = registration ?? (await globalThis.navigator?.serviceWorker?.getRegistration(RUNTIME_URL));
  if (!reg) {
    throw new SyncModeError(
      `init_pool_sync: no coordinator service worker covers ${RUNTIME_URL}; call wasm_pmap::register_coordinator(None) first`,
    );
  }
  if (!RUNTIME_URL.startsWith(reg.scope)) {
    throw new SyncModeError(
      `init_pool_sync: the coordinator's scope ${reg.scope} does not contain the SyncExecutor's script ${RUNTIME_URL}; register it with a wider scope, or with register_coordinator(None)`,
    );
  }
  await install("init_pool_sync", numWorkers, wasm, bindgenUrl, reg.scope);
}

/**
 * `init_pool_sync_from_worker` (and `…_with`, which passes `sync`, the Rust `SyncOptions`
 * serialised under the names of `WorkerPoolOptions.sync`): makes the calling worker (one the app owns, its script in
 * the coordinator's scope, or any worker on a cross-origin-isolated page) the executor; the
 * compute workers belong to a relay worker running this same file (ts/worker/relay.ts).
 */
export async function initPoolSyncFromWorker(
  numWorkers: number | undefined,
  wasm: Wasm,
  bindgenUrl: string,
  sync?: WorkerPoolOptions["sync"],
): Promise<void> {
  let pool: WorkerPool;
  try {
    pool = await startAppExecutor(
      { concurrency: numWorkers, module: { wasm, glue: bindgenUrl }, sync },
      () => new Worker(ownUrl(), { type: "module", name: RELAY_NAME }),
    );
  } catch (err) {
    if (err instanceof PmapError) throw err;
    throw new PoolStartError(`init_pool_sync_from_worker: ${(err as Error)?.message ?? err}`);
  }
  current?.terminate();
  current = pool;
}

async function install(
  what: string,
  numWorkers: number | undefined,
  wasm: Wasm,
  glue: string,
  scope: string | undefined,
): Promise<void> {
  let pool: Awaited<ReturnType<typeof startPool>>;
  try {
    pool = await startPool(
      { wasm, glue },
      { concurrency: numWorkers, sync: scope === undefined ? undefined : { scope } },
      spawnRuntimeWorker,
    );
  } catch (err) {
    // Ours already name what failed; anything else (a TypeError for 0 workers) is a start error.
    if (err instanceof PmapError) throw err;
    throw new PoolStartError(`${what}: ${(err as Error)?.message ?? err}`);
  }
  // A second init replaces the first pool, whose workers would otherwise live on unused.
  current?.terminate();
  const exposed = pool.exposeToRust();
  current = {
    terminate: () => {
      exposed[Symbol.dispose]();
      pool.terminate();
    },
  };
}
