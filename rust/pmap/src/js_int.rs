//! How a kernel's integers are written for a JavaScript reader: as numbers, or as BigInts.
//!
//! Why a choice: the TypeScript side decodes CBOR with cbor-x, which gives a JS number for
//! every integer up to 4 bytes and for every float, and a BigInt for every 8-byte integer
//! (and RFC 8949 bignum). A number holds integers exactly only up to ±(2^53 - 1)
//! (`Number.MAX_SAFE_INTEGER`). So, per kernel (`#[kernel(large_number_types_as_bigints)]`,
//! named after tsify's and serde-wasm-bindgen's option):
//!
//! - [`JsInts::Number`] (the default, as tsify's and serde-wasm-bindgen's): a 64/128-bit
//!   integer arrives as a `number`. One beyond ±(2^53 - 1) would silently arrive rounded, so
//!   it is an error instead, at any depth of the output (the kernel's `Encode` failure, see
//!   `private.rs`). A safe integer beyond 32 bits goes out as an (exact) float64, as cbor-x
//!   writes it (see `FOUR_BYTES`).
//! - [`JsInts::BigInt`]: every `u64`, `i64`, `u128`, `i128` (and `usize`, `isize`, which serde
//!   writes as 64-bit) arrives as a `bigint`, whatever its value: it goes out as an 8-byte
//!   CBOR integer (beyond 64 bits, a bignum), never in the shortest form, so its width — not
//!   its value — says it is a BigInt. Narrower integers stay numbers.
//!
//! A Rust reader needs neither: its outputs are plain ciborium (`read_by_rust` in private.rs).
//! Byte strings pass untouched: numeric typed vectors (`Vec<u64>` → `BigUint64Array`) stay
//! exact at any size, in both modes.

use std::fmt::Display;

use serde::ser::{self, Serialize, Serializer};

/// `Number.MAX_SAFE_INTEGER`: the largest integer every smaller one of which a JavaScript
/// number holds exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// How a TypeScript reader gets a kernel's 64- and 128-bit integers (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsInts {
    /// As numbers; beyond ±(2^53 - 1) an encode error.
    Number,
    /// As BigInts, at full range.
    BigInt,
}

/// `T`, serialized through the adapter for `JsInts`. The bytes are valid CBOR as they are
/// (in `BigInt` mode, 64-bit integers are bignums); [`encode`] then widens those to 8-byte
/// integers, which cbor-x reads several times faster.
pub struct ForJs<'a, T: ?Sized>(pub &'a T, pub JsInts);

impl<T: Serialize + ?Sized> Serialize for ForJs<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Checked(s, self.1))
    }
}

/// Appends `value`'s CBOR for a JavaScript reader to `out`; the `Serialize` impl's error
/// (or an unsafe integer's, in `Number` mode) as text.
pub fn encode<T: Serialize + ?Sized>(
    value: &T,
    ints: JsInts,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    match ints {
        JsInts::Number => ciborium::ser::into_writer(&ForJs(value, ints), out),
        JsInts::BigInt => {
            let mut bignums = Vec::new();
            let written = ciborium::ser::into_writer(&ForJs(value, ints), &mut bignums);
            written.map(|()| widen(&bignums, out))
        }
    }
    .map_err(crate::wire::ser_error)
}

/// The serializer adapter, and (around a compound serializer) its element writer.
struct Checked<S>(S, JsInts);

fn check<E: ser::Error>(v: i128, shown: impl Display) -> Result<(), E> {
    let safe = i128::from(MAX_SAFE_INTEGER);
    let why = if v > safe {
        "exceeds Number.MAX_SAFE_INTEGER (2^53 - 1)"
    } else if v < -safe {
        "is below Number.MIN_SAFE_INTEGER (-(2^53 - 1))"
    } else {
        return Ok(());
    };
    Err(E::custom(format_args!(
        "{shown} {why}: JavaScript would not read it exactly"
    )))
}

macro_rules! forward {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<S::Ok, S::Error> {
            self.0.$method(v)
        }
    )*};
}

/// Why a safe integer beyond 32 bits goes out as float64 in `Number` mode (exact: it is
/// within ±(2^53 - 1)): that is how cbor-x writes one itself, and an 8-byte CBOR integer is
/// what cbor-x hands out as a BigInt (the `BigInt` mode's form).
const FOUR_BYTES: i128 = 1 << 32;

/// The magnitudes an 8-byte CBOR integer carries: `-2^64 ..= 2^64 - 1`.
const EIGHT_BYTES: i128 = 1 << 64;

impl<S: Serializer> Checked<S> {
    /// A 64- or 128-bit integer, `v` (`None`: a `u128` beyond `i128::MAX`, shown as `shown`);
    /// `plain` writes it as the wrapped format would.
    fn wide(
        self,
        v: Option<i128>,
        shown: impl Display,
        plain: impl FnOnce(S) -> Result<S::Ok, S::Error>,
    ) -> Result<S::Ok, S::Error> {
        match (self.1, v) {
            (JsInts::Number, v) => {
                let v = v.unwrap_or(i128::MAX);
                check::<S::Error>(v, shown)?;
                if (-FOUR_BYTES..FOUR_BYTES).contains(&v) {
                    plain(self.0)
                } else {
                    self.0.serialize_f64(v as f64)
                }
            }
            (JsInts::BigInt, Some(v)) if (-EIGHT_BYTES..EIGHT_BYTES).contains(&v) => {
                // RFC 8949 bignum: tag 2 for n, tag 3 for -1 - n; `encode` widens it.
                let (tag, n) = if v < 0 { (3, -1 - v) } else { (2, v) };
                let bytes = (n as u64).to_be_bytes();
                let start = bytes.iter().take_while(|&&b| b == 0).count();
                let digits = serde_bytes::Bytes::new(&bytes[start..]);
                ciborium::tag::Captured(Some(tag), digits).serialize(self.0)
            }
            // Beyond 64 bits the wrapped format's own bignum, which cbor-x reads as a BigInt.
            (JsInts::BigInt, _) => plain(self.0),
        }
    }
}

