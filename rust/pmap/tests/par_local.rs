//! Parallel iterators end to end on the host: real chunking, the real pipe payloads and
//! the workers' pipe runner, with `LocalHost` standing in for the pool (it runs each chunk
//! on this thread through the same `pipe::run` a worker calls).

mod common;
use common::OddFails;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_pmap::par::host::{block_on, set_host, LocalHost};
use wasm_pmap::prelude::*;
use wasm_pmap::ErrorKind;

mod kernels {
    #[wasm_pmap::kernel]
    pub fn triple(x: u32) -> u32 {
        x * 3
    }

    #[wasm_pmap::kernel]
    pub fn is_odd(x: u32) -> bool {
        x % 2 == 1
    }
}

#[wasm_pmap::kernel(reduce)]
fn add_u64(a: u64, b: u64) -> u64 {
    a + b
}

#[wasm_pmap::kernel(context)]
fn offset(by: &i64, x: u32) -> i64 {
    x as i64 + by
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Pt {
    x: f64,
    y: f64,
}

#[wasm_pmap::kernel]
fn norm1(p: Pt) -> f64 {
    p.x.abs() + p.y.abs()
}

#[wasm_pmap::kernel]
fn squares_upto(n: u32) -> Vec<f64> {
    (0..n).map(|i| (i * i) as f64).collect()
}

#[wasm_pmap::kernel]
fn fail_on_5(x: u32) -> Result<u32, String> {
    if x == 5 {
        Err("five".into())
    } else {
        Ok(x)
    }
}

#[wasm_pmap::kernel(job)]
fn sum_of_triples(n: u32) -> u64 {
    (0..n)
        .into_par_iter()
        .map(par_fn!(kernels::triple))
        .collect_vec_sync()
        .into_iter()
        .map(u64::from)
        .sum()
}

fn local() {
    set_host(Some(Rc::new(LocalHost)));
}

#[test]
fn map_filter_enumerate_keep_order() {
    local();
    let out = (0..1000u32)
        .into_par_iter()
        .map(par_fn!(kernels::triple))
        .collect_vec_sync();
    assert_eq!(out, (0..1000).map(|x| x * 3).collect::<Vec<_>>());

    let odd = (0..1000u32)
        .into_par_iter()
        .filter(par_fn!(kernels::is_odd))
        .collect_vec_sync();
    assert_eq!(odd, (0..1000).filter(|x| x % 2 == 1).collect::<Vec<_>>());

    // enumerate after a map keeps source positions, across chunk boundaries
    let pairs = block_on(
        (0..100u32)
            .into_par_iter()
            .map(par_fn!(kernels::triple))
            .enumerate()
            .try_collect_vec(),
    )
    .unwrap();
    assert_eq!(
        pairs,
        (0..100).map(|i| (i as usize, i * 3)).collect::<Vec<_>>()
    );
}

#[test]
fn reduce_sum_and_map_with() {
    local();
    let v: Vec<u64> = (1..=500).collect();
    assert_eq!(v.par_iter().reduce_sync(par_fn!(add_u64)), Some(125_250));
    assert_eq!(
        Vec::<u64>::new()
            .into_par_iter()
            .reduce_sync(par_fn!(add_u64)),
        None
    );
    assert_eq!(
        (0..10u32)
            .into_par_iter()
            .filter(par_fn!(kernels::is_odd))
            .sum_sync(),
        25
    );
    assert_eq!(Vec::<f64>::new().into_par_iter().sum_sync(), 0.0);
    let shifted = (0..5u32)
        .into_par_iter()
        .map_with(-10i64, par_fn!(offset))
        .collect_vec_sync();
    assert_eq!(shifted, vec![-10, -9, -8, -7, -6]);
}

#[test]
fn structs_typed_vectors_and_chunks() {
    local();
    let pts = [Pt { x: 1.0, y: -2.0 }, Pt { x: -0.5, y: 0.25 }];
    assert_eq!(
        pts.par_iter().map(par_fn!(norm1)).collect_vec_sync(),
        vec![3.0, 0.75]
    );
    // Vec<f64> outputs travel as tagged byte strings and come back as Vec<f64>
    let sq = (0..4u32)
        .into_par_iter()
        .map(par_fn!(squares_upto))
        .collect_vec_sync();
    assert_eq!(sq[3], vec![0.0, 1.0, 4.0]);
    let chunks = [1u32, 2, 3, 4, 5].par_chunks(2).collect_vec_sync();
    assert_eq!(chunks, vec![vec![1, 2], vec![3, 4], vec![5]]);
}

#[test]
fn errors_are_typed_and_name_the_kernel() {
    local();
    let e = (0..10u32)
        .into_par_iter()
        .map(par_fn!(fail_on_5))
        .try_collect_vec_sync()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Kernel);
    assert_eq!(e.kernel.as_deref(), Some("failOn5"));
    assert!(e.to_string().contains("five"), "{e}");
}

#[test]
fn jobs_run_through_the_host() {
    local();
    let total = block_on(execute_async(sync_fn!(sum_of_triples), &100)).unwrap();
    assert_eq!(total, 3 * 4950);
}

#[test]
fn no_pool_is_a_clear_error_not_a_panic() {
    set_host(None);
    let e = (0..3u32)
        .into_par_iter()
        .map(par_fn!(kernels::triple))
        .try_collect_vec_sync()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::SyncMode);
    assert!(e.message.contains("SyncExecutor"), "{e}");
    // A Rust app's own worker is the other place it runs: the message says how to get there.
    assert!(
        e.message.contains("after `init_pool_sync_from_worker`"),
        "{e}"
    );
    let e = block_on((0..3u32).into_par_iter().try_collect_vec()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoPool);
    assert!(e.message.contains("exposeToRust"), "{e}");
    assert!(
        e.message.contains("`wasm_pmap::init_pool_async(None)`"),
        "{e}"
    );
}

