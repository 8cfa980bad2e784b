// The demo page's UI: settings, Render / Cancel, progress, time and speedup, and a
// heartbeat that shows the main thread stays free while the workers render.
import type { Pool } from "wasm-pmap";
import type { Frame, Kernels } from "./pkg/raytracer.js";
import { isWarm, poolFor, renderSync, renderTiles, setWarm } from "./render.js";
import { Timings, type Verdict } from "./speedup.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const workers = $<HTMLSelectElement>("workers");
const size = $<HTMLSelectElement>("size");
const samples = $<HTMLSelectElement>("samples");
const sync = $<HTMLInputElement>("sync");
const renderButton = $<HTMLButtonElement>("render");
const cancelButton = $<HTMLButtonElement>("cancel");
const progress = $<HTMLProgressElement>("progress");
const status = $<HTMLParagraphElement>("status");
const speedup = $<HTMLParagraphElement>("speedup");
const heartbeat = $<HTMLParagraphElement>("heartbeat");
const canvas = $<HTMLCanvasElement>("frame");
const ctx = canvas.getContext("2d", { willReadFrequently: true })!;

const cores = navigator.hardwareConcurrency || 2;
for (let n = 1; n <= cores; n++) workers.add(new Option(String(n), String(n), false, n === cores));

/** The warm frames' times: what the speedup line compares. */
const timings = new Timings();
/** What the last finished render produced (read by tests/e2e/demo.test.ts). */
export interface Rendered {
  frame: Frame;
  workers: number;
  sync: boolean;
  ms: number;
  /** Whether the pool had rendered this frame size before (an untimed warm-up pass, if not). */
  warm: boolean;
  rgba: Uint8Array;
  longestFrameMs: number;
}
const demo = { last: undefined as Rendered | undefined };
(globalThis as unknown as { demo: typeof demo }).demo = demo;

// Heartbeat: the longest gap between animation frames during the current render. A blocked
// main thread would show here (and the canvas would not update tile by tile).
let longest = 0;
let lastTick = performance.now();
const tick = (now: number) => {
  if (document.body.dataset.state === "rendering") longest = Math.max(longest, now - lastTick);
  lastTick = now;
  heartbeat.textContent = `main thread: longest frame during the render ${longest.toFixed(0)} ms`;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

let controller: AbortController | undefined;

const setState = (state: "idle" | "rendering" | "done" | "cancelled" | "error", text: string) => {
  document.body.dataset.state = state;
  status.textContent = text;
  renderButton.disabled = state === "rendering";
  cancelButton.disabled = state !== "rendering";
};

async function render() {
  const [width, height] = size.value.split("x").map(Number) as [number, number];
  const frame: Frame = { width, height, samples: Number(samples.value), tileSize: 32 };
  const n = Number(workers.value);
  const asJob = sync.checked;
  // A count of renders begun, so a test can wait for this one even if it ends at once.
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
  controller = new AbortController();
  const { signal } = controller;
  setState("rendering", "starting the pool…");
  canvas.width = width;
  canvas.height = height;
  let pool: Pool<Kernels> | undefined;
  /** Renders `f` on the pool, drawing it as it comes. */
  const pass = (on: Pool<Kernels>, f: Frame): Promise<Uint8Array> => {
    if (asJob) {
      progress.removeAttribute("value"); // indeterminate: the job reports only its end
      return renderSync(on, f, signal).then((rgba) => {
        ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
        return rgba;
      });
    }
    progress.value = 0;
    return renderTiles(on, f, signal, (t, px, done, total) => {
      ctx.putImageData(new ImageData(new Uint8ClampedArray(px), t.w, t.h), t.x, t.y);
      progress.value = done / total;
    });
  };
  try {
    pool = await poolFor(n, asJob);
    // A new pool (or size) first renders the frame at 1 sample per pixel, untimed: the timed
    // frame is then as warm at every worker count, whatever order the counts are tried in.
    const warmUp = !isWarm(pool, frame);
    if (warmUp) {
      setState("rendering", "warm-up pass (1 sample per pixel, not timed)…");
      await pass(pool, { ...frame, samples: 1 });
      setWarm(pool, frame, true);
    }
    const warm = isWarm(pool, frame); // checked, not assumed: only warm frames are compared
    setState("rendering", asJob ? "rendering as one sync-mode job…" : "rendering…");
    longest = 0;
    const t0 = performance.now();
    const rgba = await pass(pool, frame);
    const ms = performance.now() - t0;
    progress.value = 1;
    demo.last = { frame, workers: n, sync: asJob, ms, warm, rgba, longestFrameMs: longest };
    const setting = `${width}x${height}x${frame.samples}${asJob ? "/job" : ""}`;
    if (warm) timings.add(setting, n, ms);
    showSpeedup(timings.verdict(setting, n, cores));
    setState(
      "done",
      `${width}×${height}, ${frame.samples} samples, ${n} worker${n > 1 ? "s" : ""}${asJob ? ", sync job" : ""}: ${ms.toFixed(0)} ms` +
        (warmUp ? " (after an untimed warm-up pass)" : ""),
    );
  } catch (err) {
    // A cancelled or failed pass replaced the workers it stopped: the pool is cold again.
    if (pool) setWarm(pool, frame, false);
    progress.value = 0;
    if (signal.aborted) setState("cancelled", "cancelled");
    else setState("error", `error: ${(err as Error).message}`);
  }
}

/** Shows the speedup line, with the two frame times it compared as data- attributes (read by tests/e2e/demo.test.ts). */
function showSpeedup(v: Verdict) {
  speedup.textContent = v.text;
  speedup.dataset.verdict = v.kind;
  const attrs = { workers: v.workers, oneWorkerMs: v.oneWorkerMs, workersMs: v.workersMs };
  for (const [name, value] of Object.entries(attrs))
    if (value === undefined) delete speedup.dataset[name];
    else speedup.dataset[name] = String(value);
}

$("controls").addEventListener("submit", (e) => {
  e.preventDefault();
  void render();
});
cancelButton.addEventListener("click", () => controller?.abort(new Error("cancelled by the user")));
