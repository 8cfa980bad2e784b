//! Malformed frames and payloads are typed failures, never panics: whatever bytes reach
//! `__wasmPmapRun` (a panic there is a trap that costs the worker), it answers one
//! response frame. This file holds the kernels and frames the cases share; the cases are
//! beside it, by what is malformed: the frame itself (`malformed_frames.rs`), or what it
//! carries — items, contexts, pipe stages (`malformed_payloads.rs`). And the panic hook
//! that reports a kernel's panic (`panic_hook.rs`).

use serde::{Deserialize, Serialize};

use crate::error::Failure;
use crate::wire::{to_vec, Mode, Request, Response};

mod malformed_frames;
mod malformed_payloads;
mod panic_hook;

#[wasm_pmap::kernel]
fn inc(x: u32) -> u32 {
    x.wrapping_add(1)
}

#[wasm_pmap::kernel]
fn positive(x: i64) -> bool {
    x > 0
}

#[wasm_pmap::kernel(slice)]
fn total_f64(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

/// A recursive input type: nesting is as deep as the bytes say.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Tree {
    Leaf(u32),
    Node(Vec<Tree>),
}

#[wasm_pmap::kernel]
fn leaves(t: Tree) -> u32 {
    match t {
        Tree::Leaf(_) => 1,
        Tree::Node(ts) => ts.into_iter().map(leaves).sum(),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scale {
    by: f64,
}

#[wasm_pmap::kernel(context)]
fn scaled(s: &Scale, x: f64) -> f64 {
    x * s.by
}

fn request(kernel: &str, mode: Mode, payload: Vec<u8>) -> Request {
    Request {
        call: "c:1".into(),
        chunk: 3,
        kernel: kernel.into(),
        mode,
        payload,
        context: None,
    }
}

/// The response `__wasmPmapRun` gives `frame`: must be a well-formed frame.
fn answer(frame: &[u8]) -> Result<Vec<u8>, Failure> {
    Response::decode(&crate::entry::run(frame))
        .expect("the response is a frame")
        .body
}

fn failure(frame: &[u8]) -> Failure {
    answer(frame).expect_err("a failure")
}

/// A pipe payload: `[stages, base, items]`.
fn pipe_payload(stages: Vec<u8>, base: u64, items: Vec<u8>) -> Vec<u8> {
    [
        vec![0x83],
        stages,
        to_vec(&base),
        to_vec(&serde_bytes::ByteBuf::from(items)),
    ]
    .concat()
}
