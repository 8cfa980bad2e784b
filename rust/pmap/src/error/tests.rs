//! How the two errors read: a `Failure` (inside a response frame) and the `PmapError` a Rust
//! caller of the pool gets, named after its TypeScript class; and the one table of kinds,
//! checked against the shared file `tests/vectors/errors.json` (the TypeScript suite checks
//! its copy against the same file).

use serde_json::Value as Json;

use super::{ErrorKind, Failure, PmapError, ERROR_KINDS};
use crate::test_support::vectors;

#[test]
fn a_pmap_error_is_named_after_its_typescript_class() {
    let e = PmapError::new(ErrorKind::WorkerCrashed, Some("norm"), "died twice");
    assert_eq!(e.class_name(), "WorkerCrashedError");
    assert_eq!(
        e.to_string(),
        "WorkerCrashedError in kernel \"norm\": died twice"
    );
    let e = PmapError::new(ErrorKind::NoPool, None, "no pool here");
    assert_eq!(e.class_name(), "NoPoolError");
    assert_eq!(e.to_string(), "NoPoolError: no pool here");
    // Several kinds share the generic class.
    let e = PmapError::new(ErrorKind::ContextMissing, None, "evicted");
    assert_eq!(e.to_string(), "PmapError: evicted");
}

#[test]
fn a_failure_becomes_a_pmap_error_of_its_kind_about_its_kernel() {
    let mut f = Failure::new(ErrorKind::Decode, "norm", "not a Pt");
    f.index = Some(3);
    assert_eq!(
        f.to_string(),
        "Decode error in kernel \"norm\" at item 3 of the chunk: not a Pt"
    );
    let e = PmapError::from(f);
    assert_eq!(
        e,
        PmapError::new(ErrorKind::Decode, Some("norm"), "not a Pt")
    );
    assert_eq!(e.to_string(), "DecodeError in kernel \"norm\": not a Pt");
    // A frame failure names no kernel.
    let f = Failure::new(ErrorKind::Frame, "", "wire version 2");
    assert_eq!(f.to_string(), "Frame error in kernel \"\": wire version 2");
    let e = PmapError::from(f);
    assert_eq!(e.kernel, None);
    assert_eq!(e.to_string(), "PmapError: wire version 2");
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
