//! Numeric vectors as CBOR byte strings.
//!
//! serde would write a `Vec<f64>` as an array with one CBOR item per element; JS would
//! then build a number array element by element. Instead [`TypedVec`] writes one byte
//! string (little-endian) tagged per RFC 8746, which cbor-x decodes straight into the
//! matching JS typed array (`Float64Array` for tag 86, ...), and whose buffer the worker
//! transfers instead of cloning. `Vec<u8>` is an untagged byte string (a `Uint8Array`).
//!
//! On input it accepts its own typed array — the byte string under the element type's
//! tag; for `u8` the untagged byte string (how cbor-x sends a `Uint8Array` in a browser),
//! tag 64 (node's `Uint8Array`) or 68 (`Uint8ClampedArray`) — and a plain array of numbers,
//! so `[1, 2, 3]` passed from JS still works (just slower). Any other typed array is a
//! decode error: its bytes are never reinterpreted as another element type.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// An element type that travels as raw little-endian bytes. Sealed: implemented only for
/// the primitive numbers below, which is what makes [`as_bytes`] and [`as_bytes_mut`]
/// sound (no padding, every bit pattern a valid value).
pub trait Element:
    Copy + Default + Serialize + for<'de> Deserialize<'de> + sealed::Sealed + 'static
{
    /// RFC 8746 tag for a little-endian array of this type (`None` for `u8`: plain bytes).
    const TAG: Option<u64>;
    /// Name of the JS typed array, for error messages and TS declarations.
    const JS: &'static str;
    /// Bytes per element.
    const SIZE: usize;
    /// Appends the element's little-endian bytes.
    fn write_le(self, out: &mut Vec<u8>);
    /// Reads one element from exactly [`Element::SIZE`] little-endian bytes.
    fn read_le(bytes: &[u8]) -> Self;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! elements {
    ($($t:ty => $tag:expr, $js:literal;)*) => {
        $(impl sealed::Sealed for $t {}
        impl Element for $t {
            const TAG: Option<u64> = $tag;
            const JS: &'static str = $js;
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline]
            fn write_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn read_le(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("chunk of element size"))
            }
        })*

        /// Every element type with its JS typed array: `(Rust name, JS name)`. The macro
        /// crate keeps its own copy (`ts_type.rs`, it cannot depend on this crate);
        /// `typed/tests/typed_arrays.rs` pins the two together.
        #[cfg(test)]
        pub const TYPED_ARRAYS: &[(&str, &str)] = &[$((stringify!($t), $js)),*];
    };
}

elements! {
    u8 => None, "Uint8Array";
    u16 => Some(69), "Uint16Array";
    u32 => Some(70), "Uint32Array";
    u64 => Some(71), "BigUint64Array";
    i8 => Some(72), "Int8Array";
    i16 => Some(77), "Int16Array";
    i32 => Some(78), "Int32Array";
    i64 => Some(79), "BigInt64Array";
    f32 => Some(85), "Float32Array";
    f64 => Some(86), "Float64Array";
}

/// The bytes of a slice of elements, in memory order (little-endian: wasm32 is, and so is
/// every host this crate is tested on). Why: the slice path (`slice.rs`) copies a chunk
/// between JS and wasm memory in one pass, with no per-element conversion.
pub fn as_bytes<T: Element>(v: &[T]) -> &[u8] {
    // SAFETY: `T` is a primitive number (`Element` is sealed): no padding, so all
    // `size_of_val(v)` bytes are initialised; `u8` has alignment 1.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// Mutable [`as_bytes`]: any bytes written are a valid `T` (every bit pattern of a
/// primitive number is one).
pub fn as_bytes_mut<T: Element>(v: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; and every bit pattern is a valid `T`, so writes through the
    // byte view cannot make an invalid value.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// A `Vec<T>` that (de)serializes as a typed-array byte string. See the module docs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypedVec<T: Element>(pub Vec<T>);

impl<T: Element> TypedVec<T> {
    fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() * T::SIZE);
        for x in &self.0 {
            x.write_le(&mut out);
        }
        out
    }
}

impl<T: Element> Serialize for TypedVec<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = self.to_le_bytes();
        match T::TAG {
            None => s.serialize_bytes(&bytes),
            Some(tag) => {
                ciborium::tag::Captured(Some(tag), serde_bytes::ByteBuf::from(bytes)).serialize(s)
            }
        }
    }
}

impl<'de, T: Element> Deserialize<'de> for TypedVec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Why `Captured`: ciborium shows a tagged item to `deserialize_any` as an enum;
        // `Captured` peels the (optional) tag off so the visitor sees the byte string.
        let ciborium::tag::Captured(tag, raw) = ciborium::tag::Captured::<Raw<T>>::deserialize(d)?;
        let own = match (tag, &raw) {
            (None, Raw::Elements(_)) => true,
            (None, Raw::Bytes(_)) => T::TAG.is_none(),
            (Some(t), _) => Some(t) == T::TAG || (T::TAG.is_none() && (t == 64 || t == 68)),
        };
        if !own {
            return Err(de::Error::custom(format!(
                "expected {}, got {}",
                expected::<T>(),
                arrived(tag)
            )));
        }
        match raw {
            Raw::Elements(v) => Ok(TypedVec(v)),
            Raw::Bytes(b) => from_le::<T, D::Error>(&b),
        }
    }
}