#[wasm_pmap::kernel]
fn unwrap_odd(x: OddFails) -> u32 {
    x.0
}

#[wasm_pmap::kernel(context)]
fn add_odd(by: &OddFails, x: u32) -> u32 {
    x + by.0
}

#[wasm_pmap::kernel(job)]
fn odd_job(x: OddFails) -> u32 {
    x.0
}

#[test]
fn items_contexts_and_job_inputs_that_do_not_encode_are_encode_errors() {
    local();
    let ok = vec![OddFails(2), OddFails(4)]
        .into_par_iter()
        .map(par_fn!(unwrap_odd))
        .collect_vec_sync();
    assert_eq!(ok, vec![2, 4]);
    let e = vec![OddFails(2), OddFails(3)]
        .into_par_iter()
        .map(par_fn!(unwrap_odd))
        .try_collect_vec_sync()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Encode);
    assert!(
        e.message.contains("item 1") && e.message.contains("3 is odd"),
        "{e}"
    );
    let e = (0..3u32)
        .into_par_iter()
        .map_with(OddFails(1), par_fn!(add_odd))
        .try_collect_vec_sync()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Encode);
    assert!(e.message.contains("context"), "{e}");
    let e = block_on(execute_async(sync_fn!(odd_job), &OddFails(5))).unwrap_err();
    assert_eq!(
        (e.kind, e.kernel.as_deref()),
        (ErrorKind::Encode, Some("oddJob"))
    );
}

/// Pipe bodies go back to the Rust caller, not to JS numbers: integers beyond 2^53 - 1
/// (which a kernel called from TypeScript may not return) keep every bit here.
#[test]
fn integers_beyond_max_safe_integer_stay_exact_in_parallel_iterators() {
    local();
    let big: Vec<u64> = vec![1 << 60, 1, (1 << 53) + 1];
    assert_eq!(
        big.par_iter().reduce_sync(par_fn!(add_u64)),
        Some((1 << 60) + (1 << 53) + 2)
    );
    let shifted = vec![1u32, 2]
        .into_par_iter()
        .map_with(1i64 << 60, par_fn!(offset))
        .collect_vec_sync();
    assert_eq!(shifted, vec![(1 << 60) + 1, (1 << 60) + 2]);
}

#[test]
fn async_terminals_give_what_the_blocking_ones_give() {
    local();
    let v: Vec<u64> = (1..=100).collect();
    assert_eq!(
        block_on(v.par_iter().try_reduce(par_fn!(add_u64))),
        Ok(Some(5050))
    );
    assert_eq!(
        block_on(
            Vec::<u64>::new()
                .into_par_iter()
                .try_reduce(par_fn!(add_u64))
        ),
        Ok(None)
    );
    assert_eq!(block_on(v.par_iter().try_sum()), Ok(5050));
    assert_eq!(
        block_on(
            (0..5u32)
                .into_par_iter()
                .map(par_fn!(kernels::triple))
                .try_collect_vec()
        ),
        Ok(vec![0, 3, 6, 9, 12])
    );
    let e = block_on(
        (0..10u32)
            .into_par_iter()
            .map(par_fn!(fail_on_5))
            .try_collect_vec(),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.kernel.as_deref()),
        (ErrorKind::Kernel, Some("failOn5"))
    );
}

/// A slice kernel, for `par_chunks(n).map(..)`: each chunk one call.
#[wasm_pmap::kernel(slice)]
fn halves(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| x / 2.0).collect()
}

/// A fallible slice kernel: `Err` on a chunk holding a negative number.
#[wasm_pmap::kernel(slice)]
fn roots(xs: &[f64]) -> Result<Vec<f64>, String> {
    xs.iter()
        .map(|&x| {
            if x < 0.0 {
                Err(format!("negative: {x}"))
            } else {
                Ok(x.sqrt())
            }
        })
        .collect()
}

#[test]
fn slice_kernels_map_par_chunks_one_call_per_chunk() {
    local();
    let v: Vec<f64> = (0..103).map(f64::from).collect();
    let parts = v.par_chunks(10).map(par_fn!(halves)).collect_vec_sync();
    assert_eq!(parts.len(), 11); // ten of 10, the last of 3: chunks as par_chunks cut them
    assert_eq!(parts[10], vec![50.0, 50.5, 51.0]);
    assert_eq!(
        parts.concat(),
        v.iter().map(|x| x / 2.0).collect::<Vec<_>>()
    );
    // The async terminal gives the same; adaptors go on from the slices' outputs.
    let again = block_on(v.par_chunks(10).map(par_fn!(halves)).try_collect_vec()).unwrap();
    assert_eq!(again, parts);
    let squares: Vec<f64> = (0..10).map(|i| f64::from(i * i)).collect();
    let r = squares
        .par_chunks(4)
        .map(par_fn!(roots))
        .enumerate()
        .collect_vec_sync();
    assert_eq!(r[2], (2, vec![8.0, 9.0]));
    // A chunk's Err is the kernel's error, named.
    let bad = [1.0, -4.0, 9.0];
    let e = bad
        .par_chunks(2)
        .map(par_fn!(roots))
        .try_collect_vec_sync()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Kernel);
    assert_eq!(e.kernel.as_deref(), Some("roots"));
    assert!(e.message.contains("negative: -4"), "{}", e.message);
}
