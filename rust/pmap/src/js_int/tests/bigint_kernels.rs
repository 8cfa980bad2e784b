//! `#[kernel(large_number_types_as_bigints)]`: every 64- and 128-bit integer of the kernel's
//! output, at any depth, goes to TypeScript in a form cbor-x reads as a BigInt — an 8-byte
//! CBOR integer whatever its value (a bignum beyond 64 bits) — and narrower integers stay
//! numbers. The declared TypeScript types say `bigint` for exactly those. A kernel without it
//! keeps today's rule (numbers; beyond ±(2^53 - 1) an `Encode` failure): `safe_integers.rs`.

use crate::js_int::{encode, JsInts};
use crate::registry;
use crate::test_support::{hex, proptest_config};
use crate::wire::{to_vec, Mode};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

fn bigint<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    encode(v, JsInts::BigInt, &mut out).unwrap();
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Wide {
    limbs: [u64; 3],
    neg: i64,
    wide: u128,
    signed: i128,
    len: usize,
    small: u32,
    maybe: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Tagged {
    Unit,
    One(u64),
    Pair(i64, u32),
    Named { at: i128 },
}

#[wasm_pmap::kernel(large_number_types_as_bigints)]
fn bi_wide(w: Wide) -> Wide {
    w
}

#[wasm_pmap::kernel(large_number_types_as_bigints)]
fn bi_tagged(t: Tagged) -> Tagged {
    t
}

#[wasm_pmap::kernel(large_number_types_as_bigints, reduce)]
fn bi_add(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[wasm_pmap::kernel(large_number_types_as_bigints)]
fn bi_pair(x: u64, y: u32) -> (i64, Vec<u64>, Option<usize>) {
    (x as i64, vec![x], Some(y as usize))
}

#[test]
fn sixty_four_bit_integers_go_out_as_8_byte_integers_whatever_their_value() {
    assert_eq!(hex(&bigint(&0u64)), "1b0000000000000000");
    assert_eq!(hex(&bigint(&u64::MAX)), "1bffffffffffffffff");
    assert_eq!(hex(&bigint(&-1i64)), "3b0000000000000000");
    assert_eq!(hex(&bigint(&i64::MIN)), "3b7fffffffffffffff");
    assert_eq!(hex(&bigint(&(-(1i128 << 64)))), "3bffffffffffffffff");
    assert_eq!(hex(&bigint(&5usize)), "1b0000000000000005");
    // Narrower integers stay numbers; beyond 64 bits, a bignum.
    assert_eq!(hex(&bigint(&(7u32, -2i8))), "820721");
    assert_eq!(hex(&bigint(&(1u128 << 64))), "c249010000000000000000");
    assert_eq!(
        hex(&bigint(&(-(1i128 << 64) - 1))),
        "c349010000000000000000"
    );
}

#[test]
fn widening_leaves_strings_floats_and_other_tags_alone() {
    // A byte string holding what looks like a tag-2 bignum, a float, a typed array of u64.
    let v = (
        "\u{80}A",
        serde_bytes::Bytes::new(&[0xc2, 0x41, 5]),
        1.5f64,
        crate::typed::TypedVec(vec![5u64]),
        5u64,
    );
    let plain = to_vec(&v);
    let mut want = plain[..plain.len() - 1].to_vec();
    want.extend([0x1b, 0, 0, 0, 0, 0, 0, 0, 5]);
    assert_eq!(hex(&bigint(&v)), hex(&want));
}

#[test]
fn number_mode_refuses_what_a_number_would_round_and_names_the_value() {
    let mut out = Vec::new();
    let err = encode(&(u128::MAX,), JsInts::Number, &mut out).unwrap_err();
    assert_eq!(
        err,
        "340282366920938463463374607431768211455 exceeds Number.MAX_SAFE_INTEGER (2^53 - 1): \
         JavaScript would not read it exactly"
    );
}

#[test]
fn the_declared_types_say_bigint_for_the_wide_integers_only() {
    let types = |name: &str| {
        let k = registry::find(name).unwrap();
        (k.info.input_ts, k.info.output_ts, k.info.ints)
    };
    assert_eq!(types("biWide"), ("Wide", "Wide", JsInts::BigInt));
    assert_eq!(
        types("biPair"),
        (
            "[bigint, number]",
            "[bigint, bigint[], bigint | null]",
            JsInts::BigInt
        )
    );
    assert_eq!(
        types("biAdd"),
        ("[bigint, bigint]", "bigint", JsInts::BigInt)
    );
}

#[test]
fn map_and_reduce_chunks_answer_in_the_bigint_form() {
    let body = registry::run("biPair", Mode::Map, &to_vec(&[(3u64, 4u32)]), None).unwrap();
    // [[3 (8 bytes, as i64), [3] (a Vec inside a tuple: an array), 4 (8 bytes, usize)]]
    assert_eq!(
        hex(&body),
        "81831b0000000000000003811b00000000000000031b0000000000000004"
    );
    let folded = registry::run("biAdd", Mode::Reduce, &to_vec(&[1u64, 2, 3]), None).unwrap();
    assert_eq!(hex(&folded), "1b0000000000000006");
}

/// A decoded value as cbor-x hands it to JavaScript (its rules, modelled): an 8-byte
/// integer or a bignum is a BigInt, a shorter integer a number, a map an object whose keys
/// are strings.
#[derive(Debug, PartialEq)]
enum Js {
    Number(f64),
    BigInt(String),
    Text(String),
    Array(Vec<Js>),
    Object(Vec<(String, Js)>),
    Null,
}

fn as_js(bytes: &[u8]) -> Js {
    let mut at = 0;
    let v = read_js(bytes, &mut at);
    assert_eq!(at, bytes.len(), "trailing bytes");
    v
}

fn read_js(b: &[u8], at: &mut usize) -> Js {
    let (major, info) = (b[*at] >> 5, b[*at] & 0x1f);
    *at += 1;
    let size = match info {
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => 0,
    };
    let arg = match size {
        0 => u64::from(info),
        n => b[*at..*at + n]
            .iter()
            .fold(0, |a, &x| a << 8 | u64::from(x)),
    };
    *at += size;
    let take = |at: &mut usize, n: usize| {
        *at += n;
        b[*at - n..*at].to_vec()
    };
    match (major, size) {
        (0, 8) => Js::BigInt(arg.to_string()),
        (1, 8) => Js::BigInt((-1 - i128::from(arg)).to_string()),
        (0, _) => Js::Number(arg as f64),
        (1, _) => Js::Number(-1.0 - arg as f64),
        (3, _) => Js::Text(String::from_utf8(take(at, arg as usize)).unwrap()),
        (4, _) => Js::Array((0..arg).map(|_| read_js(b, at)).collect()),
        (5, _) => Js::Object(
            (0..arg)
                .map(|_| match read_js(b, at) {
                    Js::Text(k) | Js::BigInt(k) => (k, read_js(b, at)),
                    other => panic!("key {other:?}"),
                })
                .collect(),
        ),
        (6, _) if arg == 2 || arg == 3 => {
            let len = usize::from(b[*at] - 0x40);
            *at += 1;
            let n = take(at, len)
                .iter()
                .fold(0u128, |a, &x| a << 8 | u128::from(x));
            Js::BigInt(if arg == 2 {
                n.to_string()
            } else {
                (-1 - n as i128).to_string()
            })
        }
        (7, 0) if info == 22 => Js::Null,
        (7, 8) => Js::Number(f64::from_bits(arg)),
        (7, 4) => Js::Number(f64::from(f32::from_bits(arg as u32))),
        _ => panic!("not modelled: major {major}, info {info}"),
    }
}

fn has_bigint(v: &Js) -> bool {
    match v {
        Js::BigInt(_) => true,
        Js::Array(xs) => xs.iter().any(has_bigint),
        Js::Object(kv) => kv.iter().any(|(_, v)| has_bigint(v)),
        _ => false,
    }
}

fn big(v: impl ToString) -> Js {
    Js::BigInt(v.to_string())
}

fn key(k: &str, v: Js) -> (String, Js) {
    (k.to_owned(), v)
}

/// What the declared TypeScript type of `Wide` promises: `bigint` for every wide field.
fn wide_as_declared(w: &Wide) -> Js {
    Js::Object(vec![
        key("limbs", Js::Array(w.limbs.iter().map(big).collect())),
        key("neg", big(w.neg)),
        key("wide", big(w.wide)),
        key("signed", big(w.signed)),
        key("len", big(w.len)),
        key("small", Js::Number(f64::from(w.small))),
        key("maybe", w.maybe.map_or(Js::Null, big)),
    ])
}

fn tagged_as_declared(t: &Tagged) -> Js {
    match t {
        Tagged::Unit => Js::Text("Unit".into()),
        Tagged::One(x) => Js::Object(vec![key("One", big(x))]),
        Tagged::Pair(a, b) => Js::Object(vec![key(
            "Pair",
            Js::Array(vec![big(a), Js::Number(f64::from(*b))]),
        )]),
        Tagged::Named { at } => {
            Js::Object(vec![key("Named", Js::Object(vec![key("at", big(at))]))])
        }
    }
}

fn wide() -> impl Strategy<Value = Wide> {
    let edge64 = prop_oneof![any::<u64>(), Just(0), Just(u64::MAX), Just((1 << 53) + 1)];
    (
        proptest::array::uniform3(edge64),
        any::<i64>(),
        any::<u128>(),
        any::<i128>(),
        any::<usize>(),
        any::<u32>(),
        any::<Option<i64>>(),
    )
        .prop_map(|(limbs, neg, wide, signed, len, small, maybe)| Wide {
            limbs,
            neg,
            wide,
            signed,
            len,
            small,
            maybe,
        })
}

fn tagged() -> impl Strategy<Value = Tagged> {
    prop_oneof![
        Just(Tagged::Unit),
        any::<u64>().prop_map(Tagged::One),
        (any::<i64>(), any::<u32>()).prop_map(|(a, b)| Tagged::Pair(a, b)),
        any::<i128>().prop_map(|at| Tagged::Named { at }),
    ]
}

/// What the widening property encodes: every CBOR argument size around 64-bit integers.
type Mixed = (
    String,
    serde_bytes::ByteBuf,
    f64,
    Vec<f64>,
    Vec<u64>,
    Vec<u16>,
    u128,
    i64,
);

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn what_javascript_reads_is_the_declared_type_with_every_bit(
        ws in proptest::collection::vec(wide(), 0..6),
        ts in proptest::collection::vec(tagged(), 0..6),
    ) {
        let body = registry::run("biWide", Mode::Map, &to_vec(&ws), None).unwrap();
        prop_assert_eq!(as_js(&body), Js::Array(ws.iter().map(wide_as_declared).collect()));
        // And a Rust reader of the same bytes gets the values back.
        prop_assert_eq!(ciborium::de::from_reader::<Vec<Wide>, _>(&body[..]).unwrap(), ws);

        let body = registry::run("biTagged", Mode::Map, &to_vec(&ts), None).unwrap();
        prop_assert_eq!(as_js(&body), Js::Array(ts.iter().map(tagged_as_declared).collect()));
    }

    /// Widening (js_int.rs `widen`) scans the encoded value item by item, so every argument
    /// size must be stepped over right: strings of 24+ and 256+ bytes, arrays of 24+ and 256+
    /// items, half, single and double floats, 8-byte integers beside the bignums it rewrites.
    /// Found by cargo-mutants: deleting the 1-, 2- or 8-byte argument arms survived every test.
    #[test]
    fn widening_steps_over_every_argument_size_and_keeps_every_value(
        text in "[a-z]{0,300}",
        raw in proptest::collection::vec(prop_oneof![Just(0xc2u8), Just(0x48), any::<u8>()], 0..300),
        x in any::<f64>().prop_filter("NaN is not equal to itself", |x| !x.is_nan()),
        halves in proptest::collection::vec(prop_oneof![Just(0.5f64), Just(-2.0), Just(65504.0)], 0..3),
        xs in proptest::collection::vec(any::<u64>(), 0..300),
        shorts in proptest::collection::vec(any::<u16>(), 0..300),
        w in any::<u128>(),
        n in any::<i64>(),
    ) {
        // Raw bytes: a scanner out of step reads them as headers (`c2 48 …` is a bignum's).
        let raw = serde_bytes::ByteBuf::from(raw);
        let v = (text, raw, x, halves, xs, shorts, w, n);
        let bytes = bigint(&v);
        let back: Mixed = ciborium::de::from_reader(&bytes[..]).unwrap();
        prop_assert_eq!(back, v, "{}", hex(&bytes));
    }

    #[test]
    fn number_kernels_still_send_numbers_or_refuse(ws in proptest::collection::vec(wide(), 1..4)) {
        // The same struct through a kernel of numbers: an Encode failure naming the kernel
        // (every random struct holds a limb beyond 2^53 but the rarest), never a BigInt.
        match registry::run("numWide", Mode::Map, &to_vec(&ws), None) {
            Err(f) => {
                prop_assert_eq!(f.kind, crate::ErrorKind::Encode);
                prop_assert_eq!(f.kernel, "numWide");
                prop_assert!(f.message.contains("Number.M"), "{}", f.message);
            }
            Ok(body) => prop_assert!(!has_bigint(&as_js(&body)), "a number kernel wrote a BigInt"),
        }
    }
}

#[wasm_pmap::kernel]
fn num_wide(w: Wide) -> Wide {
    w
}
