//! The wasm entry points a worker calls. [`run`] (`__wasmPmapRun`) takes one request frame
//! and returns one response frame; everything in between (decode, lookup, run, encode) is
//! Rust. [`run_slice`] (`__wasmPmapRunSlice`) is the same for a slice-kernel chunk whose
//! data travels as raw bytes beside the frame (`slice.rs`).

use std::sync::Once;

use wasm_bindgen::prelude::*;

use crate::registry;
use crate::wire::{Mode, Request, Response};

/// Runs one request frame (see `wire.rs`) and returns the response frame. Kernel errors
/// and bad input come back as error responses; only a panic escapes, as a trap, after
/// the panic hook has left its message in `globalThis.__wasmPmapPanic`.
#[wasm_bindgen(js_name = "__wasmPmapRun")]
pub fn run(frame: &[u8]) -> Vec<u8> {
    init();
    let response = match Request::decode(frame) {
        Ok(req) => Response {
            body: match req.mode {
                Mode::Pipe => crate::par::pipe::run(&req.call, &req.payload),
                _ => registry::run(&req.kernel, req.mode, &req.payload, req.context.as_ref()),
            },
            call: req.call,
            chunk: req.chunk,
        },
        Err(failure) => Response {
            call: String::new(),
            chunk: 0,
            body: Err(failure),
        },
    };
    response.encode()
}

/// Runs one slice-kernel chunk on the slice path (`slice.rs`): `frame` is a slice-mode
/// request whose payload names the caller's typed array, `data` the chunk's bytes. Returns
/// `[response frame, output bytes?]`: the output's bytes (a typed output) are copied once,
/// out of the kernel's vector into JS memory the worker can transfer. With `in_place`, an
/// output exactly as long as the input is written over `data` itself, which is returned
/// as the output.
///
/// Why in place: the worker owns `data` (it was transferred to it, and its bytes are in
/// the kernel's vector by now), so reusing it spares a fresh allocation the size of the
/// chunk — fresh memory costs page faults, ≈ 5× a copy into memory already touched — and
/// sends the pool's own buffer back to it for the next chunk (`ts/pool/buffers.ts`).
#[wasm_bindgen(
    js_name = "__wasmPmapRunSlice",
    unchecked_return_type = "[Uint8Array, Uint8Array?]"
)]
pub fn run_slice(frame: &[u8], data: &js_sys::Uint8Array, in_place: bool) -> js_sys::Array {
    init();
    let (response, raw) = crate::slice::run(frame, &JsBytes(data));
    let out = js_sys::Array::new();
    out.push(&js_sys::Uint8Array::from(&response[..]));
    if let Some(raw) = raw {
        let bytes = raw.bytes();
        if in_place && bytes.len() == data.length() as usize {
            data.copy_from(bytes);
            out.push(data);
        } else {
            let array = js_sys::Uint8Array::new_with_length(bytes.len() as u32);
            array.copy_from(bytes);
            out.push(&array);
        }
    }
    out
}

/// A JS `Uint8Array` as a slice chunk: copied by JS straight into the kernel's vector.
struct JsBytes<'a>(&'a js_sys::Uint8Array);

impl crate::slice::SliceInput for JsBytes<'_> {
    fn byte_len(&self) -> usize {
        self.0.length() as usize
    }
    fn copy_to(&self, dst: &mut [u8]) {
        self.0.copy_to(dst);
    }
}

/// The kernels registered in this module, sorted by name:
/// `[{ name, kind: "map" | "slice" | "reduce" | "job", input, output, context? }]` (types
/// as TypeScript spells them; `context` only for `#[kernel(context)]` kernels).
#[wasm_bindgen(
    js_name = "__wasmPmapKernels",
    unchecked_return_type = "{ name: string; kind: string; input: string; output: string; context?: string }[]"
)]
pub fn kernel_list() -> Result<JsValue, JsError> {
    init();
    let list: Vec<_> = registry::all()
        .into_iter()
        .map(registry::describe)
        .collect();
    Ok(serde_wasm_bindgen::to_value(&list)?)
}

/// Size of this instance's linear memory in bytes (reported in `pool.stats()`).
#[wasm_bindgen(js_name = "__wasmPmapMemoryBytes")]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return (core::arch::wasm32::memory_size(0) * 65536) as f64;
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// Encodes a JS value as CBOR through serde-wasm-bindgen + ciborium: the alternative to
/// cbor-x that the bench measures (see README "Wire"). Only with the `bench` feature, so
/// the shipped kernel module does not carry it.
#[cfg(feature = "bench")]
#[wasm_bindgen(js_name = "__wasmPmapEncodeCbor")]
pub fn encode_cbor(value: JsValue) -> Result<Vec<u8>, JsError> {
    let v: ciborium::Value = serde_wasm_bindgen::from_value(value)?;
    Ok(crate::wire::to_vec(&v))
}

pub(crate) fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        run_constructors();
        std::panic::set_hook(Box::new(report_panic));
    });
}

/// Why: a panic on wasm32 aborts (a trap), and the trap's JS exception only says
/// "unreachable". The hook runs before the trap, so it leaves the message where the
/// worker can read it after catching the exception.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let message = info.to_string();
    #[cfg(target_arch = "wasm32")]
    {
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &JsValue::from_str("__wasmPmapPanic"),
            &JsValue::from_str(&message),
        );
        // Outside a pool worker nobody reads that global: say it on the console too.
        if !is_pool_worker() {
            let console = js_sys::Reflect::get(&js_sys::global(), &"console".into())
                .unwrap_or(JsValue::UNDEFINED);
            if let Ok(error) = js_sys::Reflect::get(&console, &"error".into())
                .and_then(|f| f.dyn_into::<js_sys::Function>())
            {
                let _ = error.call1(&console, &JsValue::from_str(&message));
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
}

/// Pool workers (and the executor) are named `wasm-pmap-…` by ts/pool/backend.ts.
#[cfg(target_arch = "wasm32")]
fn is_pool_worker() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n.starts_with("wasm-pmap-"))
}

/// Why: `inventory` registers kernels from static constructors. wasm-ld collects them in
/// `__wasm_call_ctors`, but a wasm-bindgen library module (no `_start`) never calls it, so
/// we do, once, before the first lookup. Guarded so a toolchain that already ran them
/// does not register every kernel twice.
#[cfg(target_arch = "wasm32")]
fn run_constructors() {
    extern "C" {
        fn __wasm_call_ctors();
    }
    if inventory::iter::<registry::Kernel>
        .into_iter()
        .next()
        .is_none()
    {
        unsafe { __wasm_call_ctors() }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run_constructors() {}

#[cfg(test)]
mod tests;
