//! Checks `wire.rs` against the shared byte vectors in `tests/vectors/wire.json`, which
//! `tests/node/frames.test.ts` checks against `ts/protocol/frames.ts`. Regenerate the file
//! (after a deliberate protocol change) with
//! `PMAP_WRITE_VECTORS=1 cargo test -p wasm-pmap --lib wire::tests::vectors`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::error::{ErrorKind, Failure};
use crate::js_int::JsInts;
use crate::lenient::LenientDe;
use crate::test_support::hex;
use crate::typed::TypedVec;
use crate::wire::{to_vec, Context, Mode, Request, Response};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowSpec {
    y: u32,
    width: u32,
    height: u32,
    max_iter: u32,
}

/// A value vector: the Rust value's CBOR must equal `hex`, and decode back to the value.
/// `value` is how the JS side writes it (`$f64`/`$bytes` mark typed arrays).
fn value<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
    name: &str,
    v: T,
    js: Json,
) -> Json {
    let bytes = to_vec(&v);
    let back: T = ciborium::de::from_reader(&bytes[..]).unwrap();
    assert_eq!(back, v, "{name} round trip");
    // ciborium writes floats in their shortest exact form (f16/f32), cbor-x always as f64:
    // both sides decode either, so such vectors are compared decoded, not byte for byte.
    let exact = !name.starts_with("items-") || !name.ends_with("-f64");
    json!({ "name": name, "hex": hex(&bytes), "value": js, "exactFromJs": exact })
}

/// A kernel output as a TypeScript reader gets it (`js_int.rs`), for a kernel of numbers or
/// of BigInts; the JS value writes a BigInt as `{ "$bigint": "<decimal>" }`. cbor-x writes
/// a BigInt as Rust does (an 8-byte integer, a bignum beyond 64 bits), so the BigInt vectors
/// pin both directions byte for byte; a number beyond 32 bits it writes as a float64 where
/// ciborium picks the shortest exact float.
fn output<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
    name: &str,
    v: T,
    ints: JsInts,
    js: Json,
) -> Json {
    let mut bytes = Vec::new();
    crate::js_int::encode(&v, ints, &mut bytes).unwrap();
    // Read back as a kernel reads JS input (floats for integers allowed).
    let LenientDe(back): LenientDe<T> = ciborium::de::from_reader(&bytes[..]).unwrap();
    assert_eq!(back, v, "{name} round trip");
    let exact = ints == JsInts::BigInt;
    json!({ "name": name, "hex": hex(&bytes), "value": js, "exactFromJs": exact })
}

/// A field element and friends, as a `large_number_types_as_bigints` kernel returns them.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Limbs {
    x: [u64; 3],
    neg: i64,
    wide: u128,
    small: u32,
}

fn big(v: impl ToString) -> Json {
    json!({ "$bigint": v.to_string() })
}

