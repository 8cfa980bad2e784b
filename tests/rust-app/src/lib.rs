//! A Rust app that starts its pool from Rust: the path a Rust user takes with nothing from
//! npm (see README "From Rust"). `run()` does each step of the quickstart and reports what it
//! saw; tests/e2e/rust-app.test.ts loads index.html in Chromium and checks the report.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_pmap::prelude::*;
use wasm_pmap::{
    init_pool_async, init_pool_async_at, init_pool_sync, init_pool_sync_at,
    init_pool_sync_from_worker_at, init_pool_sync_from_worker_with, register_coordinator,
    SyncOptions,
};

mod limbs;

// For the URL form (`…_at`): relative to the page (index.html) or the worker's script
// (worker.js), both in this folder. The page in sub/ runs `run()` too: every init there that
// starts a pool is URL-less (the running module), so it must not need them.
const WASM: &str = "./pkg/app_bg.wasm";
const GLUE: &str = "./pkg/app.js";

/// `x²`, in the pool's workers.
#[wasm_pmap::kernel]
pub fn square(x: u64) -> u64 {
    x * x
}

/// `1 / x`; zero is a kernel error (`Err`), which must reach Rust as a typed `PmapError`.
#[wasm_pmap::kernel]
pub fn inverse(x: i32) -> Result<f64, String> {
    if x == 0 {
        return Err("zero has no inverse".into());
    }
    Ok(1.0 / f64::from(x))
}

/// Spins for `ms` milliseconds, then returns them: a slow parallel iterator.
#[wasm_pmap::kernel]
pub fn spin(ms: f64) -> f64 {
    let until = js_sys::Date::now() + ms;
    while js_sys::Date::now() < until {}
    ms
}

/// Runs in the SyncExecutor worker, blocking on `collect_vec_sync()` while the compute
/// workers square its items.
#[wasm_pmap::kernel(job)]
pub fn sum_of_squares(n: u64) -> u64 {
    let squares: Vec<u64> = (0..n)
        .into_par_iter()
        .map(par_fn!(square))
        .collect_vec_sync();
    squares.iter().sum()
}

/// What `run()` saw, for the test page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `Σ x²` for x < 1000 from the async pool (`try_collect_vec().await`).
    async_sum: u64,
    /// Every square in place.
    async_in_order: bool,
    /// The kernel error's kind, kernel and message.
    kernel_error: (String, Option<String>, String),
    /// A module URL that does not exist: the kind and message `init_pool_async` returns.
    bad_url_error: (String, String),
    /// `init_pool_sync` before any coordinator is registered: kind and message.
    sync_without_coordinator: (String, String),
    /// `register_coordinator` with a URL that does not parse: kind and message.
    bad_coordinator_url: (String, String),
    /// `Σ x²` for x < 1000 from a job blocking on `collect_vec_sync()` (`init_pool_sync`).
    sync_sum: u64,
    /// The same through the async path of the sync pool.
    async_sum_after_sync: u64,
}

fn described(e: &PmapError) -> String {
    format!("{:?}", e.kind)
}

/// Every step of the quickstart: the async pool, a kernel error, a bad URL, sync mode
/// without a coordinator, the coordinator (a bad URL, then the runtime itself), the sync
/// pool and a job.
#[wasm_bindgen]
pub async fn run() -> Result<JsValue, JsValue> {
    // No URLs: the running module (`wasm_bindgen::module()`) and its glue's own URL.
    init_pool_async(Some(2)).await?;
    let squares: Vec<u64> = (0..1000u64)
        .into_par_iter()
        .map(par_fn!(square))
        .try_collect_vec()
        .await?;
    let async_in_order = squares
        .iter()
        .enumerate()
        .all(|(i, &s)| s == (i * i) as u64);

    let err = vec![1, 0, 2]
        .into_par_iter()
        .map(par_fn!(inverse))
        .try_collect_vec()
        .await
        .expect_err("a kernel returning Err must fail the call");
    let kernel_error = (described(&err), err.kernel.clone(), err.message.clone());

    let bad = init_pool_async_at(Some(1), "./pkg/missing_bg.wasm", GLUE)
        .await
        .expect_err("a module that does not exist must not start");
    let bad_url_error = (described(&bad), bad.message.clone());

    let early = init_pool_sync_at(Some(2), WASM, GLUE)
        .await
        .expect_err("sync mode needs the coordinator first");
    let sync_without_coordinator = (described(&early), early.message.clone());
    let bad = register_coordinator(Some("http://["))
        .await
        .expect_err("a URL that does not parse must be refused");
    let bad_coordinator_url = (described(&bad), bad.message.clone());

    register_coordinator(None).await?;
    init_pool_sync(Some(2)).await?;
    let sync_sum: u64 = execute_async(sync_fn!(sum_of_squares), &1000u64).await?;
    let after: Vec<u64> = (0..1000u64)
        .into_par_iter()
        .map(par_fn!(square))
        .try_collect_vec()
        .await?;

    let report = Report {
        async_sum: squares.iter().sum(),
        async_in_order,
        kernel_error,
        bad_url_error,
        sync_without_coordinator,
        bad_coordinator_url,
        sync_sum,
        async_sum_after_sync: after.iter().sum(),
    };
    Ok(serde_wasm_bindgen::to_value(&report)?)
}

