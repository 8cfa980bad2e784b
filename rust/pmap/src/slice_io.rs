//! The slice path's data types (slice.rs runs the path): where a chunk's bytes come from,
//! what a slice kernel's chunk produced, and the runner the registry holds for each slice
//! kernel. A file of their own so that the registry can name them without importing the
//! path that looks kernels up in it.

use crate::error::Failure;
use crate::typed::{as_bytes, Element};

/// Where a chunk's bytes come from: a JS `Uint8Array` in wasm (`entry.rs`), a byte slice in
/// host tests.
pub trait SliceInput {
    /// Length of the chunk in bytes.
    fn byte_len(&self) -> usize;
    /// Copies the whole chunk into `dst` (exactly [`SliceInput::byte_len`] bytes).
    fn copy_to(&self, dst: &mut [u8]);
}

impl SliceInput for &[u8] {
    fn byte_len(&self) -> usize {
        self.len()
    }
    fn copy_to(&self, dst: &mut [u8]) {
        dst.copy_from_slice(self);
    }
}

/// A typed output, kept as the kernel returned it until JS copies its bytes out.
pub trait RawOutput {
    /// The output's bytes in memory order.
    fn bytes(&self) -> &[u8];
}

impl<T: Element> RawOutput for Vec<T> {
    fn bytes(&self) -> &[u8] {
        as_bytes(self)
    }
}

/// What a slice kernel's chunk produced.
pub enum SliceOut {
    /// A numeric `Vec<U>`: its bytes go beside the response frame (typed array `U::JS`).
    Raw(Box<dyn RawOutput>),
    /// Any other output: its CBOR, the response frame's body.
    Cbor(Vec<u8>),
}

/// A slice kernel's generated raw runner (see `__private::run_slice_raw`).
pub type SliceFn = fn(&dyn SliceInput, &str) -> Result<SliceOut, Failure>;
