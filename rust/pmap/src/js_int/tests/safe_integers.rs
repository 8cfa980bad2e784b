//! Integers and JavaScript's one number type. cbor-x writes every integer below 2^32 in
//! magnitude as a CBOR integer and every larger one as a float64, and reads 8-byte CBOR
//! integers as numbers (`int64AsNumber`). So for every integer width used as a kernel input:
//! an integral float64 within the type's range and within ±(2^53 - 1) decodes as that
//! integer, anything else is a `decode` failure that says why; and an integer output beyond
//! ±(2^53 - 1), which JavaScript would round, is an `encode` failure. Numeric typed vectors
//! (`Vec<u64>` ↔ `BigUint64Array`) are byte strings and stay exact.

use crate::error::{ErrorKind, Failure};
use crate::registry;
use crate::typed::TypedVec;
use crate::wire::{to_vec, Mode};
use serde::{Deserialize, Serialize};

macro_rules! echo {
    ($($t:ident: $f:ident, $name:literal;)*) => {
        $(
            #[wasm_pmap::kernel]
            fn $f(x: $t) -> $t {
                x
            }
        )*

        /// `(Rust type, kernel name, smallest value, largest value)`.
        const WIDTHS: &[(&str, &str, i128, i128)] =
            &[$((stringify!($t), $name, $t::MIN as i128, $t::MAX as i128)),*];
    };
}

echo! {
    u8: echo_u8, "echoU8";
    u16: echo_u16, "echoU16";
    u32: echo_u32, "echoU32";
    u64: echo_u64, "echoU64";
    usize: echo_usize, "echoUsize";
    i8: echo_i8, "echoI8";
    i16: echo_i16, "echoI16";
    i32: echo_i32, "echoI32";
    i64: echo_i64, "echoI64";
    isize: echo_isize, "echoIsize";
}

const SAFE: i128 = (1 << 53) - 1;

/// A JS number as cbor-x writes it: an integer of magnitude below 2^32 (and down to -2^32)
/// as a CBOR integer, anything else as a float64.
fn js(v: f64) -> Vec<u8> {
    if v.fract() == 0.0 && (0.0..4294967296.0).contains(&v) {
        to_vec(&(v as u64))
    } else if v.fract() == 0.0 && (-4294967296.0..0.0).contains(&v) {
        to_vec(&(v as i64))
    } else {
        let mut out = vec![0xfb];
        out.extend(v.to_be_bytes());
        out
    }
}

/// A map-mode payload of one item.
fn one(item: Vec<u8>) -> Vec<u8> {
    [vec![0x81], item].concat()
}

fn decoded(kernel: &str, payload: &[u8]) -> Result<i128, Failure> {
    let body = registry::run(kernel, Mode::Map, payload, None)?;
    // As JS reads it: integers beyond 32 bits arrive as (exact) float64s.
    let out: Vec<ciborium::Value> = ciborium::de::from_reader(&body[..]).unwrap();
    Ok(match &out[0] {
        ciborium::Value::Integer(i) => i128::from(*i),
        ciborium::Value::Float(f) if f.fract() == 0.0 && f.abs() >= 4294967296.0 => *f as i128,
        other => panic!("{kernel}: not a JS integer on the wire: {other:?}"),
    })
}

/// The values the task pins, with their negatives for signed types.
fn values(signed: bool) -> Vec<i128> {
    let mut v = vec![0, 1 << 31, 1 << 32, SAFE, 1 << 53];
    if signed {
        v.extend([-1, -(1 << 31), -(1 << 32), -SAFE, -(1 << 53)]);
    }
    v
}

#[test]
fn js_numbers_decode_as_every_integer_width_exactly_or_say_why_not() {
    for &(ty, kernel, min, max) in WIDTHS {
        for v in values(min < 0) {
            let got = decoded(kernel, &one(js(v as f64)));
            let prefix = format!("does not decode as {ty} (TypeScript: number): ");
            let want = if v.abs() > SAFE {
                let bound = if v < 0 {
                    "Number.MIN_SAFE_INTEGER (-(2^53 - 1))"
                } else {
                    "Number.MAX_SAFE_INTEGER (2^53 - 1)"
                };
                Err(format!(
                    "{prefix}{v} is beyond {bound}: JavaScript cannot carry it exactly"
                ))
            } else if v < min || v > max {
                Err(format!(
                    "{prefix}invalid value: integer `{v}`, expected {ty}"
                ))
            } else {
                Ok(v)
            };
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{kernel}({v})"),
                (Err(f), Err(message)) => {
                    assert_eq!(
                        (f.kind, f.kernel.as_str(), f.index, f.expected.as_deref()),
                        (ErrorKind::Decode, kernel, Some(0), Some("number")),
                        "{kernel}({v})"
                    );
                    assert_eq!(f.message, message, "{kernel}({v})");
                }
                (got, want) => panic!("{kernel}({v}): got {got:?}, want {want:?}"),
            }
        }
    }
}

