//! What the two fuzz targets share: the frame harness ([`run_frame`]), the kernels the
//! frames can reach (the shipped set from `wasm-pmap-kernels`, plus [`kernels`]: one per
//! input shape the decoder handles), and the structure-aware frame builder ([`frames`]).

pub mod frames;
pub mod kernels;

use std::sync::Once;

use ciborium::Value;
use wasm_pmap::__private::{Mode, Request, Response};
// Linked for its `inventory` registrations only.
use wasm_pmap_kernels as _;

/// Kernels whose run time or memory grows with the *values* in their input, by design
/// (`mandelbrotRow` allocates `width` bytes and iterates up to `maxIter` times per pixel;
/// `mandelbrotImage` allocates `height` rows). A frame reaching them would report the
/// kernel's own work as a timeout or an out-of-memory, so the harness skips it; their
/// input types are covered by [`kernels`] instead.
pub const UNBOUNDED: &[&str] = &["mandelbrotRow", "mandelbrotImage"];

/// Feeds one frame to the wasm entry and checks what comes back: whatever the input,
/// `entry::run` answers one well-formed response frame that echoes the request's call
/// and chunk (a malformed request is answered with call `""`, chunk 0).
pub fn run_frame(frame: &[u8]) {
    static LINKED: Once = Once::new();
    // A kernel crate the linker dropped would make every frame an `unknownKernel` failure:
    // a run that looks fine and tests nothing.
    LINKED.call_once(|| {
        let names = wasm_pmap::__private::kernel_names();
        for k in ["double", "sqrtF64", "addF64", "fuzzShape", "fuzzWeighted"] {
            assert!(
                names.iter().any(|n| n == k),
                "kernel {k} not linked: {names:?}"
            );
        }
    });
    let request = Request::decode(frame).ok();
    if request.as_ref().is_some_and(reaches_unbounded) {
        return;
    }
    let out = wasm_pmap::__private::run_frame(frame);
    let response = Response::decode(&out).expect("the entry's answer is a response frame");
    let (call, chunk) = request.map_or((String::new(), 0), |r| (r.call, r.chunk));
    assert_eq!(
        (response.call, response.chunk),
        (call, chunk),
        "call and chunk echoed"
    );
}

/// Whether a request names an [`UNBOUNDED`] kernel, directly or in a pipe stage.
fn reaches_unbounded(req: &Request) -> bool {
    if req.mode != Mode::Pipe {
        return UNBOUNDED.contains(&req.kernel.as_str());
    }
    // Only the stages matter; a payload that does not decode fails before any kernel runs.
    let Ok((stages, _, _)) =
        ciborium::de::from_reader::<(Vec<Value>, Value, Value), _>(&req.payload[..])
    else {
        return false;
    };
    stages.iter().any(|stage| match stage {
        Value::Array(parts) => parts
            .iter()
            .any(|p| matches!(p, Value::Text(t) if UNBOUNDED.contains(&t.as_str()))),
        _ => false,
    })
}
