//! Well-formed request frames (see `frames.rs`) into the wasm entry, so the fuzzer spends
//! its time in the registry, the kernels' decoders and pipe stages rather than the header.
//! Also checks the request encoding: the frame decodes to the request it was built from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_pmap::__private::Request;
use wasm_pmap_fuzz::frames::FrameSpec;

fuzz_target!(|spec: FrameSpec| {
    let request = spec.request();
    let frame = request.encode();
    assert_eq!(
        Request::decode(&frame).as_ref(),
        Ok(&request),
        "request round trip"
    );
    wasm_pmap_fuzz::run_frame(&frame);
});
