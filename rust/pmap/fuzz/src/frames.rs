//! The structure-aware target's input: a request frame described field by field, so
//! every generated frame passes the header and reaches a registered kernel with a payload
//! that is valid CBOR of a plausible shape (arrays of items, typed arrays, maps with the
//! fuzz kernels' field names, pipe stages).

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use ciborium::value::Integer;
use ciborium::Value;
use wasm_pmap::__private::{to_vec, Context, Mode, Request};

/// Deeper values become `null`: ciborium refuses more than 128 levels anyway, and the
/// builder's own recursion stays small.
const MAX_DEPTH: usize = 24;

/// Field names of the kernels' input types, so maps can match a struct.
const FIELDS: &[&str] = &[
    "x", "y", "id", "name", "weights", "data", "offset", "w", "from", "to", "width", "height",
    "maxIter", "Empty", "Count", "Span",
];

/// One request frame.
#[derive(Debug, Arbitrary)]
pub struct FrameSpec {
    call: String,
    chunk: u32,
    kernel: KernelName,
    mode: ModeSpec,
    payload: PayloadSpec,
    context: Option<ContextSpec>,
}

#[derive(Debug, Arbitrary)]
enum KernelName {
    /// The n-th registered kernel (modulo their number).
    Registered(u8),
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum ModeSpec {
    Map,
    Slice,
    Reduce,
    Pipe,
}

#[derive(Debug, Arbitrary)]
enum PayloadSpec {
    /// Map and reduce mode: an array of items.
    Items(Vec<Val>),
    /// Slice mode: one value (a typed array, if it is to run).
    One(Val),
    /// Pipe mode: `[stages, base, items]`.
    Pipe {
        stages: Vec<StageSpec>,
        base: u64,
        items: Vec<Val>,
    },
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum StageSpec {
    Map(KernelName),
    Filter(KernelName),
    Enumerate,
    MapWith(KernelName, Val),
    Reduce(KernelName),
    Sum,
    /// Anything else in a stage's place.
    Other(Val),
}

#[derive(Debug, Arbitrary)]
struct ContextSpec {
    id: String,
    bytes: Option<Val>,
}

#[derive(Debug, Arbitrary)]
enum Text {
    Field(u8),
    Any(String),
}

/// A CBOR value.
#[derive(Debug, Arbitrary)]
enum Val {
    Null,
    Bool(bool),
    Uint(u64),
    Int(i64),
    /// Beyond 64 bits: CBOR's -2^64 .. -2^63 range.
    Neg(u64),
    Float(f64),
    Text(Text),
    Bytes(Vec<u8>),
    /// An RFC 8746 typed array: tag 64 + (n mod 24) over raw bytes.
    Typed(u8, Vec<u8>),
    Array(Vec<Val>),
    Map(Vec<(Text, Val)>),
    Tag(u64, Box<Val>),
}

impl FrameSpec {
    /// The request this spec describes.
    pub fn request(&self) -> Request {
        Request {
            call: self.call.clone(),
            chunk: self.chunk,
            kernel: self.kernel.name(),
            mode: match self.mode {
                ModeSpec::Map => Mode::Map,
                ModeSpec::Slice => Mode::Slice,
                ModeSpec::Reduce => Mode::Reduce,
                ModeSpec::Pipe => Mode::Pipe,
            },
            payload: self.payload.bytes(),
            context: self.context.as_ref().map(|c| Context {
                id: c.id.clone(),
                bytes: c.bytes.as_ref().map(|v| to_vec(&v.value(0))),
            }),
        }
    }
}

impl KernelName {
    fn name(&self) -> String {
        static NAMES: OnceLock<Vec<String>> = OnceLock::new();
        let names = NAMES.get_or_init(wasm_pmap::__private::kernel_names);
        match self {
            KernelName::Registered(i) => names[*i as usize % names.len()].clone(),
            KernelName::Other(s) => s.clone(),
        }
    }
}

impl PayloadSpec {
    fn bytes(&self) -> Vec<u8> {
        let items = |v: &[Val]| Value::Array(v.iter().map(|x| x.value(1)).collect());
        match self {
            PayloadSpec::Items(v) => to_vec(&items(v)),
            PayloadSpec::One(v) => to_vec(&v.value(0)),
            PayloadSpec::Pipe {
                stages,
                base,
                items: v,
            } => {
                let stages: Vec<Value> = stages.iter().map(StageSpec::value).collect();
                let items = Value::Bytes(to_vec(&items(v)));
                to_vec(&Value::Array(vec![
                    Value::Array(stages),
                    Value::Integer((*base).into()),
                    items,
                ]))
            }
            PayloadSpec::Raw(b) => b.clone(),
        }
    }
}

impl StageSpec {
    fn value(&self) -> Value {
        let op = |n: u8| Value::Integer(n.into());
        let k = |k: &KernelName| Value::Text(k.name());
        Value::Array(match self {
            StageSpec::Map(n) => vec![op(0), k(n)],
            StageSpec::Filter(n) => vec![op(1), k(n)],
            StageSpec::Enumerate => vec![op(2)],
            StageSpec::MapWith(n, ctx) => vec![op(3), k(n), Value::Bytes(to_vec(&ctx.value(0)))],
            StageSpec::Reduce(n) => vec![op(4), k(n)],
            StageSpec::Sum => vec![op(5)],
            StageSpec::Other(v) => return v.value(1),
        })
    }
}

impl Text {
    fn value(&self) -> String {
        match self {
            Text::Field(i) => FIELDS[*i as usize % FIELDS.len()].to_owned(),
            Text::Any(s) => s.clone(),
        }
    }
}

impl Val {
    fn value(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let d = depth + 1;
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Uint(n) => Value::Integer((*n).into()),
            Val::Int(n) => Value::Integer((*n).into()),
            Val::Neg(n) => Value::Integer(
                Integer::try_from(-1 - i128::from(*n)).expect("-2^64 ..= -1 is a CBOR integer"),
            ),
            Val::Float(f) => Value::Float(*f),
            Val::Text(t) => Value::Text(t.value()),
            Val::Bytes(b) => Value::Bytes(b.clone()),
            Val::Typed(t, b) => {
                Value::Tag(64 + u64::from(*t % 24), Box::new(Value::Bytes(b.clone())))
            }
            Val::Array(v) => Value::Array(v.iter().map(|x| x.value(d)).collect()),
            Val::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (Value::Text(k.value()), v.value(d)))
                    .collect(),
            ),
            Val::Tag(t, v) => Value::Tag(*t, Box::new(v.value(d))),
        }
    }
}