#[test]
fn a_fractional_or_non_finite_number_is_not_an_integer() {
    for (v, why) in [
        (1.5, "1.5 is not an integer, expected i64"),
        (-0.25, "-0.25 is not an integer, expected i64"),
        (f64::NAN, "NaN is not an integer, expected i64"),
        (
            f64::INFINITY,
            "Infinity is beyond Number.MAX_SAFE_INTEGER (2^53 - 1): JavaScript cannot carry it exactly",
        ),
        (
            -1e300,
            "-1e300 is beyond Number.MIN_SAFE_INTEGER (-(2^53 - 1)): JavaScript cannot carry it exactly",
        ),
    ] {
        let f = decoded("echoI64", &one(js(v))).unwrap_err();
        assert_eq!(f.kind, ErrorKind::Decode);
        assert_eq!(
            f.message,
            format!("does not decode as i64 (TypeScript: number): {why}"),
        );
    }
    // -0 is the integer 0.
    assert_eq!(decoded("echoU32", &one(js(-0.0))), Ok(0));
}

#[test]
fn outputs_beyond_max_safe_integer_are_encode_failures() {
    for &(ty, kernel, min, max) in WIDTHS {
        // What a Rust caller (or a BigInt) sends: exact CBOR integers, in range of the type.
        for v in values(min < 0)
            .into_iter()
            .filter(|v| (min..=max).contains(v))
        {
            let got = decoded(kernel, &one(to_vec(&v)));
            if v.abs() <= SAFE {
                assert_eq!(got, Ok(v), "{kernel}({v})");
            } else {
                let f = got.unwrap_err();
                let why = if v < 0 {
                    "is below Number.MIN_SAFE_INTEGER (-(2^53 - 1))"
                } else {
                    "exceeds Number.MAX_SAFE_INTEGER (2^53 - 1)"
                };
                assert_eq!(
                    (f.kind, f.kernel.as_str(), f.index),
                    (ErrorKind::Encode, kernel, Some(0)),
                    "{kernel}({v}) as {ty}"
                );
                assert_eq!(
                    f.message,
                    format!(
                        "the output (number) does not encode: {v} {why}: JavaScript would not read it exactly"
                    )
                );
            }
        }
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Job {
    id: u64,
    delta: i32,
    sizes: Vec<u16>,
    limit: Option<usize>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Receipt {
    job: Job,
    total: u64,
}

/// `total` = `id` × 2^20: beyond 2^53 - 1 once `id` ≥ 2^33.
#[wasm_pmap::kernel]
fn receipt(job: Job) -> Receipt {
    let total = job.id << 20;
    Receipt { job, total }
}

/// A JS object `{ id, delta, sizes, limit }` as cbor-x writes it.
fn js_job(id: f64, delta: f64, sizes: &[f64], limit: Option<f64>) -> Vec<u8> {
    let mut out = vec![0xa4];
    out.extend(to_vec("id"));
    out.extend(js(id));
    out.extend(to_vec("delta"));
    out.extend(js(delta));
    out.extend(to_vec("sizes"));
    out.push(0x80 | sizes.len() as u8);
    for s in sizes {
        out.extend(js(*s));
    }
    out.extend(to_vec("limit"));
    out.extend(limit.map_or(vec![0xf6], js));
    out
}

#[test]
fn integers_inside_input_and_output_types_follow_the_same_rules() {
    let body = registry::run(
        "receipt",
        Mode::Map,
        &one(js_job(8589934591.0, -3.0, &[1.0, 65535.0], Some(1e15))),
        None,
    )
    .unwrap();
    let out: Vec<Receipt> =
        ciborium::de::from_reader::<crate::lenient::LenientDe<Vec<Receipt>>, _>(&body[..])
            .unwrap()
            .0;
    assert_eq!(
        out[0],
        Receipt {
            job: Job {
                id: 8589934591,
                delta: -3,
                sizes: vec![1, 65535],
                limit: Some(1_000_000_000_000_000),
            },
            total: 8589934591 << 20,
        }
    );
    let f = registry::run(
        "receipt",
        Mode::Map,
        &one(js_job(1.0, 0.0, &[65536.0], None)),
        None,
    )
    .unwrap_err();
    assert_eq!(
        f.message,
        "does not decode as Job (TypeScript: Job): invalid value: integer `65536`, expected u16"
    );
    let f = registry::run(
        "receipt",
        Mode::Map,
        &one(js_job(1.0, 0.5, &[], None)),
        None,
    )
    .unwrap_err();
    assert_eq!(
        f.message,
        "does not decode as Job (TypeScript: Job): 0.5 is not an integer, expected i32"
    );
    // id 2^33: total 2^53 is beyond what JavaScript reads exactly.
    let f = registry::run(
        "receipt",
        Mode::Map,
        &one(js_job(8589934592.0, 0.0, &[], None)),
        None,
    )
    .unwrap_err();
    assert_eq!((f.kind, f.index), (ErrorKind::Encode, Some(0)));
    assert_eq!(
        f.message,
        "the output (Receipt) does not encode: 9007199254740992 exceeds Number.MAX_SAFE_INTEGER (2^53 - 1): JavaScript would not read it exactly"
    );
}

#[wasm_pmap::kernel]
fn spread_u64(x: Vec<u64>) -> Vec<u64> {
    x.iter().map(|v| v << 11).collect()
}

#[wasm_pmap::kernel(slice)]
fn negate_i64(xs: &[i64]) -> Vec<i64> {
    xs.iter().map(|x| -x).collect()
}

#[test]
fn typed_vectors_of_64_bit_integers_stay_exact() {
    let big = u64::MAX >> 11;
    let body = registry::run(
        "spreadU64",
        Mode::Map,
        &to_vec(&[TypedVec(vec![big, 1])]),
        None,
    )
    .unwrap();
    let out: Vec<TypedVec<u64>> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out[0].0, vec![big << 11, 1 << 11]);
    let body = registry::run(
        "negateI64",
        Mode::Slice,
        &to_vec(&TypedVec(vec![i64::MAX, -(1 << 60)])),
        None,
    )
    .unwrap();
    let out: TypedVec<i64> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out.0, vec![-i64::MAX, 1 << 60]);
    // A plain JS array for a BigUint64Array parameter follows the number rules.
    let f = registry::run(
        "spreadU64",
        Mode::Map,
        &one([vec![0x81], js(2f64.powi(53))].concat()),
        None,
    )
    .unwrap_err();
    assert!(f.message.ends_with("9007199254740992 is beyond Number.MAX_SAFE_INTEGER (2^53 - 1): JavaScript cannot carry it exactly"), "{}", f.message);
    let body = registry::run(
        "spreadU64",
        Mode::Map,
        &one([vec![0x81], js(2f64.powi(40))].concat()),
        None,
    )
    .unwrap();
    let out: Vec<TypedVec<u64>> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out[0].0, vec![1 << 51]);
}

