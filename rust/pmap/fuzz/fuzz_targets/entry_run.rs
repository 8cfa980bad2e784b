//! Arbitrary bytes as a request frame, straight into the wasm entry (`entry::run`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wasm_pmap_fuzz::run_frame(data));
