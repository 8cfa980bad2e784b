//! wasm-par-mq's API (`wasm_pmap::par_mq`), end to end on the host with `LocalHost` standing
//! in for the pool. Everything above the tests is written as a wasm-par-mq program would be,
//! against its documented API: only the `use` lines name wasm-pmap (its public paths, as
//! a user's crate writes them), and one test looks the registration up in the registry.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_par_mq::{
    execute_async, num_workers, par_fn, register_fn, sync_fn, IntoParallelIterator,
    ParallelIterator, ParallelSlice,
};
use wasm_pmap::par::host::{block_on, set_host, LocalHost};
use wasm_pmap::par_mq as wasm_par_mq;

fn double(x: u32) -> u32 {
    x * 2
}
register_fn!(double, u32, u32);

/// A field element of seven full-range limbs, as an elliptic-curve library holds one.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
struct Fe([u64; 7]);

/// `pub(crate)`, as at the root of a program's crate: `register_fn!` gives `mix` a
/// `pub(crate)` handle (it cannot see the fn's own visibility), which may not name a type
/// less visible than itself.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    x: Fe,
    y: Fe,
}

/// Fills every limb with high bits: a stand-in for a field operation.
fn mix(p: Point) -> Point {
    let f = |fe: Fe, k: u64| {
        let mut out = fe.0;
        for (i, l) in out.iter_mut().enumerate() {
            *l = l
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(i as u32 + 1)
                ^ k;
        }
        Fe(out)
    };
    Point {
        x: f(p.x, u64::MAX),
        y: f(p.y, 1 << 63),
    }
}
register_fn!(mix, Point, Point);

/// A job: runs in the SyncExecutor and blocks on the compute workers.
fn double_all_impl(data: Vec<i32>) -> Vec<i32> {
    data.par_iter().map(par_fn!(double_i32)).collect_vec_sync()
}
register_fn!(double_all_impl, Vec<i32>, Vec<i32>);

fn double_i32(x: i32) -> i32 {
    x * 2
}
register_fn!(double_i32, i32, i32);

/// A job whose output is a struct of full-range limbs, back to Rust through `execute_async`.
fn mix_all(points: Vec<Point>) -> Vec<Point> {
    points.into_par_iter().map(par_fn!(mix)).collect_vec_sync()
}
register_fn!(mix_all, Vec<Point>, Vec<Point>);

fn fails_on_7(x: u32) -> Result<u32, String> {
    if x == 7 {
        Err("seven is refused".into())
    } else {
        Ok(x)
    }
}
register_fn!(fails_on_7, u32, Result<u32, String>);

fn points(n: u64) -> Vec<Point> {
    (0..n)
        .map(|i| Point {
            x: Fe([u64::MAX - i, i << 60, 3, u64::MAX, 0, i, 1 << 63]),
            y: Fe([
                i,
                u64::MAX / 3,
                9_007_199_254_740_993,
                0,
                u64::MAX - 1,
                i * i,
                5,
            ]),
        })
        .collect()
}

fn local() {
    set_host(Some(Rc::new(LocalHost)));
}

#[test]
fn register_fn_registers_the_existing_fn_under_its_camel_case_name() {
    let k = crate::registry::find("doubleAllImpl").expect("registered");
    assert_eq!(k.info.input_rust, "Vec<i32>");
    assert_eq!(k.info.output_ts, "Int32Array");
    assert!(matches!(k.kind, crate::registry::Kind::Map));
    assert_eq!(par_fn!(double).name(), "double");
    // wasm-par-mq registers jobs and map functions alike: both handles name the fn.
    assert_eq!(sync_fn!(double_all_impl).name(), "doubleAllImpl");
    assert_eq!(par_fn!(double_all_impl).name(), "doubleAllImpl");
}

#[test]
fn collect_vec_await_and_collect_vec_sync_equal_the_sequential_run() {
    local();
    let data: Vec<u32> = (0..1000).collect();
    let expected: Vec<u32> = data.iter().map(|&x| double(x)).collect();
    assert_eq!(
        block_on(data.par_iter().map(par_fn!(double)).collect_vec()),
        expected
    );
    assert_eq!(
        data.clone()
            .into_par_iter()
            .map(par_fn!(double))
            .collect_vec_sync(),
        expected
    );
    assert_eq!(num_workers(), 2);
}

#[test]
fn structs_of_full_range_u64_limbs_stay_exact_rust_to_rust() {
    local();
    let pts = points(64);
    let expected: Vec<Point> = pts.iter().copied().map(mix).collect();
    assert_eq!(
        block_on(pts.par_iter().map(par_fn!(mix)).collect_vec()),
        expected
    );
    // execute_async: the job's output (a Vec of limb structs) goes Rust → Rust.
    assert_eq!(
        block_on(execute_async(sync_fn!(mix_all), &pts)),
        Ok(expected)
    );
    let doubled = block_on(execute_async(sync_fn!(double_all_impl), &vec![1, -2, 3]));
    assert_eq!(doubled, Ok(vec![2, -4, 6]));
}

#[test]
fn errors_are_text_in_results_and_name_the_kernel() {
    local();
    let err = block_on(
        (0..10u32)
            .into_par_iter()
            .map(par_fn!(fails_on_7))
            .try_collect_vec(),
    )
    .unwrap_err();
    assert_eq!(err.kernel.as_deref(), Some("failsOn7"));
    assert!(err.message.contains("seven is refused"), "{err}");
    // wasm-par-mq's `execute_async` returns `Result<_, String>`: the error's class, kernel, message.
    let text = block_on(execute_async(sync_fn!(fails_on_7), &7)).unwrap_err();
    assert!(
        text.starts_with("KernelError in kernel \"failsOn7\": ")
            && text.contains("seven is refused"),
        "{text}"
    );
}

#[test]
#[should_panic(expected = "collect_vec().await failed: KernelError in kernel \"failsOn7\"")]
fn collect_vec_await_panics_with_the_error_when_a_kernel_fails() {
    local();
    block_on(
        (0..10u32)
            .into_par_iter()
            .map(par_fn!(fails_on_7))
            .collect_vec(),
    );
}
