//! A serde `Serializer` adapter that refuses integers JavaScript cannot read exactly.
//!
//! Why: the TypeScript side decodes every CBOR integer as a JS number (cbor-x
//! `int64AsNumber`), and a number holds integers exactly only up to ±(2^53 - 1)
//! (`Number.MAX_SAFE_INTEGER`). A kernel output of 2^53 + 1 would silently arrive as 2^53,
//! so [`SafeInts`] makes it an error instead, at any depth of the output (the kernel's
//! `Encode` failure, see `private.rs`). A safe integer beyond 32 bits goes out as an (exact)
//! float64, as cbor-x writes it (see `FOUR_BYTES`). Byte strings pass untouched: numeric
//! typed vectors (`Vec<u64>` → `BigUint64Array`) stay exact at any size.

use std::fmt::Display;

use serde::ser::{self, Serialize, Serializer};

/// `Number.MAX_SAFE_INTEGER`: the largest integer every smaller one of which a JavaScript
/// number holds exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// `T`, serialized through the checking adapter; see the module docs.
pub struct SafeInts<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for SafeInts<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Checked(s))
    }
}

/// The serializer adapter, and (around a compound serializer) its element writer.
struct Checked<S>(S);

fn check<E: ser::Error>(v: i128) -> Result<(), E> {
    let safe = i128::from(MAX_SAFE_INTEGER);
    let why = if v > safe {
        "exceeds Number.MAX_SAFE_INTEGER (2^53 - 1)"
    } else if v < -safe {
        "is below Number.MIN_SAFE_INTEGER (-(2^53 - 1))"
    } else {
        return Ok(());
    };
    Err(E::custom(format_args!(
        "{v} {why}: JavaScript would not read it exactly"
    )))
}

macro_rules! forward {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<S::Ok, S::Error> {
            self.0.$method(v)
        }
    )*};
}

/// Why integers beyond 32 bits go out as float64 (exact: they are within ±(2^53 - 1)):
/// that is how cbor-x writes them itself, and cbor-x 1.6 misreads a negative CBOR integer
/// with an 8-byte argument as a number (`~token` truncates it to 32 bits: -(2^53 - 1) read
/// back as 1). Sent as float64, every safe integer arrives exact, both signs.
const FOUR_BYTES: i128 = 1 << 32;

macro_rules! checked {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<S::Ok, S::Error> {
            let wide = v as i128;
            check::<S::Error>(wide)?;
            if !(-FOUR_BYTES..FOUR_BYTES).contains(&wide) {
                return self.0.serialize_f64(wide as f64);
            }
            self.0.$method(v)
        }
    )*};
}

impl<S: Serializer> Serializer for Checked<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Checked<S::SerializeSeq>;
    type SerializeTuple = Checked<S::SerializeTuple>;
    type SerializeTupleStruct = Checked<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Checked<S::SerializeTupleVariant>;
    type SerializeMap = Checked<S::SerializeMap>;
    type SerializeStruct = Checked<S::SerializeStruct>;
    type SerializeStructVariant = Checked<S::SerializeStructVariant>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8])
    );

    checked!(serialize_i64(i64), serialize_u64(u64), serialize_i128(i128));

    fn serialize_u128(self, v: u128) -> Result<S::Ok, S::Error> {
        let wide = i128::try_from(v).unwrap_or(i128::MAX);
        check::<S::Error>(wide)?;
        if wide >= FOUR_BYTES {
            return self.0.serialize_f64(wide as f64);
        }
        self.0.serialize_u128(v)
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&SafeInts(v))
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &SafeInts(v))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &SafeInts(v))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Checked)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Checked)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Checked)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Checked)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Checked)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Checked)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Checked)
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.collect_str(v)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The compound serializers: every element, key and value goes through [`SafeInts`].
macro_rules! compound {
    ($($trait:ident { $($method:ident($($arg:ident: $t:ty),*);)* })*) => {$(
        impl<S: ser::$trait> ser::$trait for Checked<S> {
            type Ok = S::Ok;
            type Error = S::Error;
            $(fn $method<T: Serialize + ?Sized>(&mut self, $($arg: $t,)* v: &T) -> Result<(), S::Error> {
                self.0.$method($($arg,)* &SafeInts(v))
            })*
            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        }
    )*};
}

compound! {
    SerializeSeq { serialize_element(); }
    SerializeTuple { serialize_element(); }
    SerializeTupleStruct { serialize_field(); }
    SerializeTupleVariant { serialize_field(); }
    SerializeMap { serialize_key(); serialize_value(); }
    SerializeStruct { serialize_field(key: &'static str); }
    SerializeStructVariant { serialize_field(key: &'static str); }
}
