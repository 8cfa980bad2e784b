//! Sync mode and parallel iterators, used the way a user's crate uses them: jobs that
//! block on `collect_vec_sync()` inside the SyncExecutor, and main-thread async exports
//! that `.await` parallel iterators and jobs.

use wasm_bindgen::prelude::*;
use wasm_pmap::prelude::*;

use crate::{now, panic_on_13, spin};

/// True for odd numbers.
#[wasm_pmap::kernel]
pub fn is_odd(x: u32) -> bool {
    x % 2 == 1
}

/// Adds two u64 (associative).
#[wasm_pmap::kernel(reduce)]
pub fn add_u64(a: u64, b: u64) -> u64 {
    a + b
}

/// Widens a u32.
#[wasm_pmap::kernel]
pub fn widen(x: u32) -> u64 {
    x as u64
}

/// Job: `x + 1` for every x in `start .. start + n`, in order, computed by the compute
/// workers through `panicOn13` (so a range holding 13 makes a kernel panic).
#[wasm_pmap::kernel(job)]
pub fn plus_one_range(start: u32, n: u32) -> Vec<u32> {
    (start..start + n)
        .into_par_iter()
        .map(par_fn!(panic_on_13))
        .collect_vec_sync()
}

/// Job: like `plusOneRange`, but the error comes back as a `Result` (the `try_` form).
#[wasm_pmap::kernel(job)]
pub fn try_plus_one_range(start: u32, n: u32) -> Result<Vec<u32>, PmapError> {
    (start..start + n)
        .into_par_iter()
        .map(par_fn!(panic_on_13))
        .try_collect_vec_sync()
}

/// Job: every adaptor once, blocking: `[Σ odd x (via filter+widen+sum), Σ x (reduce),
/// Σ index·x over the first 10 (enumerate), count]` for x in `0..n`.
#[wasm_pmap::kernel(job)]
pub fn adaptors_sync(n: u32) -> Vec<u64> {
    let odd_sum: u64 = (0..n)
        .into_par_iter()
        .filter(par_fn!(is_odd))
        .map(par_fn!(widen))
        .sum_sync();
    let total = (0..n)
        .into_par_iter()
        .map(par_fn!(widen))
        .reduce_sync(par_fn!(add_u64))
        .unwrap_or(0);
    let pairs = (0..n.min(10))
        .into_par_iter()
        .enumerate()
        .collect_vec_sync();
    let dot: u64 = pairs.iter().map(|&(i, x)| i as u64 * x as u64).sum();
    let count = (0..n).into_par_iter().collect_vec_sync().len() as u64;
    vec![odd_sum, total, dot, count]
}

/// Job: `n` chunks of `spin(ms)` on the compute workers; returns their sum (`n · ms`).
#[wasm_pmap::kernel(job)]
pub fn spin_sync(n: u32, ms: f64) -> f64 {
    vec![ms; n as usize]
        .into_par_iter()
        .map(par_fn!(spin))
        .sum_sync()
}

/// Job: `collect_vec_sync()` of `items` items (`items` chunks of one: one per compute worker
/// when there are as many) through `panicOn13`, `n` times; returns the mean round trip in
/// ms (the bench's sync lines).
#[wasm_pmap::kernel(job)]
pub fn sync_round_trip_ms(n: u32, items: u32) -> f64 {
    let start = now();
    for i in 0..n {
        let base = 100 + i * items;
        let out = (base..base + items)
            .into_par_iter()
            .map(par_fn!(panic_on_13))
            .collect_vec_sync();
        assert_eq!(out, (base + 1..base + 1 + items).collect::<Vec<_>>());
    }
    (now() - start) / n.max(1) as f64
}

/// Main thread: `x + 1` for x in `start .. start + n` through the pool (needs
/// `pool.exposeToRust()`); a failure rejects with the pool's typed error (`?`).
#[wasm_bindgen(js_name = plusOneAsync)]
pub async fn plus_one_async(start: u32, n: u32) -> Result<Vec<u32>, JsValue> {
    Ok((start..start + n)
        .into_par_iter()
        .map(par_fn!(panic_on_13))
        .try_collect_vec()
        .await?)
}

/// Main thread: runs the `plusOneRange` job in the SyncExecutor through `execute_async`.
#[wasm_bindgen(js_name = plusOneJobAsync)]
pub async fn plus_one_job_async(start: u32, n: u32) -> Result<Vec<u32>, JsValue> {
    Ok(execute_async(sync_fn!(plus_one_range), &(start, n)).await?)
}

