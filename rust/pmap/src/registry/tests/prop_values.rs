//! Properties of the registry over random values (proptest): a value of any kernel input
//! type survives encode → `registry::run` → decode, and anything else is refused with a
//! named failure, never a panic. Shrunk counterexamples land in
//! `prop_values.proptest-regressions` beside this file.

use ciborium::Value;
use proptest::collection::vec;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Failure};
use crate::lenient::LenientDe;
use crate::registry;
use crate::test_support::proptest_config;
use crate::typed::TypedVec;
use crate::wire::{to_vec, Mode};

/// `Number.MAX_SAFE_INTEGER`: beyond it a 64-bit output may be refused (JS would round it).
const MAX_SAFE: i128 = (1 << 53) - 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    id: u32,
    name: String,
    score: f64,
    tags: Vec<String>,
    flag: bool,
    maybe_offset: Option<i32>,
}

#[wasm_pmap::kernel]
fn pw_u32(x: u32) -> u32 {
    x
}

#[wasm_pmap::kernel]
fn pw_u64(x: u64) -> u64 {
    x
}

#[wasm_pmap::kernel]
fn pw_i64(x: i64) -> i64 {
    x
}

#[wasm_pmap::kernel]
fn pw_f64(x: f64) -> f64 {
    x
}

#[wasm_pmap::kernel]
fn pw_string(s: String) -> String {
    s
}

#[wasm_pmap::kernel]
fn pw_record(r: Record) -> Record {
    r
}

#[wasm_pmap::kernel]
fn pw_vec_f64(v: Vec<f64>) -> Vec<f64> {
    v
}

#[wasm_pmap::kernel]
fn pw_tuple(a: u8, b: i32, c: String) -> (u8, i32, String) {
    (a, b, c)
}

#[wasm_pmap::kernel]
fn pw_option(x: Option<u32>) -> Option<u32> {
    x
}

#[wasm_pmap::kernel(slice)]
fn pw_slice_f64(xs: &[f64]) -> Vec<f64> {
    xs.to_vec()
}

#[wasm_pmap::kernel(reduce)]
fn pw_max_i32(a: i32, b: i32) -> i32 {
    a.max(b)
}

/// Every kernel above, for the refusal property.
const KERNELS: &[&str] = &[
    "pwU32", "pwU64", "pwI64", "pwF64", "pwString", "pwRecord", "pwVecF64", "pwTuple", "pwOption",
    "pwMaxI32",
];

/// f64 equality that treats every NaN as equal (CBOR may shorten a NaN's payload).
fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Runs `items` through `kernel` in map mode: the outputs, or the failure. Outputs are
/// decoded as a Rust caller reads a body, leniently (a safe integer beyond 32 bits
/// travels as a float64, as cbor-x writes it).
fn map_chunk<I: Serialize, O: DeserializeOwned>(
    kernel: &str,
    items: &[I],
) -> Result<Vec<O>, Failure> {
    let body = registry::run(kernel, Mode::Map, &to_vec(items), None)?;
    let LenientDe(out) = ciborium::de::from_reader(&body[..]).expect("an array of outputs");
    Ok(out)
}

/// The map-mode round trip of a type whose every value JavaScript reads exactly.
fn round_trips<T>(
    kernel: &str,
    items: &[T],
    same: impl Fn(&T, &T) -> bool,
) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + std::fmt::Debug,
{
    let out: Vec<T> = map_chunk(kernel, items).map_err(|f| TestCaseError::fail(f.to_string()))?;
    prop_assert_eq!(out.len(), items.len());
    for (a, b) in items.iter().zip(&out) {
        prop_assert!(same(a, b), "{:?} came back as {:?}", a, b);
    }
    Ok(())
}

/// The round trip of 64-bit integers: exact, or (beyond ±(2^53 - 1) only) an `Encode`
/// failure that names the kernel and the item.
fn round_trips_64<T>(kernel: &str, items: &[T]) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + std::fmt::Debug + PartialEq + Copy + Into<i128>,
{
    match map_chunk::<T, T>(kernel, items) {
        Ok(out) => prop_assert_eq!(&out[..], items),
        Err(f) => {
            let i = f.index.expect("the refused item's index") as usize;
            prop_assert_eq!(f.kind, ErrorKind::Encode, "{}", f);
            prop_assert_eq!(&f.kernel, kernel);
            prop_assert!(
                items[i].into().abs() > MAX_SAFE,
                "{:?} refused: {}",
                items[i],
                f
            );
            prop_assert!(items[..i].iter().all(|x| (*x).into().abs() <= MAX_SAFE));
        }
    }
    Ok(())
}

fn record() -> impl Strategy<Value = Record> {
    (
        any::<u32>(),
        ".{0,12}",
        any::<f64>(),
        vec(".{0,4}", 0..4),
        any::<bool>(),
        any::<Option<i32>>(),
    )
        .prop_map(|(id, name, score, tags, flag, maybe_offset)| Record {
            id,
            name,
            score,
            tags,
            flag,
            maybe_offset,
        })
}

fn same_record(a: &Record, b: &Record) -> bool {
    same_f64(a.score, b.score)
        && Record {
            score: 0.0,
            ..a.clone()
        } == Record {
            score: 0.0,
            ..b.clone()
        }
}

