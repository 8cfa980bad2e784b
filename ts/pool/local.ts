/**
 * Runs on the page. The kernel module instantiated on the calling (main) thread, for the
 * small work that is not worth a round trip: folding `reduce` partials (one chunk of the
 * reduce codec, codecs.ts). Made on first use from the same compiled Module the workers run.
 */
import { failureError, KernelError, PmapError } from "../protocol/errors.js";
import { decodeResponse, encodeRequest } from "../protocol/frames.js";
import { type KernelGlue, type KernelInfo, runFrame } from "../protocol/kernel-module.js";
import { Codec } from "./codecs.js";

export class LocalModule {
  #glue: Promise<KernelGlue> | undefined;
  #seq = 0;
  #instances = 0;

  constructor(
    private readonly module: WebAssembly.Module | Promise<WebAssembly.Module>,
    private readonly glueUrl: string,
  ) {}

  /** Folds `values` (left to right) with a reduce kernel. */
  async fold(kernel: KernelInfo, values: unknown[]): Promise<unknown> {
    const glue = await this.#load();
    let payload: Uint8Array;
    try {
      payload = Codec.reduce.payload(values, { start: 0, end: values.length });
    } catch (err) {
      throw new PmapError(
        `kernel "${kernel.name}": the reduce init could not be encoded: ${(err as Error)?.message ?? err}`,
      );
    }
    const frame = encodeRequest({
      call: `local:${++this.#seq}`,
      chunk: 0,
      kernel: kernel.name,
      mode: Codec.reduce.mode,
      payload,
      context: null,
    });
    // A panic traps this instance too: runFrame re-creates it before anyone uses it again.
    const out = runFrame(glue, () => glue.__wasmPmapRun(frame));
    if (!(out instanceof Uint8Array)) {
      if (!out.recovered) this.#glue = undefined; // next use imports a fresh module instance (see #load)
      throw new KernelError(kernel.name, out.message, 0, undefined, out.panicked);
    }
    const resp = decodeResponse(out);
    if (!resp.ok) throw failureError(resp.failure, kernel, { chunk: 0, start: 0 });
    return Codec.reduce.output(kernel, resp.body, undefined);
  }

  #load(): Promise<KernelGlue> {
    this.#glue ??= (async () => {
      // A glue module is a singleton per URL, and its initSync keeps the first instance;
      // after an unrecoverable trap, a new query string gives a new module record.
      const url =
        this.#instances++ === 0
          ? this.glueUrl
          : `${this.glueUrl}${this.glueUrl.includes("?") ? "&" : "?"}wasm-pmap-instance=${this.#instances}`;
      const g = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as KernelGlue;
      g.initSync({ module: await this.module });
      return g;
    })();
    return this.#glue;
  }
}
