//! Tables the Rust and TypeScript sides both hold, checked against the shared files in
//! `tests/vectors/` (the TS test suite checks its copy against the same files).

use serde_json::Value as Json;
use wasm_pmap::error::{ErrorKind, ERROR_KINDS};
use wasm_pmap::par::{auto_chunk_size, CHUNKS_PER_WORKER, MAX_CHUNK};

fn vectors(name: &str) -> Json {
    let path = format!("{}/../../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn str_of<'a>(row: &'a Json, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {row}"))
}

#[test]
fn error_kinds_match_errors_json_row_for_row() {
    let file = vectors("errors.json");
    let rows = file["kinds"].as_array().unwrap();
    for row in rows {
        let (wire, rust, class) = (
            str_of(row, "kind"),
            str_of(row, "rust"),
            str_of(row, "class"),
        );
        let kind: ErrorKind = serde_json::from_value(Json::from(wire)).unwrap();
        assert_eq!(
            format!("{kind:?}"),
            rust,
            "{wire} deserializes to its variant"
        );
        assert_eq!(serde_json::to_value(kind).unwrap(), Json::from(wire));
        assert_eq!(ERROR_KINDS[kind as usize].wire, wire);
        assert_eq!(kind.class_name(), class, "{rust}");
        if class != "PmapError" {
            assert_eq!(ErrorKind::from_class_name(class), kind, "{class} → kind");
        }
    }
    assert_eq!(ErrorKind::from_class_name("PmapError"), ErrorKind::Pool);
    assert_eq!(ErrorKind::from_class_name("TypeError"), ErrorKind::Pool);
    // The Rust table has no row the file lacks (nor the file one Rust lacks: every row
    // deserialized above).
    let mut file_kinds: Vec<&str> = rows.iter().map(|r| str_of(r, "kind")).collect();
    let mut rust_kinds: Vec<&str> = ERROR_KINDS.iter().map(|r| r.wire).collect();
    file_kinds.sort();
    rust_kinds.sort();
    assert_eq!(rust_kinds, file_kinds);
    for (i, row) in ERROR_KINDS.iter().enumerate() {
        assert_eq!(row.kind as usize, i, "{row:?} indexes its own row");
    }
}

#[test]
fn auto_chunk_size_matches_chunking_json() {
    let file = vectors("chunking.json");
    assert_eq!(file["chunksPerWorker"], CHUNKS_PER_WORKER as u64);
    assert_eq!(file["maxChunk"], MAX_CHUNK as u64);
    let cases = file["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let n = |k: &str| c[k].as_u64().unwrap() as usize;
        assert_eq!(
            auto_chunk_size(n("total"), n("workers")),
            n("chunkSize"),
            "{c}"
        );
    }
}
