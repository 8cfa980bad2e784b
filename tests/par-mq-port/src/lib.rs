//! A wasm-par-mq program, ported. Everything below the `use` lines is written against
//! wasm-par-mq's documented API (its README: `register_fn!`, `par_fn!`, `sync_fn!`,
//! `par_iter()`, `into_par_iter()`, `collect_vec().await`, `collect_vec_sync()`,
//! `execute_async`, `num_workers()`, `init_pool_async`, `register_coordinator`,
//! `init_pool_sync`, `init_pool_sync_from_worker`) and was not changed by the port. The
//! workload is shaped like its multi-scalar-multiplication example: field elements of seven
//! full-range `u64` limbs, points as structs of them, jobs that return a point to Rust.
//!
//! The port's diff: `Cargo.toml` (the dependency) and the first `use` line below, which was
//! `use wasm_par_mq::{…}` against the wasm-par-mq crate.

use wasm_pmap::par_mq as wasm_par_mq;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_par_mq::{
    execute_async, num_workers, par_fn, register_fn, sync_fn, IntoParallelIterator,
    ParallelIterator, ParallelSlice,
};

// ---- the README's first example ----

fn double(x: u32) -> u32 {
    x * 2
}
register_fn!(double, u32, u32);

#[wasm_bindgen]
pub async fn init_parallel(
    num_workers: u32,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), JsValue> {
    wasm_par_mq::init_pool_async(Some(num_workers), wasm_url, bindgen_url)
        .await
        .map_err(|e| JsValue::from_str(&e))
}

/// `data` doubled in the workers (`collect_vec().await`).
#[wasm_bindgen]
pub async fn double_all(data: Vec<u32>) -> Vec<u32> {
    data.par_iter().map(par_fn!(double)).collect_vec().await
}

/// How many compute workers the pool has.
#[wasm_bindgen]
pub fn workers() -> u32 {
    num_workers()
}

// ---- the README's sync executor example ----

fn double_i32(x: i32) -> i32 {
    x * 2
}
register_fn!(double_i32, i32, i32);

// This function runs inside the SyncExecutor — it can block.
fn double_all_impl(data: Vec<i32>) -> Vec<i32> {
    data.par_iter().map(par_fn!(double_i32)).collect_vec_sync()
}
register_fn!(double_all_impl, Vec<i32>, Vec<i32>);

#[wasm_bindgen]
pub async fn double_all_sync(data: Vec<i32>) -> Result<Vec<i32>, JsValue> {
    execute_async(sync_fn!(double_all_impl), &data)
        .await
        .map_err(|e| JsValue::from_str(&e))
}

#[wasm_bindgen]
pub async fn init_parallel_sync(
    num_workers: u32,
    wasm_url: &str,
    bindgen_url: &str,
    coordinator_url: &str,
) -> Result<(), JsValue> {
    wasm_par_mq::register_coordinator(coordinator_url)
        .await
        .map_err(|e| JsValue::from_str(&e))?;
    wasm_par_mq::init_pool_sync(Some(num_workers), wasm_url, bindgen_url)
        .await
        .map_err(|e| JsValue::from_str(&e))
}

/// In a worker the app owns: that worker becomes the SyncExecutor.
#[wasm_bindgen]
pub async fn init_parallel_in_worker(
    num_workers: u32,
    wasm_url: &str,
    bindgen_url: &str,
) -> Result<(), JsValue> {
    wasm_par_mq::init_pool_sync_from_worker(Some(num_workers), wasm_url, bindgen_url)
        .await
        .map_err(|e| JsValue::from_str(&e))
}

// ---- an msm-shaped workload: structs of full-range u64 limbs ----

/// A field element: seven little-endian limbs (448 bits), every bit in use.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fe(pub [u64; 7]);

/// A point: two field elements.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub x: Fe,
    pub y: Fe,
}

/// One term of the sum: a base point and its scalar.
#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
pub struct Term {
    pub base: Point,
    pub scalar: u64,
}

