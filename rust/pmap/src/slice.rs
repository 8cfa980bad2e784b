//! The slice path: a `#[kernel(slice)]` chunk as raw typed-array bytes, in and out, with
//! no CBOR around the data. The TypeScript pool sends it for every slice-kernel chunk
//! (`__wasmPmapRunSlice` in `entry.rs`).
//!
//! Why a path of its own: a slice chunk is megabytes of numbers. Wrapped in CBOR it was
//! copied eight times between the caller's array and the kernel's `&[T]` and back (frame
//! building, payload, byte string, element conversion, output encoding, response frame,
//! glue) — the pool moved 200 MB/s where one thread moves 1 GB/s. Here the chunk's bytes
//! are written once, by JS, straight into the `Vec<T>` the kernel reads, and a typed
//! output's bytes are read once, by JS, straight out of the kernel's `Vec<U>`.
//!
//! The request frame is the ordinary one (`wire.rs`) with mode `Slice` and, as its payload,
//! the name of the caller's typed array (UTF-8, e.g. `Float64Array`), so that bytes are
//! never reinterpreted as another element type; the data travels beside the frame. The
//! response frame is the ordinary one too: for a typed output its body is empty and the
//! output's bytes travel beside it ([`SliceOut::Raw`]); any other output is CBOR in the
//! body as in the CBOR path ([`SliceOut::Cbor`]). Bytes are in memory order, which is
//! little-endian in wasm32 (and on every host the tests run on).

use crate::error::{ErrorKind, Failure};
use crate::registry::{self, Kind};
use crate::typed::{as_bytes_mut, Element};
use crate::wire::{Mode, Request, Response};

// The path's data types live in slice_io.rs, which the registry names too (a slice kernel's
// runner is a `SliceFn`) without depending on this file.
pub use crate::slice_io::{RawOutput, SliceInput, SliceOut};

/// Runs one slice request frame over `data`: the response frame, and a typed output's
/// bytes to send beside it.
pub fn run(frame: &[u8], data: &dyn SliceInput) -> (Vec<u8>, Option<Box<dyn RawOutput>>) {
    let (call, chunk, result) = match Request::decode(frame) {
        Ok(req) => {
            let result = run_request(&req, data);
            (req.call, req.chunk, result)
        }
        Err(failure) => (String::new(), 0, Err(failure)),
    };
    let (body, raw) = match result {
        Ok(SliceOut::Raw(out)) => (Ok(Vec::new()), Some(out)),
        Ok(SliceOut::Cbor(body)) => (Ok(body), None),
        Err(f) => (Err(f), None),
    };
    (Response { call, chunk, body }.encode(), raw)
}

fn run_request(req: &Request, data: &dyn SliceInput) -> Result<SliceOut, Failure> {
    let kernel = &req.kernel;
    if req.mode != Mode::Slice {
        return Err(frame_failure(
            kernel,
            format!("the slice path runs slice-mode frames, got {:?}", req.mode),
        ));
    }
    let k = registry::find_or_fail(kernel)?;
    let (Kind::Slice, Some(f)) = (k.kind, k.slice) else {
        return Err(frame_failure(
            kernel,
            format!(
                "kernel \"{kernel}\" is a {:?} kernel, not a slice kernel",
                k.kind
            ),
        ));
    };
    let Ok(array) = std::str::from_utf8(&req.payload) else {
        return Err(frame_failure(
            kernel,
            "a slice frame's payload names the typed array (UTF-8)".into(),
        ));
    };
    f(data, array)
}

fn frame_failure(kernel: &str, message: String) -> Failure {
    Failure::new(ErrorKind::Frame, kernel, message)
}

/// Reads a chunk sent as typed array `array` into a fresh `Vec<T>`: one copy, straight into
/// the vector's memory. A typed array of another element type, or a byte length that is
/// not whole elements, is a `Decode` failure of kernel `kernel` expecting `expected`.
pub fn read<T: Element>(
    data: &dyn SliceInput,
    array: &str,
    kernel: &str,
    expected: &str,
) -> Result<Vec<T>, Failure> {
    // Uint8ClampedArray (what ImageData.data is) holds bytes like a Uint8Array.
    let own = array == T::JS || (T::JS == "Uint8Array" && array == "Uint8ClampedArray");
    let bytes = data.byte_len();
    let why = if !own {
        format!("got a {array}: bytes are never reinterpreted as another element type")
    } else if !bytes.is_multiple_of(T::SIZE) {
        format!(
            "{bytes} bytes is not a whole number of {}-byte elements",
            T::SIZE
        )
    } else {
        let mut v = vec![T::default(); bytes / T::SIZE];
        data.copy_to(as_bytes_mut(&mut v));
        return Ok(v);
    };
    let mut f = Failure::new(
        ErrorKind::Decode,
        kernel,
        format!("takes a {expected}, {why}"),
    );
    f.expected = Some(expected.to_owned());
    Err(f)
}

#[cfg(test)]
mod tests;
