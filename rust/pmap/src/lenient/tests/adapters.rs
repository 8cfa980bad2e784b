//! The two serde adapters are generic over the (de)serializer they wrap: `Lenient` changes
//! only how numbers are read and how much a declared length may reserve, `ForJs` only
//! which integers may be written. Everything else — whether the format is human-readable,
//! what a visitor says it expected, how an enum variant is read — is the wrapped format's.
//! Checked with CBOR (what the wire uses) and JSON (a human-readable format).

use std::net::Ipv4Addr;

use crate::js_int::{ForJs, JsInts};
use crate::lenient::{Lenient, LenientDe};
use crate::wire::to_vec;
use serde::de::{Deserializer, Visitor};
use serde::{Deserialize, Serialize};

fn from_json<'de, T: Deserialize<'de>>(json: &'de str) -> Result<T, serde_json::Error> {
    T::deserialize(Lenient(&mut serde_json::Deserializer::from_str(json)))
}

fn from_cbor<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    ciborium::de::from_reader::<LenientDe<T>, _>(bytes)
        .map(|v| v.0)
        .map_err(|e| format!("{e:?}"))
}

const IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

#[test]
fn the_wrapped_format_says_whether_it_is_human_readable() {
    // An address is text in a human-readable format, four bytes in CBOR.
    assert_eq!(from_json::<Ipv4Addr>("\"10.0.0.1\"").unwrap(), IP);
    assert_eq!(from_cbor::<Ipv4Addr>(&to_vec(&IP)).unwrap(), IP);
    assert_eq!(to_vec(&IP), [0x84, 10, 0, 0, 1]);
    assert_eq!(
        serde_json::to_string(&ForJs(&IP, JsInts::Number)).unwrap(),
        "\"10.0.0.1\""
    );
    assert_eq!(to_vec(&ForJs(&IP, JsInts::Number)), to_vec(&IP));
}

#[test]
fn a_type_error_names_what_the_visitor_expected() {
    let err = from_json::<String>("5").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid type: integer `5`, expected a string"),
        "{err}"
    );
    let err = from_json::<Vec<u32>>("{}").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid type: map, expected a sequence"),
        "{err}"
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle(f64),
    Rect { w: f64, h: f64 },
}

#[test]
fn enum_variants_are_read_by_the_wrapped_format() {
    // JSON spells a unit variant `"Empty"` or `{"Empty": null}`: the null is the variant's
    // (empty) content and must be consumed.
    assert_eq!(from_json::<Shape>("\"Empty\"").unwrap(), Shape::Empty);
    assert_eq!(
        from_json::<Shape>("{\"Empty\":null}").unwrap(),
        Shape::Empty
    );
    assert_eq!(
        from_json::<Vec<Shape>>("[{\"Empty\":null},{\"Circle\":2}]").unwrap(),
        [Shape::Empty, Shape::Circle(2.0)]
    );
    assert!(from_json::<Shape>("{\"Empty\":1}").is_err());
    // Integers still fill floats inside variants.
    assert_eq!(
        from_json::<Shape>("{\"Rect\":{\"w\":1,\"h\":2.5}}").unwrap(),
        Shape::Rect { w: 1.0, h: 2.5 }
    );
    for s in [
        Shape::Empty,
        Shape::Circle(1.5),
        Shape::Rect { w: 1.0, h: 2.0 },
    ] {
        assert_eq!(from_cbor::<Shape>(&to_vec(&s)).unwrap(), s);
    }
}

/// A count whose `Deserialize` accepts only unsigned integers (as some hand-written
/// impls do).
#[derive(Debug, PartialEq)]
struct Count(u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an unsigned count")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
        }
        d.deserialize_u64(V)
    }
}

#[test]
fn an_integral_float_is_passed_on_as_an_unsigned_integer_unless_negative() {
    let f64_cbor = |x: f64| [&[0xfb][..], &x.to_be_bytes()].concat();
    // cbor-x writes -0 as a float: it is the count 0.
    assert_eq!(from_cbor::<Count>(&f64_cbor(-0.0)), Ok(Count(0)));
    assert_eq!(from_cbor::<Count>(&f64_cbor(0.0)), Ok(Count(0)));
    assert_eq!(
        from_cbor::<Count>(&f64_cbor(8_589_934_592.0)),
        Ok(Count(1 << 33))
    );
    let err = from_cbor::<Count>(&f64_cbor(-2.0)).unwrap_err();
    assert!(err.contains("expected an unsigned count"), "{err}");
}