macro_rules! wide {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<S::Ok, S::Error> {
            self.wide(i128::try_from(v).ok(), v, |s| s.$method(v))
        }
    )*};
}

impl<S: Serializer> Serializer for Checked<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Checked<S::SerializeSeq>;
    type SerializeTuple = Checked<S::SerializeTuple>;
    type SerializeTupleStruct = Checked<S::SerializeTupleStruct>;
    type SerializeTupleVariant = TupleVariant<S::SerializeTupleVariant>;
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

    wide!(
        serialize_i64(i64),
        serialize_u64(u64),
        serialize_i128(i128),
        serialize_u128(u128)
    );

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&ForJs(v, self.1))
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
        self.0.serialize_newtype_struct(name, &ForJs(v, self.1))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &ForJs(v, self.1))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(|c| Checked(c, self.1))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(|c| Checked(c, self.1))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0
            .serialize_tuple_struct(name, len)
            .map(|c| Checked(c, self.1))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let ints = self.1;
        let tag = name == "@@TAG@@";
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(|s| TupleVariant(s, ints, tag))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(|c| Checked(c, self.1))
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0
            .serialize_struct(name, len)
            .map(|c| Checked(c, self.1))
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
            .map(|c| Checked(c, self.1))
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.collect_str(v)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The compound serializers: every element, key and value goes through [`ForJs`].
macro_rules! compound {
    ($($trait:ident { $($method:ident($($arg:ident: $t:ty),*);)* })*) => {$(
        impl<S: ser::$trait> ser::$trait for Checked<S> {
            type Ok = S::Ok;
            type Error = S::Error;
            $(fn $method<T: Serialize + ?Sized>(&mut self, $($arg: $t,)* v: &T) -> Result<(), S::Error> {
                self.0.$method($($arg,)* &ForJs(v, self.1))
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
    SerializeMap { serialize_key(); serialize_value(); }
    SerializeStruct { serialize_field(key: &'static str); }
    SerializeStructVariant { serialize_field(key: &'static str); }
}

/// A tuple variant's fields through [`ForJs`], except a CBOR tag's number: ciborium writes a
/// tag (`Captured`: typed arrays, bignums) as its `@@TAG@@` variant, whose first field is the
/// tag, which it must get as a plain `u64`.
struct TupleVariant<S>(S, JsInts, bool);

impl<S: ser::SerializeTupleVariant> ser::SerializeTupleVariant for TupleVariant<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        if std::mem::take(&mut self.2) {
            return self.0.serialize_field(v);
        }
        self.0.serialize_field(&ForJs(v, self.1))
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

/// Copies the CBOR in `src` to `out` with every bignum of at most 8 bytes (what `BigInt` mode
/// writes for a 64-bit integer) rewritten as the same integer with an 8-byte argument
/// (`0x1b`/`0x3b`). Why: cbor-x reads an 8-byte integer as a BigInt ≈ 4× faster than a
/// bignum (measured, README "Integers"), and ciborium writes integers only in their shortest
/// form, which cbor-x would read as a number. Both forms are the same integer (RFC 8949
/// §3.4.3); anything else is copied as it is. `src` is ciborium's own output: well-formed.
fn widen(src: &[u8], out: &mut Vec<u8>) {
    out.reserve(src.len());
    let mut at = 0;
    while let Some(&initial) = src.get(at) {
        let (major, info) = (initial >> 5, initial & 0x1f);
        let size = match info {
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => 0,
        };
        let Some(arg_bytes) = src.get(at + 1..at + 1 + size) else {
            break;
        };
        let arg = arg_bytes.iter().fold(0u64, |a, &b| a << 8 | u64::from(b));
        let arg = if size == 0 { u64::from(info) } else { arg };
        let next = at + 1 + size;
        let digits = match (major, arg, src.get(next)) {
            (6, 2 | 3, Some(&b)) if (0x40..=0x48).contains(&b) => {
                src.get(next + 1..next + 1 + usize::from(b - 0x40))
            }
            _ => None,
        };
        if let Some(digits) = digits {
            let n = digits.iter().fold(0u64, |a, &b| a << 8 | u64::from(b));
            out.push(if arg == 2 { 0x1b } else { 0x3b });
            out.extend(n.to_be_bytes());
            at = next + 1 + digits.len();
            continue;
        }
        // A definite byte or text string's content follows its header.
        let content = match (major, info) {
            (2 | 3, 0..=27) => arg as usize,
            _ => 0,
        };
        let end = (next + content).min(src.len());
        out.extend_from_slice(&src[at..end]);
        at = end;
    }
}

/// The two integer modes, through kernels: `large_number_types_as_bigints` (BigInts) and the
/// default (numbers within ±(2^53 - 1)).
#[cfg(test)]
mod tests {
    mod bigint_kernels;
    mod safe_integers;
}