/// cbor-x 1.6 misreads a negative integer with an 8-byte argument (`~token` truncates it to
/// 32 bits), so integers beyond 32 bits must leave Rust as float64s, as cbor-x writes them.
#[test]
fn integers_beyond_32_bits_leave_as_float64() {
    for (kernel, v) in [("echoU64", 1u64 << 40), ("echoI64", 1u64 << 40)] {
        let body = registry::run(kernel, Mode::Map, &one(js(v as f64)), None).unwrap();
        // A CBOR float (ciborium writes the shortest exact width: f32 for 2^40).
        assert!(matches!(body[1], 0xf9..=0xfb), "{kernel}({v}): {body:02x?}");
    }
    let body = registry::run("echoI64", Mode::Map, &one(js(-(SAFE as f64))), None).unwrap();
    assert_eq!(
        &body[1..],
        &[&[0xfb][..], &(-(SAFE as f64)).to_be_bytes()].concat()[..]
    );
    // Within 32 bits they stay CBOR integers (the common case, and shorter).
    let body = registry::run("echoI64", Mode::Map, &one(js(-5.0)), None).unwrap();
    assert_eq!(body, [0x81, 0x24]);
}

#[wasm_pmap::kernel]
fn pow2_u128(exp: u32) -> u128 {
    1u128 << exp
}

/// `u128` outputs follow the same rules as the narrower widths.
#[test]
fn u128_outputs_follow_the_same_rules() {
    let out = |exp: u32| registry::run("pow2U128", Mode::Map, &to_vec(&[exp]), None);
    // Within 32 bits: a CBOR integer.
    assert_eq!(out(4).unwrap(), [0x81, 0x10]);
    assert_eq!(out(31).unwrap(), [0x81, 0x1a, 0x80, 0, 0, 0]);
    // Beyond 32 bits but safe: a float.
    let body = out(40).unwrap();
    assert!(matches!(body[1], 0xf9..=0xfb), "{body:02x?}");
    let back: Vec<f64> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(back, [2f64.powi(40)]);
    // Beyond 2^53 - 1, and beyond i128::MAX: an encode failure.
    for exp in [53, 127] {
        let f = out(exp).unwrap_err();
        assert_eq!((f.kind, f.index), (ErrorKind::Encode, Some(0)), "2^{exp}");
    }
}
