// Rendering a frame with wasm-pmap: the pool, the tiles streamed as they complete, and the
// whole frame as one sync-mode job. main.ts is only the UI around these.
import { createPool, type Pool } from "wasm-pmap";
import type { Frame, Kernels, Tile } from "./pkg/raytracer.js";

/** The demo's kernel module, written as literal `new URL`s so Vite emits both files. */
const module = {
  wasm: new URL("./pkg/raytracer_bg.wasm", import.meta.url),
  glue: new URL("./pkg/raytracer.js", import.meta.url),
};

let current: { key: string; pool: Promise<Pool<Kernels>> } | undefined;

/**
 * A pool of `workers` workers, made on first use and kept while the settings stay the same
 * (a pool costs tens of ms to start: that is not part of a frame's time). Sync mode adds
 * the coordinator service worker the Vite plugin serves at the root, and the SyncExecutor.
 */
export function poolFor(workers: number, sync: boolean): Promise<Pool<Kernels>> {
  const key = `${workers}/${sync}`;
  if (current?.key !== key) {
    current?.pool.then((p) => p.terminate()).catch(() => {});
    const serviceWorker = `${import.meta.env.BASE_URL}wasm-pmap-sw.js`;
    const pool = createPool<Kernels>({ concurrency: workers, module, sync: sync ? { serviceWorker } : undefined });
    current = { key, pool };
    pool.catch(() => {
      if (current?.pool === pool) current = undefined; // let the next render retry
    });
  }
  return current.pool;
}

/** The frame sizes each pool has rendered since its workers last changed. */
const warmSizes = new WeakMap<Pool<Kernels>, Set<string>>();

/**
 * Whether `pool` has rendered `frame`'s size before: only then is a frame's time its own. A
 * fresh worker's first pass runs baseline-compiled wasm (V8 optimises hot functions while
 * they run) and grows its instance's memory, so a cold frame is slower by an amount that
 * varies with the worker count and the order the counts were tried in.
 */
export function isWarm(pool: Pool<Kernels>, frame: Frame): boolean {
  return warmSizes.get(pool)?.has(`${frame.width}x${frame.height}`) ?? false;
}

/** Notes that `pool` rendered `frame`'s size, or (`false`) that it replaced workers and is cold again. */
export function setWarm(pool: Pool<Kernels>, frame: Frame, warm: boolean): void {
  const sizes = warmSizes.get(pool) ?? new Set();
  if (warm) sizes.add(`${frame.width}x${frame.height}`);
  else sizes.clear();
  warmSizes.set(pool, sizes);
}

/** The frame's tiles, row by row (as the crate's `tiles()`; the pixels do not depend on it). */
export function tilesOf(frame: Frame): Tile[] {
  const tiles: Tile[] = [];
  for (let y = 0; y < frame.height; y += frame.tileSize)
    for (let x = 0; x < frame.width; x += frame.tileSize)
      tiles.push({
        x,
        y,
        w: Math.min(frame.tileSize, frame.width - x),
        h: Math.min(frame.tileSize, frame.height - y),
        frame,
      });
  return tiles;
}

/**
 * Renders `frame` tile by tile, calling `onTile` as each completes (completion order) and
 * returning the whole RGBA frame. Rejects with `AbortError` once `signal` aborts: queued
 * tiles are dropped, busy workers replaced.
 */
export async function renderTiles(
  pool: Pool<Kernels>,
  frame: Frame,
  signal: AbortSignal,
  onTile: (tile: Tile, rgba: Uint8Array, done: number, total: number) => void,
): Promise<Uint8Array> {
  const tiles = tilesOf(frame);
  const rgba = new Uint8Array(frame.width * frame.height * 4);
  let done = 0;
  // chunkSize 1: each tile is a chunk, so it is drawn the moment it is done (a tile is
  // milliseconds of work, the ≈ 0.1 ms per-chunk round trip is hidden by inflightPerWorker).
  for await (const { index, value } of pool.stream("renderTile", tiles, { chunkSize: 1, signal })) {
    const t = tiles[index]!;
    for (let row = 0; row < t.h; row++)
      rgba.set(value.subarray(row * t.w * 4, (row + 1) * t.w * 4), ((t.y + row) * frame.width + t.x) * 4);
    onTile(t, value, ++done, tiles.length);
  }
  return rgba;
}

/** Renders `frame` as one job: Rust's `renderFrame` blocks on `collect_vec_sync()` in the executor. */
export function renderSync(pool: Pool<Kernels>, frame: Frame, signal: AbortSignal): Promise<Uint8Array> {
  return pool.execute("renderFrame", frame, { signal });
}
