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

/// What a parallel-iterator terminal or a job call (`collect_vec`, `execute_async`, …)
/// fails with. Mirrors the TypeScript error classes (`ts/errors.ts`) it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmapError {
    pub kind: ErrorKind,
    /// The kernel the error is about, when there is one.
    pub kernel: Option<String>,
    pub message: String,
}

/// The kinds of [`PmapError`]; the TypeScript class each one corresponds to is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A kernel returned `Err(..)` or panicked (`KernelError`).
    Kernel,
    /// An item did not decode as the kernel's input type (`DecodeError`).
    Decode,
    /// The pool's module has no kernel of that name (`UnknownKernelError`).
    UnknownKernel,
    /// A chunk ran past its `timeoutMs` (`TimeoutError`).
    Timeout,
    /// The call was aborted (`AbortError`).
    Aborted,
    /// A worker died running a chunk, twice (`WorkerCrashedError`).
    WorkerCrashed,
    /// The coordinator service worker could not be reached or lost the job (`CoordinatorError`).
    Coordinator,
    /// `collect_vec_sync()` (or another blocking call) outside the SyncExecutor worker.
    NotInExecutor,
    /// No pool is reachable from this thread (see `Pool.exposeToRust()` in TypeScript).
    NoPool,
    /// Anything else the pool reported (terminated, queue full, …), or a result that did
    /// not decode as the expected Rust type.
    Pool,
}

impl PmapError {
    pub fn new(kind: ErrorKind, kernel: Option<&str>, message: impl Into<String>) -> Self {
        PmapError {
            kind,
            kernel: kernel.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The TypeScript class name this kind corresponds to.
    pub fn class_name(&self) -> &'static str {
        match self.kind {
            ErrorKind::Kernel => "KernelError",
            ErrorKind::Decode => "DecodeError",
            ErrorKind::UnknownKernel => "UnknownKernelError",
            ErrorKind::Timeout => "TimeoutError",
            ErrorKind::Aborted => "AbortError",
            ErrorKind::WorkerCrashed => "WorkerCrashedError",
            ErrorKind::Coordinator => "CoordinatorError",
            ErrorKind::NotInExecutor => "SyncModeError",
            ErrorKind::NoPool => "NoPoolError",
            ErrorKind::Pool => "PmapError",
        }
    }

    /// The kind for a TypeScript error class name (unknown names map to [`ErrorKind::Pool`]).
    pub fn kind_of_class(name: &str) -> ErrorKind {
        match name {
            "KernelError" => ErrorKind::Kernel,
            "DecodeError" => ErrorKind::Decode,
            "UnknownKernelError" => ErrorKind::UnknownKernel,
            "TimeoutError" => ErrorKind::Timeout,
            "AbortError" => ErrorKind::Aborted,
            "WorkerCrashedError" => ErrorKind::WorkerCrashed,
            "CoordinatorError" => ErrorKind::Coordinator,
            "SyncModeError" => ErrorKind::NotInExecutor,
            "NoPoolError" => ErrorKind::NoPool,
            _ => ErrorKind::Pool,
        }
    }
}

impl From<Failure> for PmapError {
    fn from(f: Failure) -> Self {
        let kind = match f.kind {
            FailureKind::Kernel => ErrorKind::Kernel,
            FailureKind::Decode => ErrorKind::Decode,
            FailureKind::UnknownKernel => ErrorKind::UnknownKernel,
            _ => ErrorKind::Pool,
        };
        let kernel = (!f.kernel.is_empty()).then_some(f.kernel.as_str());
        PmapError::new(kind, kernel, f.message.clone())
    }
}

impl std::fmt::Display for PmapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.class_name())?;
        if let Some(k) = &self.kernel {
            write!(f, " in kernel \"{k}\"")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for PmapError {}
