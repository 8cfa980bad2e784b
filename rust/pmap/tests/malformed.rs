//! Malformed frames and payloads are typed failures, never panics: whatever bytes reach
//! `__wasmPmapRun` (a panic there is a trap that costs the worker), it answers one
//! response frame.

use serde::{Deserialize, Serialize};
use wasm_pmap::par::pipe;
use wasm_pmap::wire::{to_vec, Context, Mode, Request, Response};
use wasm_pmap::{ErrorKind, Failure};

#[wasm_pmap::kernel]
fn inc(x: u32) -> u32 {
    x.wrapping_add(1)
}

#[wasm_pmap::kernel]
fn positive(x: i64) -> bool {
    x > 0
}

#[wasm_pmap::kernel(slice)]
fn total(xs: &[f64]) -> f64 {
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
    Response::decode(&wasm_pmap::entry::run(frame))
        .expect("the response is a frame")
        .body
}

fn failure(frame: &[u8]) -> Failure {
    answer(frame).expect_err("a failure")
}

/// `[[[ … 7 … ]]]`, `depth` arrays deep.
fn nested(depth: usize) -> Vec<u8> {
    let mut v = vec![0x81; depth];
    v.push(0x07);
    v
}

#[test]
fn every_truncation_of_a_frame_is_a_frame_failure() {
    let frame = request("inc", Mode::Map, to_vec(&[1u32, 2])).encode();
    assert_eq!(answer(&frame), Ok(to_vec(&[2u32, 3])));
    for cut in 0..frame.len() {
        let f = failure(&frame[..cut]);
        assert_eq!(f.kind, ErrorKind::Frame, "cut at {cut}: {f}");
    }
}

#[test]
fn frames_of_the_wrong_shape_are_frame_failures() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "wire version 2",
            to_vec(&(
                2u8,
                "c:1",
                0u32,
                "inc",
                0u8,
                serde_bytes::Bytes::new(&[0x80]),
                (),
            )),
            "wire version 2, this module speaks 1",
        ),
        (
            "unknown mode",
            to_vec(&(
                1u8,
                "c:1",
                0u32,
                "inc",
                9u8,
                serde_bytes::Bytes::new(&[0x80]),
                (),
            )),
            "unknown mode 9",
        ),
        ("not an array", to_vec(&7u32), "malformed request frame"),
        ("a map", vec![0xa0], "malformed request frame"),
        (
            "kernel name as bytes",
            to_vec(&(
                1u8,
                "c:1",
                0u32,
                serde_bytes::Bytes::new(b"inc"),
                0u8,
                serde_bytes::Bytes::new(&[0x80]),
                (),
            )),
            "malformed request frame",
        ),
        (
            "payload as text",
            to_vec(&(1u8, "c:1", 0u32, "inc", 0u8, "[1]", ())),
            "malformed request frame",
        ),
        (
            "chunk beyond u32",
            to_vec(&(
                1u8,
                "c:1",
                1u64 << 40,
                "inc",
                0u8,
                serde_bytes::Bytes::new(&[0x80]),
                (),
            )),
            "malformed request frame",
        ),
        (
            "negative chunk",
            to_vec(&(
                1u8,
                "c:1",
                -1i32,
                "inc",
                0u8,
                serde_bytes::Bytes::new(&[0x80]),
                (),
            )),
            "malformed request frame",
        ),
        (
            "context of the wrong shape",
            to_vec(&(
                1u8,
                "c:1",
                0u32,
                "inc",
                0u8,
                serde_bytes::Bytes::new(&[0x80]),
                5u32,
            )),
            "malformed request frame",
        ),
        (
            "nested to the recursion limit",
            nested(100_000),
            "malformed request frame",
        ),
        ("a break byte", vec![0xff], "malformed request frame"),
        (
            "invalid UTF-8 in the call id",
            [&[0x87, 0x01, 0x62, 0xff, 0xfe][..], &[0; 8]].concat(),
            "malformed request frame",
        ),
    ];
    for (case, frame, why) in cases {
        let f = failure(&frame);
        assert_eq!(f.kind, ErrorKind::Frame, "{case}: {f}");
        assert!(f.message.starts_with(why), "{case}: {}", f.message);
    }
}

