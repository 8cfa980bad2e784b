//! What several unit-test modules share: fixtures, kernels more than one of them runs, and
//! the shared test vectors of `tests/vectors/`.

use proptest::test_runner::{Config, FileFailurePersistence};

// One fixture file for the unit tests and the integration test `tests/par_local.rs`.
#[path = "../tests/common/mod.rs"]
mod common;
pub use common::OddFails;

/// Triples.
#[wasm_pmap::kernel]
pub fn triple(x: u32) -> u32 {
    x * 3
}

#[wasm_pmap::kernel(reduce)]
pub fn max_u32(a: u32, b: u32) -> u32 {
    a.max(b)
}

/// A file of `tests/vectors/` (shared with the TypeScript tests), parsed.
pub fn vectors(name: &str) -> serde_json::Value {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// `[[[ … 7 … ]]]`, `depth` arrays deep.
pub fn nested(depth: usize) -> Vec<u8> {
    let mut v = vec![0x81; depth];
    v.push(0x07);
    v
}

/// Bytes as lowercase hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A proptest config of `cases` cases whose shrunk counterexamples are kept beside the test
/// file (`<file>.proptest-regressions`), as they were when these tests lived in `tests/`.
pub fn proptest_config(cases: u32) -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::with_cases(cases)
    }
}
