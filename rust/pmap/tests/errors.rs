//! How the two errors read: a `Failure` (inside a response frame) and the `PmapError` a Rust
//! caller of the pool gets, named after its TypeScript class.

use wasm_pmap::{ErrorKind, Failure, PmapError};

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
