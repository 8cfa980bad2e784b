//! The typed-array table lives twice: `typed.rs` (how a `Vec<T>` travels) and the macro's
//! `ts_type.rs` (the TypeScript type it declares). One kernel per element type pins them
//! together: what the macro declares is what the runtime sends.

use crate::registry;
use crate::typed::{Element, TYPED_ARRAYS};

macro_rules! per_element {
    ($($t:ident: $map:ident, $slice:ident, $name:literal, $slice_name:literal;)*) => {
        $(
            #[wasm_pmap::kernel]
            fn $map(x: Vec<$t>) -> Vec<$t> {
                x
            }

            #[wasm_pmap::kernel(slice)]
            fn $slice(x: &[$t]) -> Vec<$t> {
                x.to_vec()
            }
        )*

        /// `(element, map kernel, slice kernel, JS name the runtime sends)`.
        const KERNELS: &[(&str, &str, &str, &str)] =
            &[$((stringify!($t), $name, $slice_name, <$t as Element>::JS)),*];
    };
}

per_element! {
    u8: k_u8, s_u8, "kU8", "sU8";
    u16: k_u16, s_u16, "kU16", "sU16";
    u32: k_u32, s_u32, "kU32", "sU32";
    u64: k_u64, s_u64, "kU64", "sU64";
    i8: k_i8, s_i8, "kI8", "sI8";
    i16: k_i16, s_i16, "kI16", "sI16";
    i32: k_i32, s_i32, "kI32", "sI32";
    i64: k_i64, s_i64, "kI64", "sI64";
    f32: k_f32, s_f32, "kF32", "sF32";
    f64: k_f64, s_f64, "kF64", "sF64";
}

#[test]
fn the_macro_declares_the_typed_array_the_runtime_sends() {
    for &(elem, map, slice, js) in KERNELS {
        let table = TYPED_ARRAYS.iter().find(|(t, _)| *t == elem);
        assert_eq!(table, Some(&(elem, js)), "typed.rs table row for {elem}");
        let k = registry::find(map).unwrap().info;
        assert_eq!((k.input_ts, k.output_ts), (js, js), "Vec<{elem}>");
        let k = registry::find(slice).unwrap().info;
        assert_eq!((k.input_ts, k.output_ts), (js, js), "&[{elem}]");
    }
}

#[test]
fn every_element_type_has_a_kernel_here() {
    let covered: Vec<&str> = KERNELS.iter().map(|k| k.0).collect();
    let table: Vec<&str> = TYPED_ARRAYS.iter().map(|t| t.0).collect();
    assert_eq!(covered, table);
}

/// How a typed array of 8 bytes arrives: untagged (cbor-x's `Uint8Array` in the browser)
/// or under an RFC 8746 tag (every other typed array; tag 64 is node's `Uint8Array`, 68
/// `Uint8ClampedArray`).
fn typed_payload(tag: Option<u8>) -> Vec<u8> {
    let mut out = match tag {
        Some(t) => vec![0xd8, t],
        None => vec![],
    };
    out.push(0x48); // byte string of 8 bytes: a whole number of elements of any size
    out.extend([0u8; 8]);
    out
}

/// Every tag cbor-x writes for a typed array (little-endian machine), by element type.
const CBOR_X_TAGS: &[(&str, Option<u8>)] = &[
    ("u8", None),
    ("u8", Some(64)),
    ("u8", Some(68)),
    ("u16", Some(69)),
    ("u32", Some(70)),
    ("u64", Some(71)),
    ("i8", Some(72)),
    ("i16", Some(77)),
    ("i32", Some(78)),
    ("i64", Some(79)),
    ("f32", Some(85)),
    ("f64", Some(86)),
];

#[test]
fn a_typed_array_is_accepted_only_as_its_own_element_type() {
    for &(elem, map, slice, _) in KERNELS {
        for &(sent, tag) in CBOR_X_TAGS {
            let payload = typed_payload(tag);
            let items = [&[0x81][..], &payload].concat(); // map mode: an array of one item
            for (kernel, mode, bytes) in [
                (slice, crate::wire::Mode::Slice, &payload),
                (map, crate::wire::Mode::Map, &items),
            ] {
                let got = registry::run(kernel, mode, bytes, None);
                if sent == elem {
                    assert!(got.is_ok(), "{kernel} refused {tag:?}: {got:?}");
                } else {
                    let err = got.expect_err(&format!("{kernel} accepted a {sent} array"));
                    assert_eq!(err.kind, crate::ErrorKind::Decode, "{err}");
                    assert_eq!(err.kernel, kernel);
                }
            }
        }
    }
}

