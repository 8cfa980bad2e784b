// Single-thread wasm on the main thread — the baseline every variant is divided by: the
// built-in `mandelbrotRow` over the whole image in one frame, no worker involved. Both
// bench pages load it (the rayon page too, so its rounds interleave with its own baseline).
import { builtinModule, type RowSpec } from "../dist/index.js";
import { decodeResponse, encodeRequest } from "../dist/protocol/frames.js";
import { decodeValue, encodeValue } from "../dist/protocol/values.js";
import { sha256Hex } from "./timing.ts";

export interface Glue {
  initSync(o: { module: WebAssembly.Module }): unknown;
  __wasmPmapRun(frame: Uint8Array): Uint8Array;
  __wasmPmapRunSlice(frame: Uint8Array, data: Uint8Array): [Uint8Array, Uint8Array?];
}

export const concat = (rows: Uint8Array[]) => {
  const image = new Uint8Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    image.set(r, at);
    at += r.length;
  }
  return image;
};

/** The module instantiated on this thread, one image's run, and that image's digest. */
export async function mainThreadWasm(specs: RowSpec[]): Promise<{ glue: Glue; draw: () => unknown; digest: string }> {
  const module = await WebAssembly.compileStreaming(fetch(builtinModule.wasm as URL));
  const glue = (await import(/* @vite-ignore */ (builtinModule.glue as URL).href)) as Glue;
  glue.initSync({ module });
  const frame = encodeRequest({
    call: "bench:0",
    chunk: 0,
    kernel: "mandelbrotRow",
    mode: 0,
    payload: encodeValue(specs),
    context: null,
  });
  const check = decodeResponse(glue.__wasmPmapRun(frame));
  if (!check.ok) throw new Error(`main-thread baseline failed: ${check.failure.message}`);
  // The reference image every other variant must reproduce, byte for byte.
  const digest = await sha256Hex(concat(decodeValue<Uint8Array[]>(check.body)));
  return { glue, draw: () => glue.__wasmPmapRun(frame), digest };
}

/** One row spec per row of a `size`² image. */
export const rowSpecs = (size: number, maxIter: number): RowSpec[] =>
  Array.from({ length: size }, (_, y) => ({ y, width: size, height: size, maxIter }));