#[cfg(test)]
mod tests {
    use wasm_pmap::par::host::block_on;
    use wasm_pmap::{init_pool_async, ErrorKind};

    /// Off wasm32 the init API fails, typed, instead of not compiling.
    #[test]
    fn the_init_api_fails_typed_off_the_browser() {
        let err = block_on(init_pool_async(Some(2))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::PoolStart);
        assert!(err.message.contains("only runs in a browser"), "{err}");
    }
}

/// In a worker the app owns (worker.js): makes it the executor with
/// `init_pool_sync_from_worker_at` (the URL form, relative to worker.js), then blocks on
/// `collect_vec_sync()` straight from Rust — `times` calls, each over `n` items, each
/// checked. Returns how many were right.
#[wasm_bindgen(js_name = workerMain)]
pub async fn worker_main(times: u32, n: u64) -> Result<u32, JsValue> {
    init_pool_sync_from_worker_at(Some(2), WASM, GLUE).await?;
    let mut right = 0;
    for t in 0..u64::from(times) {
        let squares: Vec<u64> = (t..t + n)
            .into_par_iter()
            .map(par_fn!(square))
            .collect_vec_sync();
        if squares.iter().zip(t..).all(|(&s, x)| s == x * x) && squares.len() as u64 == n {
            right += 1;
        }
    }
    Ok(right)
}

/// In the same worker, after [`worker_main`]: the sync options set from Rust
/// (`init_pool_sync_from_worker_with`, the worker's own module: no URLs). Reports, as
/// "Kind: message":
/// - a `call_timeout_ms` of 0 (refused, naming the option);
/// - a blocking call over a 1.5 s kernel with `call_timeout_ms(300)` (a Timeout);
/// - a quick blocking call afterwards on the same pool (its sum).
///
/// The second init also replaces the first pool (terminating it), which once took the new
/// pool's host away with it: the calls then failed with NoPool.
#[wasm_bindgen(js_name = workerOptions)]
pub async fn worker_options() -> Result<Vec<String>, JsValue> {
    let said = |e: PmapError| format!("{:?}: {}", e.kind, e.message);
    let zero = SyncOptions::new().call_timeout_ms(0);
    let refused = match init_pool_sync_from_worker_with(Some(2), &zero).await {
        Ok(()) => "accepted".to_string(),
        Err(e) => said(e),
    };
    let opts = SyncOptions::new().call_timeout_ms(300);
    init_pool_sync_from_worker_with(Some(2), &opts).await?;
    let timed_out = match vec![1500.0f64]
        .into_par_iter()
        .map(par_fn!(spin))
        .try_collect_vec_sync()
    {
        Ok(v) => format!("answered {v:?}"),
        Err(e) => said(e),
    };
    // The timed-out call's chunk still runs (nothing cancels it): let it end, so the next call
    // does not queue behind it past its own 300 ms.
    let until = js_sys::Date::now() + 1_500.0;
    while js_sys::Date::now() < until {}
    let quick: Vec<u64> = (0..4u64)
        .into_par_iter()
        .map(par_fn!(square))
        .try_collect_vec_sync()
        .map_err(said)?;
    Ok(vec![
        refused,
        timed_out,
        format!("{}", quick.iter().sum::<u64>()),
    ])
}