#[test]
fn malformed_payloads_are_decode_failures() {
    let cases: Vec<(&str, &str, Mode, Vec<u8>)> = vec![
        ("empty payload", "inc", Mode::Map, vec![]),
        ("truncated array", "inc", Mode::Map, vec![0x83, 0x01]),
        ("not an array", "inc", Mode::Map, to_vec(&1u32)),
        ("a string item", "inc", Mode::Map, to_vec(&("x",))),
        (
            "nested items",
            "leaves",
            Mode::Map,
            [vec![0x81], nested(100_000)].concat(),
        ),
        (
            "ragged typed array",
            "total",
            Mode::Slice,
            [&[0xd8, 86, 0x47][..], &[0; 7]].concat(),
        ),
        ("reduce over a map", "inc", Mode::Reduce, to_vec(&[1u32])),
        (
            "indefinite-length garbage",
            "inc",
            Mode::Map,
            vec![0x9f, 0x01, 0x5f, 0x01],
        ),
    ];
    for (case, kernel, mode, payload) in cases {
        let f = failure(&request(kernel, mode, payload).encode());
        let kind = if mode == Mode::Reduce {
            ErrorKind::Frame
        } else {
            ErrorKind::Decode
        };
        assert_eq!((f.kind, f.kernel.as_str()), (kind, kernel), "{case}: {f}");
    }
    // A tree just below the recursion limit decodes.
    let ok = answer(&request("leaves", Mode::Map, [vec![0x81], nested(200)].concat()).encode());
    assert_eq!(ok, Ok(to_vec(&[1u32])));
}

