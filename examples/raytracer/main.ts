// The demo page's UI: settings, Render / Cancel, progress, time and speedup, and a
// heartbeat that shows the main thread stays free while the workers render.
import type { Frame } from "./pkg/raytracer.js";
import { poolFor, renderSync, renderTiles } from "./render.js";

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

/** The last 1-worker time per frame setting: what the speedup is measured against. */
const oneWorkerMs = new Map<string, number>();
/** What the last finished render produced (read by tests/e2e/demo.test.ts). */
export interface Rendered {
  frame: Frame;
  workers: number;
  sync: boolean;
  ms: number;
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
  try {
    const pool = await poolFor(n, asJob);
    setState("rendering", asJob ? "rendering as one sync-mode job…" : "rendering…");
    longest = 0;
    const t0 = performance.now();
    let rgba: Uint8Array;
    if (asJob) {
      progress.removeAttribute("value"); // indeterminate: the job reports only its end
      rgba = await renderSync(pool, frame, signal);
      ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
    } else {
      progress.value = 0;
      rgba = await renderTiles(pool, frame, signal, (t, px, done, total) => {
        ctx.putImageData(new ImageData(new Uint8ClampedArray(px), t.w, t.h), t.x, t.y);
        progress.value = done / total;
      });
    }
    const ms = performance.now() - t0;
    progress.value = 1;
    demo.last = { frame, workers: n, sync: asJob, ms, rgba, longestFrameMs: longest };
    const key = `${width}x${height}x${frame.samples}`;
    if (n === 1) oneWorkerMs.set(key, ms);
    const base = oneWorkerMs.get(key);
    speedup.textContent =
      base === undefined
        ? "speedup: render once with 1 worker to compare"
        : `speedup ${(base / ms).toFixed(2)}× against the last 1-worker render (${base.toFixed(0)} ms)`;
    setState(
      "done",
      `${width}×${height}, ${frame.samples} samples, ${n} worker${n > 1 ? "s" : ""}${asJob ? ", sync job" : ""}: ${ms.toFixed(0)} ms`,
    );
  } catch (err) {
    progress.value = 0;
    if (signal.aborted) setState("cancelled", "cancelled");
    else setState("error", `error: ${(err as Error).message}`);
  }
}

$("controls").addEventListener("submit", (e) => {
  e.preventDefault();
  void render();
});
cancelButton.addEventListener("click", () => controller?.abort(new Error("cancelled by the user")));
