//! Kernels that exist only to be reached by fuzzed frames: one per input shape the
//! runtime decodes (integers of every width, floats, strings, options, tuples, a struct
//! with a nested typed array, an enum, typed arrays in every element type, a context),
//! each doing constant work per item so a finding is the decoder's, not the kernel's.

use serde::{Deserialize, Serialize};

/// A struct of several fields, as a user's kernel takes one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Shape {
    /// A float (cbor-x may send an integer).
    pub x: f64,
    /// A 64-bit integer.
    pub id: u64,
    /// A text.
    pub name: String,
    /// A typed array inside a struct.
    pub weights: Vec<f64>,
    /// Bytes.
    pub data: Vec<u8>,
    /// An optional signed integer.
    pub offset: Option<i32>,
}

/// An externally tagged enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Choice {
    /// A unit variant.
    Empty,
    /// A newtype variant.
    Count(u16),
    /// A struct variant.
    Span {
        /// Start.
        from: i64,
        /// End.
        to: i64,
    },
}

/// A broadcast context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// One weight per element.
    pub w: Vec<f64>,
}

/// A u64 (beyond JS's safe integers).
#[wasm_pmap::kernel]
pub fn fuzz_u64(x: u64) -> u64 {
    x.wrapping_add(1)
}

/// An i64.
#[wasm_pmap::kernel]
pub fn fuzz_i64(x: i64) -> i64 {
    x.wrapping_neg()
}

/// An i8 (narrow: most integers do not fit).
#[wasm_pmap::kernel]
pub fn fuzz_i8(x: i8) -> i8 {
    x.wrapping_sub(1)
}

/// An f32.
#[wasm_pmap::kernel]
pub fn fuzz_f32(x: f32) -> f32 {
    x * 0.5
}

/// An optional u32.
#[wasm_pmap::kernel]
pub fn fuzz_option(x: Option<u32>) -> Option<u32> {
    x.map(|v| v.wrapping_mul(3))
}

/// Several arguments: the item is a tuple.
#[wasm_pmap::kernel]
pub fn fuzz_tuple(a: u32, b: String, c: bool) -> (bool, usize, u32) {
    (!c, b.len(), a)
}

/// A struct in and out.
#[wasm_pmap::kernel]
pub fn fuzz_shape(s: Shape) -> Shape {
    s
}

/// An enum.
#[wasm_pmap::kernel]
pub fn fuzz_choice(c: Choice) -> Choice {
    c
}

/// A `Result` kernel: `Err` on even numbers.
#[wasm_pmap::kernel]
pub fn fuzz_result(x: u32) -> Result<u32, String> {
    if x.is_multiple_of(2) {
        Err(format!("{x} is even"))
    } else {
        Ok(x)
    }
}

/// Typed arrays as items.
#[wasm_pmap::kernel]
pub fn fuzz_vec_u16(v: Vec<u16>) -> Vec<u32> {
    v.into_iter().map(u32::from).collect()
}

/// Typed arrays as items.
#[wasm_pmap::kernel]
pub fn fuzz_vec_i64(v: Vec<i64>) -> usize {
    v.len()
}

/// Nested non-typed vectors.
#[wasm_pmap::kernel]
pub fn fuzz_nested(v: Vec<Vec<String>>) -> usize {
    v.iter().map(Vec::len).sum()
}

/// A slice kernel over bytes.
#[wasm_pmap::kernel(slice)]
pub fn fuzz_slice_u8(xs: &[u8]) -> Vec<u8> {
    xs.iter().rev().copied().collect()
}

/// A slice kernel over i16.
#[wasm_pmap::kernel(slice)]
pub fn fuzz_slice_i16(xs: &[i16]) -> Vec<i16> {
    xs.iter().map(|x| x.wrapping_neg()).collect()
}

/// A slice kernel over u64.
#[wasm_pmap::kernel(slice)]
pub fn fuzz_slice_u64(xs: &[u64]) -> Vec<u64> {
    xs.to_vec()
}

/// A slice kernel over f32.
#[wasm_pmap::kernel(slice)]
pub fn fuzz_slice_f32(xs: &[f32]) -> Vec<f32> {
    xs.iter().map(|x| x * 2.0).collect()
}

/// A reduce kernel over i64.
#[wasm_pmap::kernel(reduce)]
pub fn fuzz_max_i64(a: i64, b: i64) -> i64 {
    a.max(b)
}

/// A reduce kernel over strings.
#[wasm_pmap::kernel(reduce)]
pub fn fuzz_longest(a: String, b: String) -> String {
    if b.len() > a.len() {
        b
    } else {
        a
    }
}

/// A context kernel (`map_with`).
#[wasm_pmap::kernel(context)]
pub fn fuzz_weighted(weights: &Weights, row: Vec<f64>) -> f64 {
    weights.w.iter().zip(&row).map(|(w, x)| w * x).sum()
}

/// A predicate, for pipe filter stages.
#[wasm_pmap::kernel]
pub fn fuzz_is_odd(x: u64) -> bool {
    x % 2 == 1
}