#[test]
fn a_refused_typed_array_says_what_was_expected_and_what_came() {
    let why = |kernel: &str, tag: Option<u8>| {
        let err =
            registry::run(kernel, crate::wire::Mode::Slice, &typed_payload(tag), None).unwrap_err();
        err.message
    };
    assert_eq!(
        why("sF32", None),
        "does not decode as &[f32] (TypeScript: Float32Array): expected a Float32Array \
         (RFC 8746 tag 85), got a Uint8Array (untagged byte string)"
    );
    assert_eq!(
        why("sF64", Some(85)),
        "does not decode as &[f64] (TypeScript: Float64Array): expected a Float64Array \
         (RFC 8746 tag 86), got a Float32Array (RFC 8746 tag 85)"
    );
    assert_eq!(
        why("sU8", Some(78)),
        "does not decode as &[u8] (TypeScript: Uint8Array): expected a Uint8Array \
         (untagged byte string, or RFC 8746 tag 64 or 68), got an Int32Array (RFC 8746 tag 78)"
    );
    assert_eq!(
        why("sI16", Some(73)),
        "does not decode as &[i16] (TypeScript: Int16Array): expected an Int16Array \
         (RFC 8746 tag 77), got a big-endian Int16Array (RFC 8746 tag 73)"
    );
    assert_eq!(
        why("sU32", Some(99)),
        "does not decode as &[u32] (TypeScript: Uint32Array): expected a Uint32Array \
         (RFC 8746 tag 70), got a value with CBOR tag 99"
    );
}

#[test]
fn a_plain_array_of_numbers_is_still_accepted_for_every_element_type() {
    for &(_, map, slice, _) in KERNELS {
        let out = registry::run(slice, crate::wire::Mode::Slice, &[0x82, 1, 2], None);
        assert!(out.is_ok(), "{slice}: {out:?}");
        let out = registry::run(map, crate::wire::Mode::Map, &[0x81, 0x82, 1, 2], None);
        assert!(out.is_ok(), "{map}: {out:?}");
    }
}

/// Every RFC 8746 typed-array tag, as a refusal names it.
const RFC_8746: &[(u8, &str)] = &[
    (64, "a Uint8Array"),
    (65, "a big-endian Uint16Array"),
    (66, "a big-endian Uint32Array"),
    (67, "a big-endian BigUint64Array"),
    (68, "a Uint8ClampedArray"),
    (69, "a Uint16Array"),
    (70, "a Uint32Array"),
    (71, "a BigUint64Array"),
    (72, "an Int8Array"),
    (73, "a big-endian Int16Array"),
    (74, "a big-endian Int32Array"),
    (75, "a big-endian BigInt64Array"),
    (77, "an Int16Array"),
    (78, "an Int32Array"),
    (79, "a BigInt64Array"),
    (80, "a big-endian float16 array"),
    (81, "a big-endian Float32Array"),
    (82, "a big-endian Float64Array"),
    (83, "a big-endian float128 array"),
    (84, "a float16 array"),
    (85, "a Float32Array"),
    (86, "a Float64Array"),
    (87, "a float128 array"),
];

#[test]
fn every_refused_typed_array_is_named() {
    for &(tag, name) in RFC_8746 {
        let kernel = if tag == 86 { "sF32" } else { "sF64" };
        let err = registry::run(
            kernel,
            crate::wire::Mode::Slice,
            &typed_payload(Some(tag)),
            None,
        )
        .unwrap_err();
        assert!(
            err.message
                .ends_with(&format!(", got {name} (RFC 8746 tag {tag})")),
            "tag {tag}: {}",
            err.message
        );
    }
    // Tag 76 is not a typed array.
    let err = registry::run(
        "sF64",
        crate::wire::Mode::Slice,
        &typed_payload(Some(76)),
        None,
    )
    .unwrap_err();
    assert!(
        err.message.ends_with(", got a value with CBOR tag 76"),
        "{}",
        err.message
    );
}

#[test]
fn a_value_that_is_no_array_at_all_says_what_was_expected() {
    let text = [0x61, b'x']; // the string "x"
    let err = registry::run("sF64", crate::wire::Mode::Slice, &text, None).unwrap_err();
    assert!(
        err.message.ends_with(
            "invalid type: string \"x\", expected a Float64Array (byte string) or an array of numbers"
        ),
        "{}",
        err.message
    );
}
