//! The slice path (`slice.rs`, `__wasmPmapRunSlice`): a slice kernel's chunk as raw bytes
//! beside a slice-mode frame whose payload names the caller's typed array; a typed output
//! as raw bytes beside an empty body, any other output as CBOR in the body.

use crate::error::ErrorKind;
use crate::slice::{self, RawOutput};
use crate::typed::as_bytes;
use crate::wire::{Mode, Request, Response};

/// Square roots, one for one.
#[wasm_pmap::kernel(slice)]
fn roots(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| x.sqrt()).collect()
}

/// Bytes in, a histogram of another element type and length out.
#[wasm_pmap::kernel(slice)]
fn histogram(bytes: &[u8]) -> Vec<u32> {
    let mut h = vec![0u32; 4];
    for b in bytes {
        h[(*b as usize) % 4] += 1;
    }
    h
}

/// Not a numeric vector: goes back as CBOR.
#[wasm_pmap::kernel(slice)]
fn total(xs: &[i32]) -> i64 {
    xs.iter().map(|&x| x as i64).sum()
}

#[wasm_pmap::kernel(slice)]
fn picky(xs: &[f32]) -> Result<Vec<f32>, String> {
    if xs.is_empty() {
        Err("no elements".into())
    } else {
        Ok(xs.to_vec())
    }
}

#[wasm_pmap::kernel]
fn not_a_slice_kernel(x: u32) -> u32 {
    x
}

fn frame(kernel: &str, array: &str) -> Vec<u8> {
    Request {
        call: "pool:7".into(),
        chunk: 3,
        kernel: kernel.into(),
        mode: Mode::Slice,
        payload: array.as_bytes().to_vec(),
        context: None,
    }
    .encode()
}

fn run(kernel: &str, array: &str, data: &[u8]) -> (Response, Option<Box<dyn RawOutput>>) {
    let (bytes, raw) = slice::run(&frame(kernel, array), &data);
    (Response::decode(&bytes).unwrap(), raw)
}

#[test]
fn a_typed_output_comes_back_as_raw_bytes_beside_an_empty_body() {
    let input = [4.0f64, 9.0, 2.25];
    let (resp, raw) = run("roots", "Float64Array", as_bytes(&input));
    assert_eq!((resp.call.as_str(), resp.chunk), ("pool:7", 3));
    assert_eq!(resp.body, Ok(vec![]));
    let expected = [2.0f64, 3.0, 1.5];
    assert_eq!(raw.unwrap().bytes(), as_bytes(&expected));
}

#[test]
fn outputs_of_another_type_and_length_are_raw_too() {
    let (resp, raw) = run("histogram", "Uint8Array", &[0, 1, 2, 3, 4, 5, 8]);
    assert_eq!(resp.body, Ok(vec![]));
    assert_eq!(raw.unwrap().bytes(), as_bytes(&[3u32, 2, 1, 1]));
    // ImageData.data is a Uint8ClampedArray: bytes like a Uint8Array's.
    let (resp, raw) = run("histogram", "Uint8ClampedArray", &[1]);
    assert_eq!(resp.body, Ok(vec![]));
    assert_eq!(raw.unwrap().bytes(), as_bytes(&[0u32, 1, 0, 0]));
}

#[test]
fn any_other_output_is_cbor_in_the_body() {
    let (resp, raw) = run("total", "Int32Array", as_bytes(&[1i32, -5, 7]));
    assert!(raw.is_none());
    let body = resp.body.unwrap();
    let v: i64 = ciborium::de::from_reader(&body[..]).unwrap();
    assert_eq!(v, 3);
}

#[test]
fn another_element_type_is_a_decode_error_naming_kernel_and_both_types() {
    let (resp, raw) = run("roots", "Uint8Array", &[0; 16]);
    assert!(raw.is_none());
    let f = resp.body.unwrap_err();
    assert_eq!((f.kind, f.kernel.as_str()), (ErrorKind::Decode, "roots"));
    assert_eq!(f.expected.as_deref(), Some("Float64Array"));
    assert_eq!(
        f.message,
        "takes a Float64Array, got a Uint8Array: bytes are never reinterpreted as another element type"
    );
}

#[test]
fn a_ragged_byte_length_is_a_decode_error() {
    let f = run("roots", "Float64Array", &[0; 12]).0.body.unwrap_err();
    assert_eq!(f.kind, ErrorKind::Decode);
    assert_eq!(
        f.message,
        "takes a Float64Array, 12 bytes is not a whole number of 8-byte elements"
    );
}

#[test]
fn kernel_errors_unknown_kernels_and_other_kinds_are_failures() {
    let f = run("picky", "Float32Array", &[]).0.body.unwrap_err();
    assert_eq!(
        (f.kind, f.message.as_str()),
        (ErrorKind::Kernel, "no elements")
    );
    let (ok, raw) = run("picky", "Float32Array", as_bytes(&[1.5f32]));
    assert_eq!(ok.body, Ok(vec![]));
    assert_eq!(raw.unwrap().bytes(), as_bytes(&[1.5f32]));

    let f = run("nope", "Float64Array", &[]).0.body.unwrap_err();
    assert_eq!(f.kind, ErrorKind::UnknownKernel);
    assert!(f.known.unwrap().contains(&"roots".to_string()));

    let f = run("notASliceKernel", "Uint32Array", &[0; 4])
        .0
        .body
        .unwrap_err();
    assert_eq!(f.kind, ErrorKind::Frame);
    assert_eq!(
        f.message,
        "kernel \"notASliceKernel\" is a Map kernel, not a slice kernel"
    );
}

#[test]
fn a_frame_of_another_mode_or_a_malformed_one_is_a_frame_failure() {
    let mut req = Request::decode(&frame("roots", "Float64Array")).unwrap();
    req.mode = Mode::Map;
    let (bytes, raw) = slice::run(&req.encode(), &&[0u8; 8][..]);
    assert!(raw.is_none());
    let f = Response::decode(&bytes).unwrap().body.unwrap_err();
    assert_eq!(f.kind, ErrorKind::Frame);
    assert_eq!(f.message, "the slice path runs slice-mode frames, got Map");

    let mut req = Request::decode(&frame("roots", "")).unwrap();
    req.payload = vec![0xff, 0xfe];
    let (bytes, _) = slice::run(&req.encode(), &&[0u8; 8][..]);
    let f = Response::decode(&bytes).unwrap().body.unwrap_err();
    assert_eq!(
        f.message,
        "a slice frame's payload names the typed array (UTF-8)"
    );

    let (bytes, raw) = slice::run(&[0x01, 0x02], &&[0u8; 8][..]);
    assert!(raw.is_none());
    let resp = Response::decode(&bytes).unwrap();
    assert_eq!((resp.call.as_str(), resp.chunk), ("", 0));
    assert_eq!(resp.body.unwrap_err().kind, ErrorKind::Frame);
}

#[test]
fn the_registry_marks_slice_kernels_only() {
    use crate::registry;
    assert!(registry::find("roots").unwrap().slice.is_some());
    assert!(registry::find("total").unwrap().slice.is_some());
    assert!(registry::find("notASliceKernel").unwrap().slice.is_none());
}