/// Any CBOR value a JS caller (or a broken one) could put in a payload: typed-array tags
/// (64 … 87) over arbitrary bytes, maps with the `Record` field names among others.
fn cbor_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| Value::Integer(i.into())),
        any::<u64>().prop_map(|i| Value::Integer(i.into())),
        any::<f64>().prop_map(Value::Float),
        ".{0,6}".prop_map(Value::Text),
        vec(any::<u8>(), 0..24).prop_map(Value::Bytes),
        (64u64..88, vec(any::<u8>(), 0..24))
            .prop_map(|(t, b)| Value::Tag(t, Box::new(Value::Bytes(b)))),
    ];
    let key = prop_oneof![
        prop::sample::select(vec!["id", "name", "score", "tags", "flag", "maybeOffset"])
            .prop_map(|k| Value::Text(k.into())),
        ".{0,4}".prop_map(Value::Text),
    ];
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key.clone(), inner), 0..6).prop_map(Value::Map),
        ]
    })
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn values_of_every_input_type_survive_a_kernel(
        u32s in vec(any::<u32>(), 0..8),
        u64s in vec(prop_oneof![any::<u64>(), 0..=MAX_SAFE as u64], 0..8),
        i64s in vec(prop_oneof![any::<i64>(), -MAX_SAFE as i64..=MAX_SAFE as i64], 0..8),
        f64s in vec(any::<f64>(), 0..8),
        strings in vec(".{0,16}", 0..8),
        records in vec(record(), 0..4),
        vectors in vec(vec(any::<f64>(), 0..8), 0..4),
        tuples in vec((any::<u8>(), any::<i32>(), ".{0,8}"), 0..6),
        options in vec(any::<Option<u32>>(), 0..8),
    ) {
        round_trips("pwU32", &u32s, PartialEq::eq)?;
        round_trips_64("pwU64", &u64s)?;
        round_trips_64("pwI64", &i64s)?;
        round_trips("pwF64", &f64s, |a, b| same_f64(*a, *b))?;
        round_trips("pwString", &strings, PartialEq::eq)?;
        round_trips("pwRecord", &records, same_record)?;
        round_trips("pwTuple", &tuples, PartialEq::eq)?;
        round_trips("pwOption", &options, PartialEq::eq)?;
        // Vec<f64> travels as a Float64Array (a tagged byte string) and also arrives as a
        // plain array of numbers from JS; either way it comes back as a Float64Array.
        let same_vec = |a: &TypedVec<f64>, b: &TypedVec<f64>| {
            a.0.len() == b.0.len() && a.0.iter().zip(&b.0).all(|(x, y)| same_f64(*x, *y))
        };
        let typed: Vec<TypedVec<f64>> = vectors.iter().cloned().map(TypedVec).collect();
        round_trips("pwVecF64", &typed, same_vec)?;
        let out: Vec<TypedVec<f64>> =
            map_chunk("pwVecF64", &vectors).map_err(|f| TestCaseError::fail(f.to_string()))?;
        prop_assert!(typed.iter().zip(&out).all(|(a, b)| same_vec(a, b)));
        prop_assert_eq!(out.len(), vectors.len());
    }

    #[test]
    fn slice_and_reduce_chunks_survive(xs in vec(any::<f64>(), 0..64), ys in vec(any::<i32>(), 0..64)) {
        let body = registry::run("pwSliceF64", Mode::Slice, &to_vec(&TypedVec(xs.clone())), None)
            .map_err(|f| TestCaseError::fail(f.to_string()))?;
        let TypedVec(back): TypedVec<f64> = ciborium::de::from_reader(&body[..]).unwrap();
        prop_assert!(back.len() == xs.len() && xs.iter().zip(&back).all(|(a, b)| same_f64(*a, *b)));

        let body = registry::run("pwMaxI32", Mode::Reduce, &to_vec(&ys), None)
            .map_err(|f| TestCaseError::fail(f.to_string()))?;
        let folded: Option<i32> = ciborium::de::from_reader(&body[..]).unwrap();
        prop_assert_eq!(folded, ys.iter().copied().max());
    }

    #[test]
    fn any_payload_is_answered_or_refused_by_name(
        kernel in prop::sample::select(KERNELS),
        items in vec(cbor_value(), 0..6),
        raw in prop_oneof![3 => Just(None), 1 => vec(any::<u8>(), 0..32).prop_map(Some)],
    ) {
        let payload = raw.clone().unwrap_or_else(|| to_vec(&Value::Array(items.clone())));
        match registry::run(kernel, Mode::Map, &payload, None) {
            Ok(body) => {
                let out: Vec<Value> = ciborium::de::from_reader(&body[..]).unwrap();
                if raw.is_none() {
                    prop_assert_eq!(out.len(), items.len());
                }
            }
            Err(f) => {
                prop_assert!(
                    matches!(f.kind, ErrorKind::Decode | ErrorKind::Encode),
                    "{}", f
                );
                prop_assert_eq!(&f.kernel, kernel);
                prop_assert!(!f.message.is_empty());
                if let (Some(i), None) = (f.index, &raw) {
                    prop_assert!((i as usize) < items.len(), "{}", f);
                }
            }
        }
    }
}