fn expected() -> Json {
    let values = vec![
        value(
            "items-u32",
            vec![1u32, 2, 3, 1_000_000],
            json!([1, 2, 3, 1_000_000]),
        ),
        value(
            "items-string",
            vec!["a".to_string(), "héllo".into()],
            json!(["a", "héllo"]),
        ),
        value(
            "items-struct",
            vec![RowSpec {
                y: 1,
                width: 4,
                height: 2,
                max_iter: 10,
            }],
            json!([{ "y": 1, "width": 4, "height": 2, "maxIter": 10 }]),
        ),
        value(
            "items-pair-f64",
            vec![(0.1f64, -2.75f64)],
            json!([[0.1, -2.75]]),
        ),
        value(
            "typed-f64",
            TypedVec(vec![1.0f64, -2.5, 1e300]),
            json!({ "$f64": [1.0, -2.5, 1e300] }),
        ),
        value(
            "typed-u8",
            TypedVec(vec![0u8, 1, 255]),
            json!({ "$bytes": "0001ff" }),
        ),
        output(
            "bigint-limbs",
            Limbs {
                x: [0, u64::MAX, (1 << 53) + 1],
                neg: i64::MIN,
                wide: (1 << 64) + 5,
                small: 7,
            },
            JsInts::BigInt,
            json!({
                "x": [big(0), big(u64::MAX), big((1u64 << 53) + 1)],
                "neg": big(i64::MIN),
                "wide": big((1u128 << 64) + 5),
                "small": 7,
            }),
        ),
        output(
            "number-u64-safe",
            vec![(1u64 << 53) - 1, 1 << 32, 5],
            JsInts::Number,
            json!([9007199254740991u64, 4294967296u64, 5]),
        ),
    ];
    let payload = to_vec(&[1u32, 2, 3]);
    let req = Request {
        call: "4f1c2a:7".into(),
        chunk: 3,
        kernel: "double".into(),
        mode: Mode::Map,
        payload: payload.clone(),
        context: None,
    };
    let slice_payload = to_vec(&TypedVec(vec![4.0f64, 9.0]));
    let req_slice = Request {
        call: "4f1c2a:8".into(),
        chunk: 0,
        kernel: "sqrtF64".into(),
        mode: Mode::Slice,
        payload: slice_payload.clone(),
        context: None,
    };
    let ctx_payload = to_vec(&[TypedVec(vec![1.0f64, 2.0])]);
    let ctx_bytes = to_vec(&json!({ "w": [0.5, 2] }));
    let req_ctx = Request {
        call: "4f1c2a:9".into(),
        chunk: 1,
        kernel: "dot".into(),
        mode: Mode::Map,
        payload: ctx_payload.clone(),
        context: Some(Context {
            id: "4f1c2a:9".into(),
            bytes: Some(ctx_bytes.clone()),
        }),
    };
    let req_ctx_later = Request {
        chunk: 2,
        context: Some(Context {
            id: "4f1c2a:9".into(),
            bytes: None,
        }),
        ..req_ctx.clone()
    };
    let ok = Response {
        call: "4f1c2a:7".into(),
        chunk: 3,
        body: Ok(to_vec(&[2u32, 4, 6])),
    };
    let mut failure = Failure::new(
        ErrorKind::Decode,
        "double",
        "kernel \"double\": item 1 does not decode as u32",
    );
    failure.expected = Some("number".into());
    failure.index = Some(1);
    let err = Response {
        call: "4f1c2a:7".into(),
        chunk: 4,
        body: Err(failure),
    };
    json!({
        "comment": "Shared by rust/pmap/src/wire/tests/vectors.rs and tests/node/frames.test.ts. Generated by the Rust test (PMAP_WRITE_VECTORS=1); do not edit by hand.",
        "values": values,
        "requests": [
            { "name": "map-double", "hex": hex(&req.encode()), "call": req.call, "chunk": 3, "kernel": "double", "mode": 0, "payloadHex": hex(&payload), "context": null },
            { "name": "slice-sqrt", "hex": hex(&req_slice.encode()), "call": req_slice.call, "chunk": 0, "kernel": "sqrtF64", "mode": 1, "payloadHex": hex(&slice_payload), "context": null },
            { "name": "map-with-context-first", "hex": hex(&req_ctx.encode()), "call": req_ctx.call, "chunk": 1, "kernel": "dot", "mode": 0, "payloadHex": hex(&ctx_payload),
              "context": { "id": "4f1c2a:9", "bytesHex": hex(&ctx_bytes) } },
            { "name": "map-with-context-later", "hex": hex(&req_ctx_later.encode()), "call": req_ctx.call, "chunk": 2, "kernel": "dot", "mode": 0, "payloadHex": hex(&ctx_payload),
              "context": { "id": "4f1c2a:9", "bytesHex": null } },
        ],
        "responses": [
            { "name": "ok", "hex": hex(&ok.encode()), "call": "4f1c2a:7", "chunk": 3, "bodyHex": hex(ok.body.as_ref().unwrap()) },
            { "name": "decode-error", "hex": hex(&err.encode()), "call": "4f1c2a:7", "chunk": 4,
              "failure": { "kind": "decode", "kernel": "double", "message": "kernel \"double\": item 1 does not decode as u32", "expected": "number", "index": 1 } },
        ],
    })
}

#[test]
fn wire_matches_shared_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/wire.json");
    let want = expected();
    if std::env::var_os("PMAP_WRITE_VECTORS").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&want).unwrap() + "\n").unwrap();
    }
    let have: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        have, want,
        "tests/vectors/wire.json is out of date with wire.rs"
    );

    // And the frames decode back to their fields.
    for r in have["requests"].as_array().unwrap() {
        let bytes = unhex(r["hex"].as_str().unwrap());
        let req = Request::decode(&bytes).unwrap();
        assert_eq!(req.call, r["call"]);
        assert_eq!(req.kernel, r["kernel"]);
        assert_eq!(req.chunk as u64, r["chunk"].as_u64().unwrap());
        assert_eq!(req.mode as u64, r["mode"].as_u64().unwrap());
        assert_eq!(hex(&req.payload), r["payloadHex"]);
        let ctx = req
            .context
            .map(|c| json!({ "id": c.id, "bytesHex": c.bytes.map(|b| hex(&b)) }));
        assert_eq!(ctx.unwrap_or(Json::Null), r["context"]);
    }
    for r in have["responses"].as_array().unwrap() {
        let resp = Response::decode(&unhex(r["hex"].as_str().unwrap())).unwrap();
        match resp.body {
            Ok(b) => assert_eq!(hex(&b), r["bodyHex"]),
            Err(f) => assert_eq!(serde_json::to_value(&f).unwrap(), r["failure"]),
        }
    }
}

#[test]
fn frames_with_a_foreign_version_are_refused() {
    let mut bytes = unhex(&hex(&Request {
        call: "j".into(),
        chunk: 0,
        kernel: "k".into(),
        mode: Mode::Map,
        payload: vec![0x80],
        context: None,
    }
    .encode()));
    bytes[1] = 2; // [0x87, version, ...]
    let err = Request::decode(&bytes).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Frame);
    assert!(err.message.contains("wire version 2"), "{}", err.message);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
