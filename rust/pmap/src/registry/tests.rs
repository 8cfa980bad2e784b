//! The registry as the macro fills it: lookup, the three modes, and every typed failure.
//! Beside this file: what the macro declares about each shape of type
//! (`declared_types.rs`), and random values through kernels of every input type
//! (`prop_values.rs`).

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Failure};
use crate::registry::{self, Kind};
use crate::test_support::OddFails;
use crate::typed::TypedVec;
use crate::wire::{to_vec, Context, Mode, Request, Response};

mod declared_types;
mod prop_values;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pt {
    x: f64,
    y_pos: f64,
}

#[wasm_pmap::kernel]
fn norm(p: Pt) -> f64 {
    (p.x * p.x + p.y_pos * p.y_pos).sqrt()
}

#[wasm_pmap::kernel]
fn checked_div(a: i32, b: i32) -> Result<i32, String> {
    a.checked_div(b)
        .ok_or_else(|| format!("{a} / {b}: division by zero"))
}

#[wasm_pmap::kernel]
fn scale_bytes(v: Vec<u8>) -> Vec<f32> {
    v.into_iter().map(|b| b as f32 / 2.0).collect()
}

#[wasm_pmap::kernel(slice)]
fn neg_f64(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| -x).collect()
}

#[wasm_pmap::kernel]
fn odd_fails(x: u32) -> OddFails {
    OddFails(x)
}

#[wasm_pmap::kernel(reduce)]
fn odd_fails_add(a: OddFails, b: OddFails) -> OddFails {
    OddFails(a.0 + b.0)
}

#[wasm_pmap::kernel(name = "renamed")]
fn some_rust_name(s: String) -> usize {
    s.len()
}

fn run<T: for<'de> Deserialize<'de>>(
    kernel: &str,
    mode: Mode,
    payload: Vec<u8>,
) -> Result<T, Failure> {
    run_with(kernel, mode, payload, None)
}

fn run_with<T: for<'de> Deserialize<'de>>(
    kernel: &str,
    mode: Mode,
    payload: Vec<u8>,
    context: Option<Context>,
) -> Result<T, Failure> {
    // Through a full frame round trip, as a worker does it.
    let req = Request {
        call: "c:1".into(),
        chunk: 7,
        kernel: kernel.into(),
        mode,
        payload,
        context,
    };
    let resp = Response::decode(&crate::entry::run(&req.encode())).unwrap();
    assert_eq!((resp.call.as_str(), resp.chunk), ("c:1", 7));
    resp.body
        .map(|b| ciborium::de::from_reader(&b[..]).unwrap())
}

/// `triple` and `maxU32` are declared in `test_support.rs`: the `par` tests run them too.
#[test]
fn kernels_register_at_compile_time_under_camel_case_names() {
    let names = registry::names();
    for n in [
        "triple",
        "norm",
        "checkedDiv",
        "scaleBytes",
        "negF64",
        "maxU32",
        "renamed",
    ] {
        assert!(names.contains(&n.to_string()), "{n} missing from {names:?}");
    }
    let k = registry::find("norm").unwrap();
    assert_eq!(
        (k.info.input_ts, k.info.output_ts, k.kind),
        ("Pt", "number", Kind::Map)
    );
    assert_eq!(
        registry::find("negF64").unwrap().info.input_ts,
        "Float64Array"
    );
    assert_eq!(
        registry::find("maxU32").unwrap().info.input_ts,
        "[number, number]"
    );
}

#[test]
fn map_mode_keeps_order_and_decodes_structs_and_tuples() {
    let out: Vec<u32> = run("triple", Mode::Map, to_vec(&[1u32, 2, 3])).unwrap();
    assert_eq!(out, vec![3, 6, 9]);
    let out: Vec<f64> = run("norm", Mode::Map, to_vec(&[Pt { x: 3.0, y_pos: 4.0 }])).unwrap();
    assert_eq!(out, vec![5.0]);
    let out: Vec<i32> = run("checkedDiv", Mode::Map, to_vec(&[(7, 2), (-9, 3)])).unwrap();
    assert_eq!(out, vec![3, -3]);
    let out: Vec<usize> = run("renamed", Mode::Map, to_vec(&["abc"])).unwrap();
    assert_eq!(out, vec![3]);
}

#[test]
fn typed_vectors_travel_as_byte_strings_both_ways() {
    let input = vec![TypedVec(vec![2u8, 4])];
    let payload = to_vec(&input);
    assert_eq!(
        payload,
        vec![0x81, 0x42, 2, 4],
        "Vec<u8> item is one byte string"
    );
    let out: Vec<TypedVec<f32>> = run("scaleBytes", Mode::Map, payload).unwrap();
    assert_eq!(out[0].0, vec![1.0, 2.0]);
}

#[test]
fn slice_mode_hands_the_whole_chunk_to_the_kernel() {
    let out: TypedVec<f64> =
        run("negF64", Mode::Slice, to_vec(&TypedVec(vec![1.5, -2.0]))).unwrap();
    assert_eq!(out.0, vec![-1.5, 2.0]);
}

