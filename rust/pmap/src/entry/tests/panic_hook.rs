//! The panic hook the runtime installs on its first call (`entry::init`): a kernel's panic
//! is reported by wasm-pmap's hook (on wasm32 into `globalThis.__wasmPmapPanic` for the
//! worker; on the host, to stderr), not by Rust's default one. A hook is process-wide and
//! what it prints is the point, so the panicking call runs in a child process: this same
//! test binary, re-run on this one test with `PMAP_PANIC_CHILD` set.

use std::process::Command;

use crate::wire::{to_vec, Mode, Request};

const CHILD: &str = "PMAP_PANIC_CHILD";
const TEST: &str = "entry::tests::panic_hook::a_kernel_panic_is_reported_by_the_wasm_pmap_hook";

#[wasm_pmap::kernel]
fn explode(x: u32) -> u32 {
    panic!("kernel exploded on {x}")
}

#[test]
fn a_kernel_panic_is_reported_by_the_wasm_pmap_hook() {
    if std::env::var_os(CHILD).is_some() {
        let frame = Request {
            call: "c:1".into(),
            chunk: 0,
            kernel: "explode".into(),
            mode: Mode::Map,
            payload: to_vec(&[7u32]),
            context: None,
        };
        crate::entry::run(&frame.encode());
        unreachable!("the kernel panics");
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child's kernel panicked");
    // The hook prints the panic (`PanicHookInfo`'s Display: where, then the message)...
    assert!(
        stderr.contains("panicked at ")
            && stderr.contains("panic_hook.rs:")
            && stderr.contains(":\nkernel exploded on 7\n"),
        "{stderr}"
    );
    // ...and only wasm-pmap's hook ran: Rust's default one says "thread '…' panicked".
    assert!(!stderr.contains("thread '"), "{stderr}");
}
