//! Typed failures that travel back to TypeScript inside a response frame.

use serde::{Deserialize, Serialize};

/// What went wrong with a chunk. Mirrors the error classes of `ts/errors.ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The frame itself is malformed (wrong version, not CBOR).
    Frame,
    /// No kernel of that name is registered in this module.
    UnknownKernel,
    /// An item does not decode as the kernel's input type.
    Decode,
    /// The kernel returned `Err(..)`.
    Kernel,
    /// The kernel's output could not be encoded.
    Encode,
    /// A `map_with` kernel got no context, or a context id this worker no longer caches
    /// (the pool then re-sends the bytes).
    ContextMissing,
}

/// A failure report: which kernel, which item of the chunk, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub kind: FailureKind,
    pub kernel: String,
    pub message: String,
    /// The input type the kernel expects (TypeScript spelling), for decode errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Index of the failing item within its chunk, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// Names of the registered kernels, for unknown-kernel errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<Vec<String>>,
}

impl Failure {
    pub fn new(kind: FailureKind, kernel: &str, message: impl Into<String>) -> Self {
        Failure {
            kind,
            kernel: kernel.to_owned(),
            message: message.into(),
            expected: None,
            index: None,
            known: None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} error in kernel \"{}\"", self.kind, self.kernel)?;
        if let Some(i) = self.index {
            write!(f, " at item {i} of the chunk")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Failure {}