impl Fe {
    /// `a + b` mod 2^448, with carries: associative and commutative.
    fn add(self, b: Fe) -> Fe {
        let mut out = [0u64; 7];
        let mut carry = false;
        for (i, o) in out.iter_mut().enumerate() {
            let (s1, c1) = self.0[i].overflowing_add(b.0[i]);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *o = s2;
            carry = c1 || c2;
        }
        Fe(out)
    }

    /// A non-linear step that spreads bits over every limb: a stand-in for a field product.
    fn mix(self, k: u64) -> Fe {
        let mut out = self.0;
        for i in 0..7 {
            let wide = u128::from(out[i]) * u128::from(k | 1) + u128::from(out[(i + 6) % 7]);
            out[i] = (wide as u64) ^ ((wide >> 64) as u64).rotate_left(i as u32 * 9 + 1);
        }
        Fe(out)
    }
}

impl Point {
    fn add(self, o: Point) -> Point {
        Point {
            x: self.x.add(o.x),
            y: self.y.add(o.y),
        }
    }
}

/// `scalar · base`, double-and-add shaped: 64 rounds of mixing per term.
fn scalar_mul(t: Term) -> Point {
    let mut acc = Point {
        x: Fe([0; 7]),
        y: Fe([0; 7]),
    };
    let mut p = t.base;
    for bit in 0..64 {
        if t.scalar >> bit & 1 == 1 {
            acc = acc.add(p);
        }
        p = Point {
            x: p.x.mix(t.scalar.rotate_left(bit)),
            y: p.y.mix(!t.scalar),
        };
    }
    acc
}
register_fn!(scalar_mul, Term, Point);

/// `n` terms, every limb full-range (most above 2^53), the same on every run.
fn terms(n: u32) -> Vec<Term> {
    let mut s = 0x243F_6A88_85A3_08D3u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    (0..n)
        .map(|_| Term {
            base: Point {
                x: Fe(std::array::from_fn(|_| next())),
                y: Fe(std::array::from_fn(|_| next())),
            },
            scalar: next(),
        })
        .collect()
}

fn sum(points: Vec<Point>) -> Point {
    points.into_iter().fold(
        Point {
            x: Fe([0; 7]),
            y: Fe([0; 7]),
        },
        Point::add,
    )
}

/// The job: runs in the SyncExecutor (or the app's worker), blocking on the workers, and
/// returns a point — a struct of full-range `u64`s — to Rust.
fn msm_impl(n: u32) -> Point {
    sum(terms(n)
        .into_par_iter()
        .map(par_fn!(scalar_mul))
        .collect_vec_sync())
}
register_fn!(msm_impl, u32, Point);

/// A point as hex limbs (what the test page compares; a JS number cannot hold a limb).
fn hex(p: Point) -> String {
    let fe = |f: Fe| {
        f.0.iter()
            .map(|l| format!("{l:016x}"))
            .collect::<Vec<_>>()
            .join("")
    };
    format!("{}:{}", fe(p.x), fe(p.y))
}

/// On this thread alone: the reference result.
#[wasm_bindgen]
pub fn msm_sequential(n: u32) -> String {
    hex(sum(terms(n).into_iter().map(scalar_mul).collect()))
}

/// Async mode: `collect_vec().await` of the terms' products.
#[wasm_bindgen]
pub async fn msm_async(n: u32) -> String {
    hex(sum(terms(n)
        .par_iter()
        .map(par_fn!(scalar_mul))
        .collect_vec()
        .await))
}

/// Sync mode: the job in the SyncExecutor, its point back through `execute_async`.
#[wasm_bindgen]
pub async fn msm_sync(n: u32) -> Result<String, JsValue> {
    execute_async(sync_fn!(msm_impl), &n)
        .await
        .map(hex)
        .map_err(|e| JsValue::from_str(&e))
}

/// In the app's own worker after `init_parallel_in_worker`: the job's body, run directly.
#[wasm_bindgen]
pub fn msm_in_worker(n: u32) -> String {
    hex(msm_impl(n))
}