#[test]
fn malformed_contexts_are_decode_failures() {
    let mut req = request("scaled", Mode::Map, to_vec(&[1.0f64]));
    for bytes in [
        vec![],
        to_vec(&"x"),
        nested(100_000),
        vec![0xa1, 0x62, b'b', b'y'],
    ] {
        req.context = Some(Context {
            id: format!("ctx-{}", bytes.len()),
            bytes: Some(bytes),
        });
        let f = failure(&req.encode());
        assert_eq!(
            (f.kind, f.kernel.as_str()),
            (ErrorKind::Decode, "scaled"),
            "{f}"
        );
    }
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

#[test]
fn malformed_pipe_payloads_are_typed_failures() {
    let stage = |v: ciborium::Value| to_vec(&vec![v]);
    let op = |n: u8, k: Option<&str>| {
        let mut parts = vec![ciborium::Value::Integer(n.into())];
        parts.extend(k.map(|k| ciborium::Value::Text(k.into())));
        ciborium::Value::Array(parts)
    };
    let items = to_vec(&[1i64, -2]);
    let cases: Vec<(&str, Vec<u8>, ErrorKind)> = vec![
        ("not CBOR", vec![0xff, 0x00], ErrorKind::Frame),
        ("empty", vec![], ErrorKind::Frame),
        (
            "items as text",
            to_vec(&(Vec::<u8>::new(), 0u64, "x")),
            ErrorKind::Frame,
        ),
        (
            "unknown op",
            pipe_payload(stage(op(9, Some("inc"))), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "op without kernel",
            pipe_payload(stage(op(0, None)), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "stage not an array",
            pipe_payload(to_vec(&[7u8]), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "unknown kernel",
            pipe_payload(stage(op(0, Some("nope"))), 0, items.clone()),
            ErrorKind::UnknownKernel,
        ),
        (
            "map over the wrong items",
            pipe_payload(stage(op(0, Some("inc"))), 0, to_vec(&["a"])),
            ErrorKind::Decode,
        ),
        (
            "filter with a non-bool kernel",
            pipe_payload(stage(op(1, Some("inc"))), 0, to_vec(&[1u32])),
            ErrorKind::Decode,
        ),
        (
            "filter with a slice kernel",
            pipe_payload(stage(op(1, Some("total"))), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "reduce with a map kernel",
            pipe_payload(stage(op(4, Some("inc"))), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "sum of strings",
            pipe_payload(stage(op(5, None)), 0, to_vec(&["a"])),
            ErrorKind::Kernel,
        ),
        (
            "items not an array",
            pipe_payload(stage(op(2, None)), 0, to_vec(&1u32)),
            ErrorKind::Decode,
        ),
        (
            "nested items",
            pipe_payload(stage(op(2, None)), 0, nested(100_000)),
            ErrorKind::Decode,
        ),
        (
            "nested stages",
            pipe_payload(nested(100_000), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "map_with without context bytes",
            pipe_payload(stage(op(3, Some("scaled"))), 0, items.clone()),
            ErrorKind::Frame,
        ),
        (
            "enumerate beyond u64",
            pipe_payload(stage(op(2, None)), u64::MAX, items.clone()),
            ErrorKind::Frame,
        ),
    ];
    for (case, payload, kind) in cases {
        let f = pipe::run("c:1", &payload).expect_err(case);
        assert_eq!(f.kind, kind, "{case}: {f}");
        // And through a whole frame, as a worker gets it.
        let f = failure(&request("pipe", Mode::Pipe, payload).encode());
        assert_eq!(f.kind, kind, "{case} (frame): {f}");
    }
    let ok = pipe::run(
        "c:1",
        &pipe_payload(stage(op(1, Some("positive"))), 0, items),
    );
    assert_eq!(ok, Ok(to_vec(&[1i64])));
}

#[test]
fn malformed_response_frames_are_frame_failures() {
    let good = Response {
        call: "c:1".into(),
        chunk: 0,
        body: Ok(to_vec(&[1u32])),
    }
    .encode();
    for cut in 0..good.len() {
        let f = Response::decode(&good[..cut]).unwrap_err();
        assert_eq!(f.kind, ErrorKind::Frame);
    }
    for bad in [
        to_vec(&(1u8, "c", 0u32, 7u8, serde_bytes::Bytes::new(&[]))),
        to_vec(&(1u8, "c", 0u32, 1u8, "not a failure map")),
        to_vec(&(1u8, "c", 0u32, 0u8, "not bytes")),
        to_vec(&(3u8, "c", 0u32, 0u8, serde_bytes::Bytes::new(&[]))),
        nested(100_000),
    ] {
        assert_eq!(Response::decode(&bad).unwrap_err().kind, ErrorKind::Frame);
    }
}

/// Valid frames of every mode, with each byte in turn replaced by bytes that change what
/// CBOR means (huge lengths, tags, floats, breaks): every one answers a response frame.
#[test]
fn every_single_byte_mutation_of_valid_frames_answers_a_frame() {
    let stage = |n: u8, k: &str| {
        ciborium::Value::Array(vec![
            ciborium::Value::Integer(n.into()),
            ciborium::Value::Text(k.into()),
        ])
    };
    let mut with_context = request("scaled", Mode::Map, to_vec(&[1.0f64, 2.5]));
    with_context.context = Some(Context {
        id: "ctx".into(),
        bytes: Some(to_vec(&Scale { by: 2.0 })),
    });
    let frames = [
        request("inc", Mode::Map, to_vec(&[1u32, 300, 70000])),
        request(
            "total",
            Mode::Slice,
            to_vec(&wasm_pmap::typed::TypedVec(vec![1.0f64, 2.0])),
        ),
        request(
            "leaves",
            Mode::Map,
            to_vec(&[Tree::Node(vec![Tree::Leaf(1), Tree::Node(vec![])])]),
        ),
        with_context,
        request(
            "pipe",
            Mode::Pipe,
            pipe_payload(
                to_vec(&vec![stage(0, "inc"), stage(1, "positive")]),
                5,
                to_vec(&[1u32, 2]),
            ),
        ),
    ];
    let replacements = [
        0x00, 0x17, 0x18, 0x1b, 0x3b, 0x5b, 0x5f, 0x7b, 0x7f, 0x9b, 0x9f, 0xbb, 0xbf, 0xc2, 0xd8,
        0xf6, 0xf9, 0xfb, 0xff,
    ];
    for req in frames {
        let frame = req.encode();
        for at in 0..frame.len() {
            for &b in &replacements {
                let mut bad = frame.clone();
                bad[at] = b;
                let out = std::panic::catch_unwind(|| wasm_pmap::entry::run(&bad))
                    .unwrap_or_else(|_| panic!("{} byte {at} = {b:#04x} panicked", req.kernel));
                Response::decode(&out).expect("a response frame");
            }
        }
    }
}
