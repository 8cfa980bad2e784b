//! What arrives, judged by what was asked for: the visitor side of [`Lenient`]'s `Wrap`.
//! A float where an integer was asked for is passed on as that integer if JavaScript holds
//! it exactly, a CBOR-tagged value where a number was asked for is refused by name, and
//! everything else is forwarded unchanged (nested deserializers stay lenient).

use std::fmt;

use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::{wrap, Lenient, Wrap};
use crate::js_int::MAX_SAFE_INTEGER;

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
