//! Full-range 64- and 128-bit integers on every path, shaped like a real workload: a
//! multi-scalar multiplication over a 446-bit curve, whose field elements are seven
//! full-range `u64` limbs and whose points are structs of them. The arithmetic is a stand-in
//! (associative limb-wise addition, a mixing step that fills every limb); what is tested is
//! that every bit arrives. Used by the browser tests (`tests/browser/big-ints.test.ts`) and
//! on the host (`tests/big_ints.rs`, through `LocalHost`).
//!
//! The kernels are `large_number_types_as_bigints`: their 64/128-bit integers reach
//! TypeScript as `bigint`. tsify (its default `json` feature) declares a `u64` field as
//! `number`, so the structs say `bigint` field by field with `#[tsify(type = ..)]`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_pmap::prelude::*;

/// A field element: seven full-range little-endian limbs (448 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[tsify(type = "[bigint, bigint, bigint, bigint, bigint, bigint, bigint]")]
pub struct Fe(pub [u64; 7]);

/// A projective point, as an MSM's partial sums are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub struct CurvePoint {
    /// X coordinate.
    pub x: Fe,
    /// Y coordinate.
    pub y: Fe,
    /// Z coordinate.
    pub z: Fe,
}

/// Every shape serde gives an enum variant, each holding wide integers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum Shape {
    /// A unit variant.
    Infinity,
    /// A newtype variant.
    Scalar(#[tsify(type = "bigint")] i64),
    /// A tuple variant.
    Affine(Fe, Fe),
    /// A struct variant of 128-bit integers.
    Wide {
        /// Unsigned half.
        #[tsify(type = "bigint")]
        hi: u128,
        /// Signed half.
        #[tsify(type = "bigint")]
        lo: i128,
    },
}

/// The point every sum starts from.
pub const ZERO: CurvePoint = CurvePoint {
    x: Fe([0; 7]),
    y: Fe([0; 7]),
    z: Fe([0; 7]),
};

/// `a + b` mod 2^448, limb by limb with carries: associative and commutative.
pub fn fe_add(a: Fe, b: Fe) -> Fe {
    let mut out = [0u64; 7];
    let mut carry = false;
    for (i, o) in out.iter_mut().enumerate() {
        let (s, c1) = a.0[i].overflowing_add(b.0[i]);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        *o = s;
        carry = c1 || c2;
    }
    Fe(out)
}

/// A non-linear step that spreads bits over every limb (a stand-in for a field product).
pub fn fe_mix(a: Fe) -> Fe {
    let mut out = [0u64; 7];
    let mut carry = 0u128;
    for (i, o) in out.iter_mut().enumerate() {
        let wide =
            u128::from(a.0[i]) * 0x9e37_79b9_7f4a_7c15 + u128::from(a.0[(i + 1) % 7]) + carry;
        *o = wide as u64;
        carry = wide >> 64;
    }
    Fe(out)
}

/// Mixes every coordinate.
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn mix_point(p: CurvePoint) -> CurvePoint {
    CurvePoint {
        x: fe_mix(p.x),
        y: fe_mix(p.y),
        z: fe_mix(p.z),
    }
}

/// Adds two points coordinate-wise (associative).
#[wasm_pmap::kernel(reduce, large_number_types_as_bigints)]
pub fn add_points(a: CurvePoint, b: CurvePoint) -> CurvePoint {
    CurvePoint {
        x: fe_add(a.x, b.x),
        y: fe_add(a.y, b.y),
        z: fe_add(a.z, b.z),
    }
}

/// Maps each enum shape to another, all wide.
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn reshape(s: Shape) -> Shape {
    match s {
        Shape::Infinity => Shape::Scalar(i64::MIN),
        Shape::Scalar(k) => Shape::Wide {
            hi: u128::MAX - u128::from(k.unsigned_abs()),
            lo: i128::from(k) * i128::from(i64::MAX),
        },
        Shape::Affine(x, y) => Shape::Affine(fe_mix(y), x),
        Shape::Wide { hi, lo } => Shape::Wide {
            hi: hi.rotate_left(17),
            lo: lo.wrapping_neg(),
        },
    }
}

