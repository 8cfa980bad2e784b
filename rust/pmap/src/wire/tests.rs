//! Frames encode and decode to themselves, whatever their fields (proptest), and a
//! malformed response frame is a `Frame` failure. Beside this file: the shared byte vectors
//! both languages check their codec against (`vectors.rs`).

use proptest::collection::vec;
use proptest::prelude::*;

use super::{to_vec, Context, Mode, Request, Response};
use crate::error::{ErrorKind, Failure, ERROR_KINDS};
use crate::test_support::{nested, proptest_config};

mod vectors;

fn mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(vec![Mode::Map, Mode::Slice, Mode::Reduce, Mode::Pipe])
}

fn failure() -> impl Strategy<Value = Failure> {
    (
        prop::sample::select(ERROR_KINDS.iter().map(|r| r.kind).collect::<Vec<_>>()),
        ".{0,8}",
        ".{0,24}",
        any::<Option<String>>(),
        any::<Option<u32>>(),
        prop::option::of(vec(".{0,6}", 0..4)),
    )
        .prop_map(|(kind, kernel, message, expected, index, known)| Failure {
            kind,
            kernel,
            message,
            expected,
            index,
            known,
        })
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn any_request_decodes_to_itself(
        call in ".{0,24}",
        chunk in any::<u32>(),
        kernel in ".{0,16}",
        mode in mode(),
        payload in vec(any::<u8>(), 0..64),
        context in prop::option::of((".{0,12}", prop::option::of(vec(any::<u8>(), 0..32)))),
    ) {
        let req = Request {
            call,
            chunk,
            kernel,
            mode,
            payload,
            context: context.map(|(id, bytes)| Context { id, bytes }),
        };
        prop_assert_eq!(Request::decode(&req.encode()), Ok(req));
    }

    #[test]
    fn any_response_decodes_to_itself(
        call in ".{0,24}",
        chunk in any::<u32>(),
        body in prop::result::maybe_ok(vec(any::<u8>(), 0..64), failure()),
    ) {
        let res = Response { call, chunk, body };
        prop_assert_eq!(Response::decode(&res.encode()), Ok(res));
    }
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
