// The bench's sections beyond the peers (skipped by --quick): moving data through the pool
// in detail, start-up, per-call overhead, sync mode, encoding, sizes.

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x, d = 1) => (typeof x === "number" ? x.toFixed(d) : String(x)).padStart(9);
const line = (label, value, unit = "", note = "") =>
  console.log(`  ${label.padEnd(44)}${value} ${unit}${note ? `   ${note}` : ""}`);

/** Prints them (`r`: the bench page's figures; `startup`: the start-up page's runs). */
export function printDetails(r, startup, sizes) {
  const STARTUP_RUNS = startup.ours.length;
  console.log(`\nMoving data: sqrtF64 (slice kernel) over a Float64Array, MB/s of input (higher is better)`);
  for (const size of ["8mb", "64mb"]) {
    const mbps = (ms) => (size === "8mb" ? 8.388608 : 67.108864) / (ms / 1000);
    const main = r[`transport.main_ms_${size}`];
    line(`${size.toUpperCase()}: single-thread wasm, main thread`, f(mbps(main), 0), "MB/s", `${f(main)} ms`);
    for (const w of [1, 2]) {
      const ms = r[`transport.ms_${w}w_${size}`];
      const tr = r[`transport.ms_${w}w_transfer_${size}`];
      line(
        `${size.toUpperCase()}: pool, ${w} worker${w > 1 ? "s" : ""}`,
        f(mbps(ms), 0),
        "MB/s",
        `${f(ms)} ms, ${f(main / ms, 2)} × main thread`,
      );
      line(
        `${size.toUpperCase()}: pool, ${w} worker${w > 1 ? "s" : ""}, transfer: true`,
        f(mbps(tr), 0),
        "MB/s",
        `${f(tr)} ms, ${f(main / tr, 2)} × main thread`,
      );
    }
  }

  console.log(
    `\nStart-up: createPool (2 workers, built-in kernels) → first result, fresh page, medians of ${STARTUP_RUNS}`,
  );
  line("wasm-pmap createPool → ready", f(median(startup.oursReady)), "ms");
  line("wasm-pmap createPool → first result", f(median(startup.ours)), "ms");
  line(
    "hand-written shared-Module pool → first result",
    f(median(startup.hand)),
    "ms",
    `(compile alone ${f(median(startup.handCompile))} ms)`,
  );
  line("raw module worker → first answer", f(median(startup.raw)), "ms");

  console.log(`\nOne tiny call, main → worker → main (medians of 5 × 500)`);
  line(`pool.call("double")`, f(r.callRoundTripUs), "µs");
  line("raw postMessage echo", f(r.rawRoundTripUs), "µs");
  line("ratio", f(r.callRoundTripUs / r.rawRoundTripUs, 2), "×");

  console.log(
    `\nOne parallel-iterator collect (job in a SyncExecutor vs main-thread wasm), Rust → pool → Rust, 2 compute workers (medians of 9 × mean of 200)`,
  );
  for (const { path, items, us } of syncFigures(r)) {
    const what = `${items} item${items > 1 ? "s" : ""}`;
    line(`collect_vec_sync(), ${what} [${path}]`, f(us), "µs", items === 1 ? (r[`sync.${path}.note`] ?? "") : "");
    const asyncUs = r[`async.${items}item_us`];
    if (asyncUs !== undefined) {
      line(
        `collect_vec().await, main thread, ${what}`,
        f(asyncUs),
        "µs",
        `(the sync line above is ${f(us / asyncUs, 1).trim()} × this)`,
      );
    }
  }

  console.log(`\nEncoding ${(r.cborBytes / 1e6).toFixed(2)} MB of structured items to CBOR (main thread)`);
  line("cbor-x", f(r.cborxEncodeMs), "ms");
  line("serde-wasm-bindgen + ciborium", f(r.wasmEncodeMs), "ms");

  console.log(`\nSizes (bytes; gzip -9)`);
  line("built-in kernels wasm", f(sizes.wasm_builtin_bytes, 0), "B", `gzip ${sizes.wasm_builtin_gzip}`);
  line("page JS (Vite production build)", f(sizes.js_page_bytes, 0), "B", `gzip ${sizes.js_page_gzip}`);
  line("compute-worker JS", f(sizes.js_worker_bytes, 0), "B", `gzip ${sizes.js_worker_gzip}`);
  line(
    "SyncExecutor extra JS (loaded only there)",
    f(sizes.js_executor_bytes, 0),
    "B",
    `gzip ${sizes.js_executor_gzip}`,
  );
}

/** The sync round trips in `r` (bench/sync-round-trip.ts keys), by path then items. */
function syncFigures(r) {
  return Object.keys(r)
    .map((k) => k.match(/^sync\.(.+)\.(\d+)item_us$/))
    .filter((m) => m)
    .map((m) => ({ path: m[1], items: Number(m[2]), us: r[m[0]] }));
}

/** The same figures, under their stable results.json keys. */
export function detailFigures(r, startup, sizes) {
  return {
    transport: {
      ms_main_8mb: r["transport.main_ms_8mb"],
      ms_main_64mb: r["transport.main_ms_64mb"],
      ms_1w_8mb: r["transport.ms_1w_8mb"],
      ms_2w_8mb: r["transport.ms_2w_8mb"],
      ms_1w_64mb: r["transport.ms_1w_64mb"],
      ms_2w_64mb: r["transport.ms_2w_64mb"],
      ms_2w_transfer_64mb: r["transport.ms_2w_transfer_64mb"],
      mb_per_s_main: 67.108864 / (r["transport.main_ms_64mb"] / 1000),
      mb_per_s_1w: 67.108864 / (r["transport.ms_1w_64mb"] / 1000),
      mb_per_s_2w: 67.108864 / (r["transport.ms_2w_64mb"] / 1000),
      mb_per_s_2w_transfer: 67.108864 / (r["transport.ms_2w_transfer_64mb"] / 1000),
      ratio_vs_main_thread: r["transport.main_ms_64mb"] / r["transport.ms_2w_64mb"],
      ratio_vs_main_thread_transfer: r["transport.main_ms_64mb"] / r["transport.ms_2w_transfer_64mb"],
    },
    startup: {
      ms_ready_2w: median(startup.oursReady),
      ms_first_result_2w: median(startup.ours),
      ms_hand_written_pool: median(startup.hand),
      ms_compile: median(startup.handCompile),
      ms_raw_worker: median(startup.raw),
    },
    call: {
      us_pool: r.callRoundTripUs,
      us_echo: r.rawRoundTripUs,
      ratio_vs_echo: r.callRoundTripUs / r.rawRoundTripUs,
    },
    sync: {
      us_collect_sync: r.syncCollectUs,
      us_collect_async: r.asyncCollectUs,
      // Per sync path and items per collect: { "page-executor": { us_1_item, us_2_items, note } }.
      paths: syncFigures(r).reduce((paths, { path, items, us }) => {
        paths[path] ??= { note: r[`sync.${path}.note`] };
        paths[path][`us_${items}_item${items > 1 ? "s" : ""}`] = us;
        return paths;
      }, {}),
      async: Object.fromEntries(
        Object.keys(r)
          .map((k) => k.match(/^async\.(\d+)item_us$/))
          .filter((m) => m)
          .map((m) => [`us_${m[1]}_item${Number(m[1]) > 1 ? "s" : ""}`, r[m[0]]]),
      ),
    },
    encode: { bytes: r.cborBytes, ms_cborx: r.cborxEncodeMs, ms_wasm: r.wasmEncodeMs },
    size: sizes,
  };
}
