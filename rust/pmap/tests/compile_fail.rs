//! Every compile error a user can hit with `#[kernel]`, `par_fn!` and `sync_fn!`, pinned
//! with its message (`tests/ui/*.stderr`). After a deliberate change of a message:
//! `TRYBUILD=overwrite cargo test -p wasm-pmap --test compile_fail`, then read the diff.

#[test]
fn user_errors_have_clear_messages() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
