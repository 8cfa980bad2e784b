//! What a well-formed frame carries, malformed: items and contexts are `Decode` failures of
//! the kernel they were for; a pipe payload's stages and items are typed failures, directly
//! and through a frame.

use super::{answer, failure, pipe_payload, request};
use crate::error::ErrorKind;
use crate::par::pipe;
use crate::test_support::nested;
use crate::wire::{to_vec, Context, Mode};

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
            "totalF64",
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
            pipe_payload(stage(op(1, Some("totalF64"))), 0, items.clone()),
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
