//! Pipe mode: a parallel iterator's stages run inside a worker, chunk by chunk, in one
//! round trip per chunk however many `map`/`filter` stages the iterator has.
//!
//! ```text
//! pipe payload = [stages, base: uint, items: bytes]      items = CBOR array of the chunk's items
//! stage        = [0, kernel]            map
//!              | [1, kernel]            filter (kernel: item -> bool)
//!              | [2]                    enumerate (index = base + position)
//!              | [3, kernel, bytes]     map_with (bytes: the context's CBOR)
//!              | [4, kernel]            reduce: the chunk folds to one value (null if empty)
//!              | [5]                    sum: likewise, numerically
//! body         = CBOR array of outputs, or (reduce, sum) one value or null
//! ```
//! Between stages the items stay CBOR: a map stage is the kernel's own map mode over the
//! bytes the previous stage produced; filter and enumerate re-shape the array as
//! `ciborium::Value`s, which keeps typed arrays (tagged byte strings) intact.

use ciborium::Value;
use serde::de::DeserializeOwned;
use serde_bytes::ByteBuf;

use crate::error::{ErrorKind, Failure, PmapError};
use crate::lenient::LenientDe;
use crate::registry;
use crate::wire::{to_vec, Context, Mode};

/// One step of a parallel iterator, as it travels to the workers.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// `.map(kernel)`.
    Map(&'static str),
    /// `.filter(kernel)`.
    Filter(&'static str),
    /// `.enumerate()`.
    Enumerate,
    /// `.map_with(context, kernel)`, with the context's CBOR.
    MapWith(&'static str, Vec<u8>),
    /// `.reduce(kernel)`: the chunk folds to one value.
    Reduce(&'static str),
    /// `.sum()`.
    Sum,
}

impl Stage {
    fn to_value(&self) -> Value {
        let text = |s: &str| Value::Text(s.to_owned());
        let op = |n: u8| Value::Integer(n.into());
        Value::Array(match self {
            Stage::Map(k) => vec![op(0), text(k)],
            Stage::Filter(k) => vec![op(1), text(k)],
            Stage::Enumerate => vec![op(2)],
            Stage::MapWith(k, ctx) => vec![op(3), text(k), Value::Bytes(ctx.clone())],
            Stage::Reduce(k) => vec![op(4), text(k)],
            Stage::Sum => vec![op(5)],
        })
    }

    /// The kernel a stage runs, for labels and error messages.
    pub fn kernel(&self) -> Option<&'static str> {
        match self {
            Stage::Map(k) | Stage::Filter(k) | Stage::MapWith(k, _) | Stage::Reduce(k) => Some(k),
            Stage::Enumerate | Stage::Sum => None,
        }
    }
}

/// A decoded stage, borrowing nothing (kernel names are looked up in the registry).
enum WorkerStage {
    Map(String),
    Filter(String),
    Enumerate,
    MapWith(String, Vec<u8>),
    Reduce(String),
    Sum,
}

fn decode_stage(v: Value) -> Result<WorkerStage, Failure> {
    let bad = || frame_error("malformed pipe stage");
    let Value::Array(parts) = v else {
        return Err(bad());
    };
    let mut it = parts.into_iter();
    let op = it
        .next()
        .and_then(|v| v.as_integer())
        .and_then(|i| u8::try_from(i).ok());
    let mut text = || match it.next() {
        Some(Value::Text(s)) => Ok(s),
        _ => Err(bad()),
    };
    Ok(match op {
        Some(0) => WorkerStage::Map(text()?),
        Some(1) => WorkerStage::Filter(text()?),
        Some(2) => WorkerStage::Enumerate,
        Some(3) => {
            let k = text()?;
            match it.next() {
                Some(Value::Bytes(b)) => WorkerStage::MapWith(k, b),
                _ => return Err(bad()),
            }
        }
        Some(4) => WorkerStage::Reduce(text()?),
        Some(5) => WorkerStage::Sum,
        _ => return Err(bad()),
    })
}

/// The caller side: one chunk's payload.
pub fn encode_payload(stages: &[Stage], base: usize, items: &[u8]) -> Vec<u8> {
    let stages: Vec<Value> = stages.iter().map(Stage::to_value).collect();
    to_vec(&(stages, base as u64, serde_bytes::Bytes::new(items)))
}

/// The worker side: runs one chunk through its stages. `call` (the pool call's id) keys
/// the `map_with` contexts in the per-worker cache.
pub fn run(call: &str, payload: &[u8]) -> Result<Vec<u8>, Failure> {
    crate::__private::read_by_rust(|| run_stages(call, payload))
}

fn run_stages(call: &str, payload: &[u8]) -> Result<Vec<u8>, Failure> {
    // Through `LenientDe` for its bound on declared lengths (the stages' array).
    let LenientDe((stages, base, items)): LenientDe<(Vec<Value>, u64, ByteBuf)> =
        ciborium::de::from_reader(payload).map_err(|e| {
            frame_error(&format!(
                "malformed pipe payload: {}",
                crate::wire::cbor_error(e)
            ))
        })?;
    let mut cur = items.into_vec();
    for (i, stage) in stages.into_iter().enumerate() {
        cur = match decode_stage(stage)? {
            WorkerStage::Map(k) if is_slice_kernel(&k) => map_slices(&k, &cur)?,
            WorkerStage::Map(k) => registry::run(&k, Mode::Map, &cur, None)?,
            WorkerStage::MapWith(k, bytes) => {
                let ctx = Context {
                    id: format!("{call}/pipe{i}"),
                    bytes: Some(bytes),
                };
                registry::run(&k, Mode::Map, &cur, Some(&ctx))?
            }
            WorkerStage::Filter(k) => {
                let keep: Vec<bool> = decode_pipe(&k, &registry::run(&k, Mode::Map, &cur, None)?)?;
                let items: Vec<Value> = decode_pipe(&k, &cur)?;
                let kept: Vec<Value> = items
                    .into_iter()
                    .zip(keep)
                    .filter_map(|(v, k)| k.then_some(v))
                    .collect();
                to_vec(&kept)
            }
            WorkerStage::Enumerate => {
                let items: Vec<Value> = decode_pipe("enumerate", &cur)?;
                let pairs = items
                    .into_iter()
                    .enumerate()
                    .map(|(j, v)| {
                        // Why checked: `base` comes from the payload, and an overflow panics.
                        let index = base
                            .checked_add(j as u64)
                            .ok_or_else(|| frame_error("enumerate: index beyond u64"))?;
                        Ok(Value::Array(vec![Value::Integer(index.into()), v]))
                    })
                    .collect::<Result<Vec<Value>, Failure>>()?;
                to_vec(&pairs)
            }
            WorkerStage::Reduce(k) => registry::run(&k, Mode::Reduce, &cur, None)?,
            WorkerStage::Sum => {
                let items: Vec<Value> = decode_pipe("sum", &cur)?;
                let sum = sum_values(items.into_iter().map(Some))
                    .map_err(|m| Failure::new(ErrorKind::Kernel, "sum", m))?;
                to_vec(&sum)
            }
        };
    }
    Ok(cur)
}

fn is_slice_kernel(name: &str) -> bool {
    registry::find(name).is_some_and(|k| k.kind == registry::Kind::Slice)
}

/// A `#[kernel(slice)]` as a map stage: each item is one slice (a `Vec<T>`, e.g. from
/// `par_chunks`), run as one slice-mode call; the outputs, one per item, in order.
fn map_slices(kernel: &str, cur: &[u8]) -> Result<Vec<u8>, Failure> {
    let items: Vec<Value> = decode_pipe(kernel, cur)?;
    let mut outs = Vec::with_capacity(items.len());
    for item in items {
        let body = registry::run(kernel, Mode::Slice, &to_vec(&item), None)?;
        outs.push(decode_pipe::<Value>(kernel, &body)?);
    }
    Ok(to_vec(&outs))
}

/// Adds CBOR numbers: integers exactly (as i128) while every term is an integer, else as
/// f64. `None` terms (empty chunks) are skipped; no terms at all gives `None`.
pub fn sum_values(terms: impl IntoIterator<Item = Option<Value>>) -> Result<Option<Value>, String> {
    enum Acc {
        Int(i128),
        Float(f64),
    }
    let mut acc: Option<Acc> = None;
    for v in terms.into_iter().flatten() {
        let term = match v {
            Value::Integer(i) => Acc::Int(i128::from(i)),
            Value::Float(f) => Acc::Float(f),
            other => return Err(format!("sum() needs numbers, got {other:?}")),
        };
        acc = Some(match (acc, term) {
            (None, t) => t,
            (Some(Acc::Int(a)), Acc::Int(b)) => {
                Acc::Int(a.checked_add(b).ok_or("sum() overflowed i128")?)
            }
            (Some(Acc::Int(a)), Acc::Float(b)) => Acc::Float(a as f64 + b),
            (Some(Acc::Float(a)), Acc::Int(b)) => Acc::Float(a + b as f64),
            (Some(Acc::Float(a)), Acc::Float(b)) => Acc::Float(a + b),
        });
    }
    Ok(match acc {
        None => None,
        Some(Acc::Float(f)) => Some(Value::Float(f)),
        Some(Acc::Int(i)) => Some(match ciborium::value::Integer::try_from(i) {
            Ok(i) => Value::Integer(i),
            Err(_) => return Err("sum() does not fit a CBOR integer".into()),
        }),
    })
}

/// Decodes a body (or stage output) as `T`; integers may fill floats (see lenient.rs).
pub fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, PmapError> {
    ciborium::de::from_reader::<LenientDe<T>, _>(bytes)
        .map(|v| v.0)
        .map_err(|e| {
            PmapError::new(
                crate::error::ErrorKind::Pool,
                None,
                format!(
                    "{what}: a result does not decode as {}: {}",
                    std::any::type_name::<T>(),
                    crate::wire::cbor_error(e)
                ),
            )
        })
}

fn decode_pipe<T: DeserializeOwned>(kernel: &str, bytes: &[u8]) -> Result<T, Failure> {
    ciborium::de::from_reader::<LenientDe<T>, _>(bytes)
        .map(|v| v.0)
        .map_err(|e| {
            Failure::new(
                ErrorKind::Decode,
                kernel,
                format!(
                    "pipe stage output does not decode: {}",
                    crate::wire::cbor_error(e)
                ),
            )
        })
}

fn frame_error(message: &str) -> Failure {
    Failure::new(ErrorKind::Frame, "", message)
}
