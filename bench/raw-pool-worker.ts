// The start-up reference: what a hand-written pool's worker does at its simplest — import
// the kernel module's glue, instantiate the Module the page compiled and posted, answer
// "ready", then run frames. Same glue, same wasm as the pool's workers.
interface Glue {
  initSync(o: { module: WebAssembly.Module }): unknown;
  __wasmPmapRun(frame: Uint8Array): Uint8Array;
}
let glue: Glue | undefined;
self.onmessage = async (e: MessageEvent) => {
  const m = e.data;
  if (m.module) {
    glue = (await import(/* @vite-ignore */ m.glue)) as Glue;
    glue.initSync({ module: m.module });
    self.postMessage("ready");
  } else {
    const out = glue!.__wasmPmapRun(new Uint8Array(m));
    (self as unknown as Worker).postMessage(out.buffer, [out.buffer]);
  }
};