/// A map of nested vectors of wide integers: the x coordinates, and the mixed z ones.
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn tally(points: Vec<CurvePoint>) -> BTreeMap<String, Vec<Fe>> {
    let mut m = BTreeMap::new();
    m.insert("x".to_owned(), points.iter().map(|p| p.x).collect());
    m.insert("z".to_owned(), points.iter().map(|p| fe_mix(p.z)).collect());
    m
}

/// Adds the call's broadcast field element to x (`map_with`).
#[wasm_pmap::kernel(context, large_number_types_as_bigints)]
pub fn shift_x(by: &Fe, p: CurvePoint) -> CurvePoint {
    CurvePoint {
        x: fe_add(p.x, *by),
        ..p
    }
}

/// The lowest limb of x: a bare full-range `u64`.
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn low_limb(p: CurvePoint) -> u64 {
    p.x.0[0]
}

/// The top 56 bits of x's top limb: a `u64` beyond 2^53 that a few hundred of still sum
/// within `u64`.
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn high_bits(p: CurvePoint) -> u64 {
    p.x.0[6] >> 8
}

/// Whether x's top bit is set (a filter).
#[wasm_pmap::kernel(large_number_types_as_bigints)]
pub fn top_bit_set(p: CurvePoint) -> bool {
    p.x.0[6] >> 63 == 1
}

/// Job: the MSM shape — mix every point on the compute workers, sum them there, return the
/// point to whoever awaits it (`pool.execute` or Rust's `execute_async`).
#[wasm_pmap::kernel(job, large_number_types_as_bigints)]
pub fn msm_job(points: Vec<CurvePoint>) -> CurvePoint {
    points
        .into_par_iter()
        .map(par_fn!(mix_point))
        .reduce_sync(par_fn!(add_points))
        .unwrap_or(ZERO)
}

/// Job: `reshape` over the shapes, on the compute workers.
#[wasm_pmap::kernel(job, large_number_types_as_bigints)]
pub fn reshape_job(shapes: Vec<Shape>) -> Vec<Shape> {
    shapes
        .into_par_iter()
        .map(par_fn!(reshape))
        .collect_vec_sync()
}

/// Job: every blocking terminal over `n` seeded random points, each checked against the
/// sequential computation here; the names of those that differ (none: `[]`).
#[wasm_pmap::kernel(job)]
pub fn wide_terminals_sync(seed: u32, n: u32) -> Vec<String> {
    let (points, by) = (random_points(seed, n), random_points(!seed, 1)[0].x);
    let want = Expected::of(&points, by);
    let mut bad = Vec::new();
    let mut check = |name: &str, ok: bool| {
        if !ok {
            bad.push(name.to_owned());
        }
    };
    let it = || points.par_iter().map(par_fn!(mix_point));
    check("collect_vec_sync", it().collect_vec_sync() == want.mixed);
    check(
        "reduce_sync",
        it().reduce_sync(par_fn!(add_points)) == want.sum,
    );
    check(
        "map_with",
        points
            .par_iter()
            .map_with(by, par_fn!(shift_x))
            .collect_vec_sync()
            == want.shifted,
    );
    check(
        "filter",
        points
            .par_iter()
            .filter(par_fn!(top_bit_set))
            .collect_vec_sync()
            == want.top,
    );
    check(
        "enumerate",
        points.par_iter().enumerate().collect_vec_sync() == want.enumerated,
    );
    check(
        "u64 outputs",
        points.par_iter().map(par_fn!(low_limb)).collect_vec_sync() == want.lows,
    );
    let highs = points.par_iter().map(par_fn!(high_bits));
    check("sum_sync", highs.sum_sync() == want.high_sum);
    check(
        "par_chunks",
        points.par_chunks(3).map(par_fn!(tally)).collect_vec_sync() == want.tallies,
    );
    bad
}

