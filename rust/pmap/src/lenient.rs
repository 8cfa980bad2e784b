//! A serde `Deserializer` adapter for numbers as JavaScript writes them.
//!
//! Why: JS has one number type. cbor-x writes `1` as a CBOR integer even when the Rust
//! field is `f64`, and `2**40` as a float64 even when it is `u64`; ciborium accepts only
//! CBOR floats for floats and only CBOR integers for integers. [`Lenient`] wraps the
//! deserializer (and, recursively, every sequence, map, option and enum inside it) and
//! routes float and integer requests through `deserialize_any`: serde's float visitors
//! accept integers, and a float arriving for an integer is passed on as that integer if it
//! is one JavaScript holds exactly (integral, within ±(2^53 - 1)); the integer visitor then
//! checks the type's range. Every other request is forwarded unchanged. This file wraps
//! what is asked for (the deserializer and its accessors); `lenient/visit.rs` judges what
//! arrives (the visitor).
//!
//! It also caps the length a sequence or map *declares* (its `size_hint`, which serde's
//! `Vec` and `HashMap` reserve up front) at [`PREALLOC_ITEMS`]: a few crafted bytes must not
//! reserve gigabytes of a wasm memory that never shrinks. Longer inputs grow as their items
//! actually decode.

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::Deserialize;

mod visit;

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
mod tests;
