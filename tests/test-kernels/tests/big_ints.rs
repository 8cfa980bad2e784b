//! Full-range 64- and 128-bit integers between Rust and Rust, on the host: a value a kernel
//! returns to a Rust reader (a parallel iterator's chunks, a reduce's partials, a job's
//! output to `execute_async`) is never checked against JavaScript's 2^53 and keeps every bit,
//! inside structs, arrays, enums, maps and nested vectors. `LocalHost` runs the same pipe and
//! job payloads a pool would, on this thread; the points are random (proptest).

use std::rc::Rc;

use proptest::prelude::*;
use wasm_pmap::par::host::{block_on, set_host, LocalHost};
use wasm_pmap::prelude::*;
use wasm_pmap_test_kernels::big_ints::*;

fn fe() -> impl Strategy<Value = Fe> {
    let limb = prop_oneof![
        4 => any::<u64>(),
        1 => Just(u64::MAX),
        1 => Just((1 << 53) + 1),
        1 => Just(0),
    ];
    proptest::array::uniform7(limb).prop_map(Fe)
}

fn point() -> impl Strategy<Value = CurvePoint> {
    (fe(), fe(), fe()).prop_map(|(x, y, z)| CurvePoint { x, y, z })
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Infinity),
        any::<i64>().prop_map(Shape::Scalar),
        (fe(), fe()).prop_map(|(x, y)| Shape::Affine(x, y)),
        (any::<u128>(), any::<i128>()).prop_map(|(hi, lo)| Shape::Wide { hi, lo }),
    ]
}

fn local() {
    set_host(Some(Rc::new(LocalHost)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_jobs_point_reaches_execute_async_exactly(points in proptest::collection::vec(point(), 0..12)) {
        local();
        let want = points.iter().map(|&p| mix_point(p)).fold(ZERO, add_points);
        prop_assert_eq!(block_on(execute_async(sync_fn!(msm_job), &points)), Ok(want));
    }

    #[test]
    fn enums_of_wide_integers_cross_a_job_and_its_pipe(shapes in proptest::collection::vec(shape(), 0..12)) {
        local();
        let want: Vec<Shape> = shapes.iter().cloned().map(reshape).collect();
        prop_assert_eq!(block_on(execute_async(sync_fn!(reshape_job), &shapes)), Ok(want));
    }

    #[test]
    fn every_terminal_gives_the_sequential_result(points in proptest::collection::vec(point(), 0..20), by in fe()) {
        local();
        let mixed: Vec<CurvePoint> = points.iter().map(|&p| mix_point(p)).collect();
        let it = || points.par_iter().map(par_fn!(mix_point));
        prop_assert_eq!(it().collect_vec_sync(), mixed.clone());
        prop_assert_eq!(block_on(it().try_collect_vec()), Ok(mixed.clone()));
        let sum = mixed.iter().copied().reduce(add_points);
        prop_assert_eq!(it().reduce_sync(par_fn!(add_points)), sum);
        prop_assert_eq!(block_on(it().try_reduce(par_fn!(add_points))), Ok(sum));
        let shifted: Vec<CurvePoint> = points.iter().map(|&p| shift_x(&by, p)).collect();
        prop_assert_eq!(points.par_iter().map_with(by, par_fn!(shift_x)).collect_vec_sync(), shifted);
        let top: Vec<CurvePoint> = points.iter().copied().filter(|&p| top_bit_set(p)).collect();
        prop_assert_eq!(points.par_iter().filter(par_fn!(top_bit_set)).collect_vec_sync(), top);
        let lows: Vec<u64> = points.iter().map(|&p| low_limb(p)).collect();
        prop_assert_eq!(points.par_iter().map(par_fn!(low_limb)).collect_vec_sync(), lows);
        let high_sum: u64 = points.iter().map(|&p| high_bits(p)).sum();
        prop_assert_eq!(points.par_iter().map(par_fn!(high_bits)).sum_sync(), high_sum);
        let tallies: Vec<_> = points.chunks(3).map(|c| tally(c.to_vec())).collect();
        prop_assert_eq!(points.par_chunks(3).map(par_fn!(tally)).collect_vec_sync(), tallies);
    }
}

#[test]
fn the_seeded_checks_the_browser_runs_pass_here() {
    local();
    assert_eq!(wide_terminals_sync(7, 40), Vec::<String>::new());
    assert_eq!(
        block_on(wide_terminals_async(7, 40)),
        Ok(Vec::<String>::new())
    );
}
