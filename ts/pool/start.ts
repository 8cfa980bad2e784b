/**
 * Runs on the page. Starting a pool on a given worker backend: compile the module, find the
 * coordinator (sync mode), spawn the workers, wait until all are ready. `createPool`
 * (create.ts) starts one on the package's own worker script; the Rust runtime (ts/rust/) on
 * its own file. Why apart from create.ts: this file names no worker script and no built-in
 * module, so a bundle of it (the Rust runtime) carries neither.
 */
import { PoolStartError } from "../protocol/errors.js";
import { type CoordinatorLink, syncLink } from "../sync/link.js";
import type { SpawnWorker } from "./backend.js";
import { compileModule, type KernelModule } from "./module.js";
import type { PoolOptions } from "./options.js";
import { Pool } from "./pool.js";

/** Starts a pool of `spawn`'s workers running kernel module `desc` (`opts.module` is ignored). */
export async function startPool<K extends object>(
  desc: KernelModule,
  opts: PoolOptions,
  spawn: SpawnWorker,
): Promise<Pool<K>> {
  // Why not awaited here: the workers start (fetch and evaluate their script, import the
  // glue) while the page compiles the module, which they get once it is ready.
  const module = compileModule(desc.wasm).catch((err: unknown) => {
    const where = typeof desc.wasm === "string" || desc.wasm instanceof URL ? ` ${String(desc.wasm)}` : "";
    throw new PoolStartError(`could not compile the kernel module${where}: ${(err as Error)?.message ?? err}`);
  });
  let sync: { link: CoordinatorLink | undefined } | undefined;
  try {
    sync = opts.sync ? { link: await syncLink(opts.sync) } : undefined;
  } catch (err) {
    module.catch(() => {});
    throw err;
  }
  let glue: string;
  try {
    glue = new URL(desc.glue, globalThis.location?.href).href;
  } catch (err) {
    await module; // a module that does not compile is the first thing to report
    throw new PoolStartError(
      `the kernel module's glue URL ${String(desc.glue)} is not valid: ${(err as Error).message}`,
    );
  }
  const pool = new Pool<K>({ module, glue }, opts, spawn, sync);
  try {
    // A failed compile wins over the workers' wait for it (they never get a module).
    await Promise.all([module, pool.ready]);
  } catch (err) {
    pool.terminate();
    throw err;
  }
  return pool;
}