/// `T`'s own typed array, for error messages.
fn expected<T: Element>() -> String {
    match T::TAG {
        None => format!(
            "{} (untagged byte string, or RFC 8746 tag 64 or 68)",
            a(T::JS)
        ),
        Some(t) => format!("{} (RFC 8746 tag {t})", a(T::JS)),
    }
}

/// What a refused byte string was, by its tag.
fn arrived(tag: Option<u64>) -> String {
    let Some(t) = tag else {
        return "a Uint8Array (untagged byte string)".into();
    };
    // RFC 8746 §2.1: tags 64..=87 are typed arrays; cbor-x writes the little-endian ones.
    let name = match t {
        64 => "Uint8Array",
        65 => "big-endian Uint16Array",
        66 => "big-endian Uint32Array",
        67 => "big-endian BigUint64Array",
        68 => "Uint8ClampedArray",
        69 => "Uint16Array",
        70 => "Uint32Array",
        71 => "BigUint64Array",
        72 => "Int8Array",
        73 => "big-endian Int16Array",
        74 => "big-endian Int32Array",
        75 => "big-endian BigInt64Array",
        77 => "Int16Array",
        78 => "Int32Array",
        79 => "BigInt64Array",
        80 => "big-endian float16 array",
        81 => "big-endian Float32Array",
        82 => "big-endian Float64Array",
        83 => "big-endian float128 array",
        84 => "float16 array",
        85 => "Float32Array",
        86 => "Float64Array",
        87 => "float128 array",
        _ => return format!("a value with CBOR tag {t}"),
    };
    format!("{} (RFC 8746 tag {t})", a(name))
}

/// `name` with its indefinite article ("an Int32Array", "a Uint8Array").
fn a(name: &str) -> String {
    let article = if name.starts_with('I') { "an" } else { "a" };
    format!("{article} {name}")
}

/// The item under the optional tag, before the tag is checked.
enum Raw<T> {
    Bytes(Vec<u8>),
    Elements(Vec<T>),
}

impl<'de, T: Element> Deserialize<'de> for Raw<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TypedVisitor(PhantomData))
    }
}

fn from_le<T: Element, E: de::Error>(v: &[u8]) -> Result<TypedVec<T>, E> {
    if !v.len().is_multiple_of(T::SIZE) {
        return Err(E::custom(format!(
            "{} bytes is not a whole number of {}-byte elements for {}",
            v.len(),
            T::SIZE,
            T::JS
        )));
    }
    Ok(TypedVec(v.chunks_exact(T::SIZE).map(T::read_le).collect()))
}

struct TypedVisitor<T>(PhantomData<T>);

impl<'de, T: Element> Visitor<'de> for TypedVisitor<T> {
    type Value = Raw<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a {} (byte string) or an array of numbers", T::JS)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Raw::Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(Raw::Bytes(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Not the declared length: a few bytes may declare 2^32 elements.
        let mut out = Vec::with_capacity(crate::lenient::cautious(seq.size_hint()));
        while let Some(x) = seq.next_element::<T>()? {
            out.push(x);
        }
        Ok(Raw::Elements(out))
    }
}

/// Why: a parallel iterator decodes a kernel's `Vec<T>` output as its wire type, then
/// hands the user the plain vector.
impl<T: Element> From<TypedVec<T>> for Vec<T> {
    fn from(v: TypedVec<T>) -> Vec<T> {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::to_vec;

    /// One kernel per element type: what the macro declares is what this file sends.
    mod typed_arrays;

    #[test]
    fn f64_vectors_are_tagged_byte_strings() {
        let bytes = to_vec(&TypedVec(vec![1.0f64, -2.5]));
        // tag 86 (0xd8 0x56), byte string of 16 bytes (0x50)
        assert_eq!(&bytes[..3], &[0xd8, 0x56, 0x50]);
        assert_eq!(bytes.len(), 3 + 16);
        let back: TypedVec<f64> = ciborium::de::from_reader(&bytes[..]).unwrap();
        assert_eq!(back.0, vec![1.0, -2.5]);
    }

    #[test]
    fn u8_vectors_are_plain_byte_strings() {
        assert_eq!(to_vec(&TypedVec(vec![1u8, 2, 3])), vec![0x43, 1, 2, 3]);
    }

    #[test]
    fn plain_number_arrays_are_accepted() {
        let bytes = to_vec(&vec![1.5f64, 2.0]);
        let back: TypedVec<f64> = ciborium::de::from_reader(&bytes[..]).unwrap();
        assert_eq!(back.0, vec![1.5, 2.0]);
    }

    #[test]
    fn a_typed_array_of_another_type_is_rejected() {
        let bytes = to_vec(&TypedVec(vec![1.0f32]));
        let err = ciborium::de::from_reader::<TypedVec<f64>, _>(&bytes[..]).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a Float64Array (RFC 8746 tag 86), got a Float32Array"),
            "{err}"
        );
    }

    #[test]
    fn ragged_byte_strings_are_rejected() {
        let bytes = to_vec(&ciborium::tag::Captured(
            Some(86),
            serde_bytes::Bytes::new(&[0u8; 7]),
        ));
        let err = ciborium::de::from_reader::<TypedVec<f64>, _>(&bytes[..]).unwrap_err();
        assert!(
            err.to_string()
                .contains("7 bytes is not a whole number of 8-byte elements for Float64Array"),
            "{err}"
        );
    }
}