/// Main thread: mean round trip of `try_collect_vec().await` over `items` items, in ms
/// (the bench's async lines, beside `syncRoundTripMs`).
#[wasm_bindgen(js_name = asyncRoundTripMs)]
pub async fn async_round_trip_ms(n: u32, items: u32) -> Result<f64, JsValue> {
    let start = now();
    for i in 0..n {
        let base = 100 + i * items;
        let out = (base..base + items)
            .into_par_iter()
            .map(par_fn!(panic_on_13))
            .try_collect_vec()
            .await?;
        assert_eq!(out, (base + 1..base + 1 + items).collect::<Vec<_>>());
    }
    Ok((now() - start) / n.max(1) as f64)
}

/// Main thread: the blocking form where it cannot block; returns the error, and throws
/// (as a JS exception, not a trap) when `throw` is set.
#[wasm_bindgen(js_name = collectSyncOnMainThread)]
pub fn collect_sync_on_main_thread(throw: bool) -> String {
    let it = (0..3u32).into_par_iter().map(par_fn!(panic_on_13));
    if throw {
        return format!("{:?}", it.collect_vec_sync());
    }
    it.try_collect_vec_sync().unwrap_err().to_string()
}

/// The compute workers as Rust in the SyncExecutor sees them (follows `pool.grow`).
#[wasm_pmap::kernel(job)]
pub fn workers_seen(_unused: u32) -> u32 {
    current_num_workers() as u32
}

/// The same on this thread (the page, through `pool.exposeToRust()`; 1 without it).
#[wasm_bindgen(js_name = workersSeenHere)]
pub fn workers_seen_here() -> u32 {
    current_num_workers() as u32
}

/// In a worker the app owns, after `initPoolSyncFromWorker` (no job): `times` blocking
/// `try_collect_vec_sync()` calls, the t-th over `start + t .. start + t + n` through
/// `panicOn13`, each result checked here. Returns the mean round trip in ms; a kernel error
/// comes back as the pool's typed error (`?`).
#[wasm_bindgen(js_name = directSyncLoop)]
pub fn direct_sync_loop(start: u32, times: u32, n: u32) -> Result<f64, JsValue> {
    let t0 = now();
    for t in 0..times {
        let base = start + t;
        let out = (base..base + n)
            .into_par_iter()
            .map(par_fn!(panic_on_13))
            .try_collect_vec_sync()?;
        if out != (base + 1..base + n + 1).collect::<Vec<u32>>() {
            return Err(JsValue::from_str(&format!("call {t}: wrong results")));
        }
    }
    Ok((now() - t0) / times.max(1) as f64)
}

/// In a worker the app owns: one blocking `try_sum_sync()` over `n` chunks of `spin(ms)`
/// (a slow parallel iterator, for `callTimeoutMs`).
#[wasm_bindgen(js_name = directSpin)]
pub fn direct_spin(n: u32, ms: f64) -> Result<f64, JsValue> {
    Ok(vec![ms; n as usize]
        .into_par_iter()
        .map(par_fn!(spin))
        .try_sum_sync()?)
}

/// In a worker the app owns: `try_sum().await` over `n` chunks of `spin(ms)` (a slow async
/// parallel iterator, pending while `pool.terminate()` is called).
#[wasm_bindgen(js_name = directSpinAsync)]
pub async fn direct_spin_async(n: u32, ms: f64) -> Result<f64, JsValue> {
    Ok(vec![ms; n as usize]
        .into_par_iter()
        .map(par_fn!(spin))
        .try_sum()
        .await?)
}

/// Spins `ms`, then answers with `tag`: a chunk whose result says which call it belongs to.
#[wasm_pmap::kernel]
pub fn spin_tagged(ms: f64, tag: u32) -> u32 {
    spin(ms);
    tag
}

/// In a worker the app owns: one blocking call over `ms`, item i `spinTagged(ms[i], tag)`
/// (one chunk each while there are at most 4 per compute worker), whose answer is checked
/// here: another call's answer (another tag) is `Err("… wrong results …")`, never returned
/// as this one's. Returns `tag`.
#[wasm_bindgen(js_name = directSpinTagged)]
pub fn direct_spin_tagged(ms: Vec<f64>, tag: u32) -> Result<u32, JsValue> {
    let n = ms.len();
    let got = ms
        .into_iter()
        .map(|ms| (ms, tag))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(par_fn!(spin_tagged))
        .try_collect_vec_sync()?;
    if got != vec![tag; n] {
        return Err(JsValue::from_str(&format!(
            "call {tag}: wrong results: got {got:?} (another call's answer)"
        )));
    }
    Ok(tag)
}
