//! Silent coercions refused (issue 9 #11): a tagged CBOR value where a number is expected —
//! a JS `Date` is cbor-x's tag 1 around its epoch seconds — is a decode failure that names
//! the tag, not the timestamp passed on as if it were the number.

use crate::{registry, wire::Mode, ErrorKind};

#[wasm_pmap::kernel]
fn twice_u32(x: u32) -> u32 {
    x * 2
}

#[wasm_pmap::kernel]
fn twice_f64(x: f64) -> f64 {
    x * 2.0
}

/// `[tag(value)]`: a map-mode payload of one tagged item.
fn tagged(tag: u8, value: &[u8]) -> Vec<u8> {
    [&[0x81, 0xc0 | tag][..], value].concat()
}

#[test]
fn a_date_where_a_number_is_expected_is_refused_by_name() {
    let five_f64 = [&[0xfb][..], &5.0f64.to_be_bytes()].concat();
    for kernel in ["twiceU32", "twiceF64"] {
        for value in [&five_f64[..], &[0x05][..]] {
            let f = registry::run(kernel, Mode::Map, &tagged(1, value), None).unwrap_err();
            assert_eq!(f.kind, ErrorKind::Decode, "{kernel}: {f}");
            assert!(
                f.message
                    .contains("CBOR tag 1 (a JS Date: pass date.getTime())"),
                "{kernel}: {}",
                f.message
            );
            assert_eq!(f.index, Some(0));
        }
    }
    // Any other tag is named too.
    let f = registry::run("twiceU32", Mode::Map, &[0x81, 0xd8, 0x63, 0x05], None).unwrap_err();
    assert!(
        f.message.contains("CBOR tag 99 is not a number"),
        "{}",
        f.message
    );
}

#[test]
fn plain_numbers_still_decode() {
    let body = registry::run("twiceU32", Mode::Map, &[0x81, 0x05], None).unwrap();
    assert_eq!(body, [0x81, 0x0a]);
    let body = registry::run("twiceF64", Mode::Map, &[0x81, 0x05], None).unwrap();
    let out: Vec<f64> = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(out, [10.0]);
}

#[test]
fn a_bignum_where_a_number_is_expected_is_refused_by_name() {
    // cbor-x writes a BigInt beyond 64 bits as a bignum: tag 2 (3 if negative) around its
    // big-endian bytes. Up to 16 bytes ciborium reads it as an integer (then out of range);
    // longer, it stays a tagged value.
    for (tag, kernel) in [(2, "twiceU32"), (3, "twiceF64")] {
        let big = [&[0x51][..], &[0xff; 17]].concat(); // byte string of 17 bytes
        let f = registry::run(kernel, Mode::Map, &tagged(tag, &big), None).unwrap_err();
        assert_eq!(f.kind, ErrorKind::Decode, "{kernel}: {f}");
        assert!(
            f.message.contains(&format!(
                "CBOR tag {tag} (a bignum: a JS BigInt) is not a number"
            )),
            "{kernel}: {}",
            f.message
        );
    }
}
