//! A frame that is cut short, of the wrong shape, or mutated byte by byte is answered with a
//! response frame: a `Frame` failure where the header does not decode.

use super::{answer, failure, pipe_payload, request, Scale, Tree};
use crate::error::ErrorKind;
use crate::test_support::nested;
use crate::wire::{to_vec, Context, Mode, Response};

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
            "totalF64",
            Mode::Slice,
            to_vec(&crate::typed::TypedVec(vec![1.0f64, 2.0])),
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
                let out = std::panic::catch_unwind(|| crate::entry::run(&bad))
                    .unwrap_or_else(|_| panic!("{} byte {at} = {b:#04x} panicked", req.kernel));
                Response::decode(&out).expect("a response frame");
            }
        }
    }
}