/// Main thread: the async terminals and `execute_async` over `n` seeded random points,
/// checked like `wideTerminalsSync`; the names of those that differ.
#[wasm_bindgen(js_name = wideTerminalsAsync)]
pub async fn wide_terminals_async(seed: u32, n: u32) -> Result<Vec<String>, JsValue> {
    let (points, by) = (random_points(seed, n), random_points(!seed, 1)[0].x);
    let want = Expected::of(&points, by);
    let mut bad = Vec::new();
    let it = || points.par_iter().map(par_fn!(mix_point));
    if it().try_collect_vec().await? != want.mixed {
        bad.push("try_collect_vec".to_owned());
    }
    if it().try_reduce(par_fn!(add_points)).await? != want.sum {
        bad.push("try_reduce".to_owned());
    }
    let highs = points.par_iter().map(par_fn!(high_bits));
    if highs.try_sum().await? != want.high_sum {
        bad.push("try_sum".to_owned());
    }
    if execute_async(sync_fn!(msm_job), &points).await? != want.sum.unwrap_or(ZERO) {
        bad.push("execute_async(msm_job)".to_owned());
    }
    let shapes = random_shapes(seed, n);
    let reshaped: Vec<Shape> = shapes.iter().cloned().map(reshape).collect();
    if execute_async(sync_fn!(reshape_job), &shapes).await? != reshaped {
        bad.push("execute_async(reshape_job)".to_owned());
    }
    Ok(bad)
}

/// What each terminal must give, computed sequentially.
struct Expected {
    mixed: Vec<CurvePoint>,
    sum: Option<CurvePoint>,
    shifted: Vec<CurvePoint>,
    top: Vec<CurvePoint>,
    enumerated: Vec<(usize, CurvePoint)>,
    lows: Vec<u64>,
    high_sum: u64,
    tallies: Vec<BTreeMap<String, Vec<Fe>>>,
}

impl Expected {
    fn of(points: &[CurvePoint], by: Fe) -> Expected {
        let mixed: Vec<CurvePoint> = points.iter().map(|&p| mix_point(p)).collect();
        Expected {
            sum: mixed.iter().copied().reduce(add_points),
            mixed,
            shifted: points.iter().map(|&p| shift_x(&by, p)).collect(),
            top: points.iter().copied().filter(|&p| top_bit_set(p)).collect(),
            enumerated: points.iter().copied().enumerate().collect(),
            lows: points.iter().map(|&p| low_limb(p)).collect(),
            high_sum: points.iter().map(|&p| high_bits(p)).sum(),
            tallies: points.chunks(3).map(|c| tally(c.to_vec())).collect(),
        }
    }
}

/// `n` points of full-range limbs from `seed` (splitmix64: the same on every platform).
pub fn random_points(seed: u32, n: u32) -> Vec<CurvePoint> {
    let mut rng = SplitMix(u64::from(seed));
    let mut fe = || Fe(std::array::from_fn(|_| rng.next()));
    (0..n)
        .map(|_| CurvePoint {
            x: fe(),
            y: fe(),
            z: fe(),
        })
        .collect()
}

/// `n` shapes of every variant from `seed`.
pub fn random_shapes(seed: u32, n: u32) -> Vec<Shape> {
    let mut rng = SplitMix(u64::from(seed) ^ 0x5eed);
    (0..n)
        .map(|_| match rng.next() % 4 {
            0 => Shape::Infinity,
            1 => Shape::Scalar(rng.next() as i64),
            2 => Shape::Affine(
                Fe(std::array::from_fn(|_| rng.next())),
                Fe(std::array::from_fn(|_| rng.next())),
            ),
            _ => Shape::Wide {
                hi: u128::from(rng.next()) << 64 | u128::from(rng.next()),
                lo: (u128::from(rng.next()) << 64 | u128::from(rng.next())) as i128,
            },
        })
        .collect()
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
