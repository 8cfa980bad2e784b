//! A serde `Deserializer` adapter for numbers as JavaScript writes them.
//!
//! Why: JS has one number type. cbor-x writes `1` as a CBOR integer even when the Rust
//! field is `f64`, and `2**40` as a float64 even when it is `u64`; ciborium accepts only
//! CBOR floats for floats and only CBOR integers for integers. [`Lenient`] wraps the
//! deserializer (and, recursively, every sequence, map, option and enum inside it) and
//! routes float and integer requests through `deserialize_any`: serde's float visitors
//! accept integers, and a float arriving for an integer is passed on as that integer if it
//! is one JavaScript holds exactly (integral, within ±(2^53 - 1)); the integer visitor then
//! checks the type's range. Every other request is forwarded unchanged.
//!
//! It also caps the length a sequence or map *declares* (its `size_hint`, which serde's
//! `Vec` and `HashMap` reserve up front) at [`PREALLOC_ITEMS`]: a few crafted bytes must not
//! reserve gigabytes of a wasm memory that never shrinks. Longer inputs grow as their items
//! actually decode.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::Deserialize;

use crate::js_int::MAX_SAFE_INTEGER;

/// The most items a declared length may reserve before they have decoded.
pub const PREALLOC_ITEMS: usize = 256;

/// How many items to reserve for a sequence that declares `declared` (see the module docs).
pub fn cautious(declared: Option<usize>) -> usize {
    declared.unwrap_or(0).min(PREALLOC_ITEMS)
}

/// `T`, deserialized through [`Lenient`].
pub struct LenientDe<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LenientDe<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(Lenient(d)).map(LenientDe)
    }
}

/// The deserializer adapter; see the module docs.
pub struct Lenient<D>(pub D);

/// Wraps visitors, seeds and accessors so nested values stay lenient. `INT`: the visitor
/// asked for an integer (a float arriving is checked and passed on as one). `NUM`: it asked
/// for a number, so a CBOR-tagged value (a JS `Date`, tag 1) is refused by name rather than
/// as serde's "invalid type: enum".
struct Wrap<X, const INT: bool = false, const NUM: bool = false>(X);

fn wrap<X>(x: X) -> Wrap<X> {
    Wrap(x)
}

macro_rules! forward_de {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$method(wrap(v))
        }
    )*};
}

macro_rules! int_de {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_any(Wrap::<V, true, true>(v))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Lenient<D> {
    type Error = D::Error;

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Wrap::<V, false, true>(v))
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(Wrap::<V, false, true>(v))
    }

    int_de!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128
    );

    forward_de!(
        deserialize_any,
        deserialize_bool,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, wrap(v))
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, wrap(v))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, wrap(v))
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, wrap(v))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_struct(name, fields, wrap(v))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, wrap(v))
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($t:ty)),*) => {$(
        fn $method<E: de::Error>(self, x: $t) -> Result<V::Value, E> {
            self.0.$method(x)
        }
    )*};
}

impl<'de, V: Visitor<'de>, const INT: bool, const NUM: bool> Visitor<'de> for Wrap<V, INT, NUM> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        if !INT {
            return self.0.visit_f64(x);
        }
        let safe = MAX_SAFE_INTEGER as f64;
        if x.is_nan() || (x.is_finite() && x.fract() != 0.0) {
            Err(E::custom(format_args!(
                "{} is not an integer, expected {}",
                show(x),
                &self.0 as &dyn de::Expected
            )))
        } else if x > safe {
            Err(E::custom(format_args!(
                "{} is beyond Number.MAX_SAFE_INTEGER (2^53 - 1): JavaScript cannot carry it exactly",
                show(x)
            )))
        } else if x < -safe {
            Err(E::custom(format_args!(
                "{} is beyond Number.MIN_SAFE_INTEGER (-(2^53 - 1)): JavaScript cannot carry it exactly",
                show(x)
            )))
        } else if x < 0.0 {
            self.0.visit_i64(x as i64) // exact: integral and within ±(2^53 - 1)
        } else {
            self.0.visit_u64(x as u64)
        }
    }

    fn visit_f32<E: de::Error>(self, x: f32) -> Result<V::Value, E> {
        if INT {
            self.visit_f64(f64::from(x))
        } else {
            self.0.visit_f32(x)
        }
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>)
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Lenient(d))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Lenient(d))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(wrap(a))
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(wrap(a))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, a: A) -> Result<V::Value, A::Error> {
        if NUM {
            // ciborium hands a tagged value to `deserialize_any` as an enum: a marker variant,
            // then a [tag, value] tuple.
            let (_, variant): (de::IgnoredAny, _) = a.variant()?;
            let tag = de::VariantAccess::tuple_variant(variant, 2, TagNumber)?;
            let what = match tag {
                0 | 1 => " (a JS Date: pass date.getTime())",
                2 | 3 => " (a bignum: a JS BigInt)",
                _ => "",
            };
            return Err(de::Error::custom(format_args!(
                "a value with CBOR tag {tag}{what} is not a number, expected {}",
                &self.0 as &dyn de::Expected
            )));
        }
        self.0.visit_enum(wrap(a))
    }
}

/// Reads ciborium's `[tag, value]` tuple of a tagged value: the tag (the value is skipped).
struct TagNumber;

impl<'de> Visitor<'de> for TagNumber {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CBOR tag and its value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<u64, A::Error> {
        let tag: u64 = a
            .next_element()?
            .ok_or_else(|| de::Error::custom("a tag without its number"))?;
        let _: Option<de::IgnoredAny> = a.next_element()?;
        Ok(tag)
    }
}

/// A float as JavaScript would print it (`Infinity`, `NaN`, `-1e300`).
fn show(x: f64) -> String {
    if x.is_infinite() {
        (if x > 0.0 { "Infinity" } else { "-Infinity" }).into()
    } else if x.abs() >= 1e21 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Wrap<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Lenient(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(wrap(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint().map(|n| n.min(PREALLOC_ITEMS))
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(wrap(seed))
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.0.next_value_seed(wrap(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint().map(|n| n.min(PREALLOC_ITEMS))
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(wrap(seed))
            .map(|(v, variant)| (v, wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;
    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(wrap(seed))
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, wrap(v))
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, wrap(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::to_vec;

    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    struct Scene {
        radius: f64,
        center: (f32, f64),
        weights: Vec<Option<f64>>,
        count: u32,
    }

    #[derive(serde::Serialize)]
    struct FromJs {
        radius: u32,
        center: (i32, f64),
        weights: Vec<Option<i64>>,
        count: u32,
    }

    #[test]
    fn integers_fill_float_fields_at_any_depth() {
        let bytes = to_vec(&FromJs {
            radius: 2,
            center: (-1, 0.5),
            weights: vec![Some(3), None],
            count: 7,
        });
        assert!(
            ciborium::de::from_reader::<Scene, _>(&bytes[..]).is_err(),
            "plain ciborium is strict"
        );
        let LenientDe(scene) =
            ciborium::de::from_reader::<LenientDe<Scene>, _>(&bytes[..]).unwrap();
        assert_eq!(
            scene,
            Scene {
                radius: 2.0,
                center: (-1.0, 0.5),
                weights: vec![Some(3.0), None],
                count: 7
            }
        );
    }

    #[test]
    fn everything_else_stays_strict() {
        let bytes = to_vec(&(1.5f64,));
        assert!(ciborium::de::from_reader::<LenientDe<(u32,)>, _>(&bytes[..]).is_err());
        let bytes = to_vec(&("x",));
        assert!(ciborium::de::from_reader::<LenientDe<(f64,)>, _>(&bytes[..]).is_err());
    }
}