#[test]
fn reduce_mode_folds_and_map_mode_takes_pairs() {
    let out: Option<u32> = run("maxU32", Mode::Reduce, to_vec(&[3u32, 9, 4])).unwrap();
    assert_eq!(out, Some(9));
    let out: Option<u32> = run("maxU32", Mode::Reduce, to_vec::<[u32]>(&[])).unwrap();
    assert_eq!(out, None);
    let out: Vec<u32> = run("maxU32", Mode::Map, to_vec(&[(1u32, 2u32)])).unwrap();
    assert_eq!(out, vec![2]);
}

#[test]
fn unknown_kernel_lists_the_known_ones() {
    let err = run::<Vec<u32>>("tripel", Mode::Map, to_vec(&[1u32])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnknownKernel);
    assert!(err.known.as_ref().unwrap().contains(&"triple".to_string()));
    assert!(err.message.contains("triple"), "{}", err.message);
}

#[test]
fn bad_item_is_a_decode_error_naming_kernel_type_and_index() {
    let payload = to_vec(&(1u32, "two", 3u32));
    let err = run::<Vec<u32>>("triple", Mode::Map, payload).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Decode);
    assert_eq!(err.kernel, "triple");
    assert_eq!(err.index, Some(1));
    assert_eq!(err.expected.as_deref(), Some("number"));
    assert!(
        err.message.contains("does not decode as u32"),
        "{}",
        err.message
    );
    assert!(err.to_string().contains("at item 1"), "{err}");
}

#[test]
fn kernel_err_is_a_kernel_failure_with_the_item_index() {
    let err = run::<Vec<i32>>("checkedDiv", Mode::Map, to_vec(&[(1, 1), (1, 0)])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Kernel);
    assert_eq!(err.index, Some(1));
    assert_eq!(err.message, "1 / 0: division by zero");
}

#[test]
fn a_kernel_in_the_wrong_mode_is_refused() {
    let err =
        run::<TypedVec<f64>>("triple", Mode::Slice, to_vec(&TypedVec(vec![1.0f64]))).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Frame);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Weights {
    w: Vec<f64>,
}

/// Dot product of each row with the call's broadcast weights.
#[wasm_pmap::kernel(context)]
fn dot(weights: &Weights, row: Vec<f64>) -> f64 {
    weights.w.iter().zip(&row).map(|(a, b)| a * b).sum()
}

#[test]
fn context_kernels_decode_the_context_once_and_reuse_it_by_id() {
    let k = registry::find("dot").unwrap();
    assert_eq!(k.info.context_ts, Some("Weights"));
    assert_eq!(k.info.input_ts, "Float64Array");
    let ctx = to_vec(&Weights { w: vec![1.0, 2.0] });
    let rows = || to_vec(&[TypedVec(vec![1.0f64, 1.0]), TypedVec(vec![0.5, 0.25])]);
    let first = Context {
        id: "call-1".into(),
        bytes: Some(ctx),
    };
    let out: Vec<f64> = run_with("dot", Mode::Map, rows(), Some(first)).unwrap();
    assert_eq!(out, vec![3.0, 1.0]);
    // Later chunks carry only the id.
    let later = Context {
        id: "call-1".into(),
        bytes: None,
    };
    let out: Vec<f64> = run_with("dot", Mode::Map, rows(), Some(later)).unwrap();
    assert_eq!(out, vec![3.0, 1.0]);
    // An id this worker never saw (or evicted) asks the pool to re-send the bytes.
    let unknown = Context {
        id: "call-2".into(),
        bytes: None,
    };
    let err = run_with::<Vec<f64>>("dot", Mode::Map, rows(), Some(unknown)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ContextMissing);
    let err = run_with::<Vec<f64>>("dot", Mode::Map, rows(), None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::ContextMissing);
}

#[test]
fn an_output_that_does_not_encode_is_an_encode_failure_with_the_item_index() {
    let out: Vec<u32> = run("oddFails", Mode::Map, to_vec(&[2u32, 4])).unwrap();
    assert_eq!(out, vec![2, 4]);
    let err = run::<Vec<u32>>("oddFails", Mode::Map, to_vec(&[2u32, 3, 4])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encode);
    assert_eq!(err.kernel, "oddFails");
    assert_eq!(err.index, Some(1));
    assert!(err.message.contains("3 is odd"), "{}", err.message);
    // Reduce mode encodes one folded value: 1 + 2 is odd.
    let err = run::<Option<u32>>("oddFailsAdd", Mode::Reduce, to_vec(&[1u32, 2])).unwrap_err();
    assert_eq!((err.kind, err.index), (ErrorKind::Encode, None));
}

/// The generated map runner writes the output array's header itself (it encodes item by
/// item): in the shortest form, byte for byte what ciborium writes for the whole array.
#[test]
fn map_outputs_are_encoded_as_ciborium_encodes_the_array() {
    for n in [0u32, 1, 23, 24, 255, 256, 65_535, 65_536] {
        let items: Vec<u32> = (0..n).map(|i| i % 7).collect();
        let body = registry::run("triple", Mode::Map, &to_vec(&items), None).unwrap();
        let tripled: Vec<u32> = items.iter().map(|x| x * 3).collect();
        assert!(
            body == to_vec(&tripled),
            "{n} items: {:02x?}",
            &body[..5.min(body.len())]
        );
    }
}
