//! The bench's big-integer workload (bench/big-ints.mjs): items shaped like a 446-bit field
//! element — seven full-range `u64` limbs — each put through a few hundred rounds of a
//! limb-wise multiply-mix with carries, so one item costs tens of µs. The same work on every
//! path the app has: a plain loop on the main thread (no pool), `try_collect_vec().await`,
//! a job blocking on `collect_vec_sync()` in the page's executor, and a worker the app owns
//! blocking on it itself. Each returns a digest of the results, in order, which the bench
//! compares with the loop's.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_pmap::prelude::*;
use wasm_pmap::{
    init_pool_async, init_pool_sync, init_pool_sync_from_worker, register_coordinator,
};

/// Rounds per item: ~40 µs of wasm each on a laptop core, so compute outweighs the ~100
/// bytes of CBOR each way per item.
const ROUNDS: u32 = 1000;
/// The bench's pools: 2 compute workers.
const WORKERS: u32 = 2;

/// A field element: seven full-range little-endian limbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limbs(pub [u64; 7]);

/// One round: every limb times an odd constant, plus its neighbour and the carry of the limb
/// before — non-linear, and every bit of the input reaches every limb within seven rounds.
fn mix(a: &[u64; 7]) -> [u64; 7] {
    const K: [u64; 7] = [
        0x9e37_79b9_7f4a_7c15,
        0xbf58_476d_1ce4_e5b9,
        0x94d0_49bb_1331_11eb,
        0xd6e8_feb8_6659_fd93,
        0xa076_1d64_78bd_642f,
        0xe703_7ed1_a0b4_28db,
        0x8ebc_6af0_9c88_c6e3,
    ];
    let mut out = [0u64; 7];
    let mut carry = 0u128;
    for i in 0..7 {
        let wide = u128::from(a[i]) * u128::from(K[i]) + u128::from(a[(i + 1) % 7]) + carry;
        out[i] = wide as u64;
        carry = wide >> 64;
    }
    // The last carry folds back into the lowest limb, as a reduction would.
    out[0] ^= carry as u64;
    out
}

/// [`ROUNDS`] rounds of [`mix`] over one item.
#[wasm_pmap::kernel]
pub fn limb_rounds(x: Limbs) -> Limbs {
    let mut a = x.0;
    for _ in 0..ROUNDS {
        a = mix(&a);
    }
    Limbs(a)
}

/// `n` items of full-range limbs (splitmix64 from the index: the same on every path).
pub fn items(n: u32) -> Vec<Limbs> {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| Limbs(std::array::from_fn(|_| next())))
        .collect()
}

/// An order-sensitive digest of every limb (FNV-1a over the words), as hex: what the bench
/// compares between paths (a string, so JavaScript needs no BigInt for it).
pub fn digest(v: &[Limbs]) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for w in v.iter().flat_map(|l| l.0) {
        h = (h ^ w).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:016x}:{}", h, v.len())
}

/// Single-threaded wasm: the kernel in a loop on the calling thread, no pool.
#[wasm_bindgen(js_name = limbsSingle)]
pub fn limbs_single(n: u32) -> String {
    let out: Vec<Limbs> = items(n).into_iter().map(limb_rounds).collect();
    digest(&out)
}

/// Starts the async pool (`init_pool_async`, 2 workers).
#[wasm_bindgen(js_name = limbsInitAsync)]
pub async fn limbs_init_async() -> Result<(), JsValue> {
    Ok(init_pool_async(Some(WORKERS)).await?)
}

/// Async: `try_collect_vec().await` from this thread over the pool.
#[wasm_bindgen(js_name = limbsAsync)]
pub async fn limbs_async(n: u32) -> Result<String, JsValue> {
    let out: Vec<Limbs> = items(n)
        .into_par_iter()
        .map(par_fn!(limb_rounds))
        .try_collect_vec()
        .await?;
    Ok(digest(&out))
}

/// Starts sync mode as the quickstart does: `register_coordinator(None)`, `init_pool_sync`.
#[wasm_bindgen(js_name = limbsInitSync)]
pub async fn limbs_init_sync() -> Result<(), JsValue> {
    register_coordinator(None).await?;
    Ok(init_pool_sync(Some(WORKERS)).await?)
}

/// Job, in the pool's SyncExecutor: builds its own items (a worker owns its data) and blocks
/// on `collect_vec_sync()` while the compute workers run the rounds.
#[wasm_pmap::kernel(job)]
pub fn limbs_job(n: u32) -> String {
    let out: Vec<Limbs> = items(n)
        .into_par_iter()
        .map(par_fn!(limb_rounds))
        .collect_vec_sync();
    digest(&out)
}

/// Sync via the page executor: `execute_async(sync_fn!(limbs_job))` from this thread.
#[wasm_bindgen(js_name = limbsJob)]
pub async fn limbs_job_from_page(n: u32) -> Result<String, JsValue> {
    Ok(execute_async(sync_fn!(limbs_job), &n).await?)
}

/// In a worker the app owns: makes it the executor (`init_pool_sync_from_worker`, 2 workers;
/// Atomics on a cross-origin-isolated page, else a sync XHR to the coordinator).
#[wasm_bindgen(js_name = limbsInitWorker)]
pub async fn limbs_init_worker() -> Result<(), JsValue> {
    Ok(init_pool_sync_from_worker(Some(WORKERS)).await?)
}

/// In that worker: blocks on `collect_vec_sync()` itself, no job, no page.
#[wasm_bindgen(js_name = limbsWorker)]
pub fn limbs_worker(n: u32) -> Result<String, JsValue> {
    let out: Vec<Limbs> = items(n)
        .into_par_iter()
        .map(par_fn!(limb_rounds))
        .try_collect_vec_sync()?;
    Ok(digest(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-range limbs in, and the rounds change every limb (the workload does real work).
    #[test]
    fn items_are_full_range_and_every_limb_moves() {
        let xs = items(64);
        assert!(xs.iter().flat_map(|l| l.0).any(|w| w >> 63 == 1));
        let y = limb_rounds(xs[0]);
        assert!(y.0.iter().zip(xs[0].0).all(|(a, b)| *a != b));
        assert_ne!(
            digest(&xs),
            digest(&xs.iter().copied().map(limb_rounds).collect::<Vec<_>>())
        );
    }
}
