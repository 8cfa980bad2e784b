//! The one table of error kinds, and the two errors that carry one: [`Failure`] (what a
//! kernel module reports inside a response frame) and [`PmapError`] (what a Rust caller of
//! the pool gets). Its twin is `ts/protocol/errors.ts`; both are checked row for row
//! against `tests/vectors/errors.json`.

use serde::{Deserialize, Serialize};

/// One row of [`ERROR_KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindRow {
    /// The variant this row describes.
    pub kind: ErrorKind,
    /// The wire name: a failure frame's `kind`, and how serde spells the variant.
    pub wire: &'static str,
    /// The TypeScript error class an error of this kind is thrown as. Several generic
    /// kinds share `PmapError`; any other class names exactly one kind.
    pub class: &'static str,
}

/// Writes [`ErrorKind`] and [`ERROR_KINDS`] from one list, so a kind cannot exist without
/// its wire name and class.
macro_rules! error_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident = $wire:literal => $class:literal,)*) => {
        /// What went wrong, for a [`Failure`] and a [`PmapError`] alike. Serialized by its
        /// wire name (`"unknownKernel"`, …); the TypeScript class it corresponds to is
        /// [`ErrorKind::class_name`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])* #[serde(rename = $wire)] $variant,)*
        }

        /// Every error kind with its wire name and TypeScript class, in declaration order
        /// (`ERROR_KINDS[kind as usize].kind == kind`).
        pub const ERROR_KINDS: &[KindRow] = &[
            $(KindRow { kind: ErrorKind::$variant, wire: $wire, class: $class },)*
        ];
    };
}

error_kinds! {
    /// The frame itself is malformed (wrong version, not CBOR), or names a kernel of
    /// another kind than its mode.
    Frame = "frame" => "PmapError",
    /// No kernel of that name is registered in this module.
    UnknownKernel = "unknownKernel" => "UnknownKernelError",
    /// An item does not decode as the kernel's input type.
    Decode = "decode" => "DecodeError",
    /// The kernel returned `Err(..)` or panicked.
    Kernel = "kernel" => "KernelError",
    /// The kernel's output could not be encoded (its `Serialize` impl failed).
    Encode = "encode" => "PmapError",
    /// A context kernel's worker no longer holds the call's context (the pool then
    /// re-sends the bytes).
    ContextMissing = "contextMissing" => "PmapError",
    /// A chunk ran past its `timeoutMs`.
    Timeout = "timeout" => "TimeoutError",
    /// The call's signal fired.
    Aborted = "aborted" => "AbortError",
    /// A worker died running a chunk, twice.
    WorkerCrashed = "workerCrashed" => "WorkerCrashedError",
    /// The pool's queue is full.
    QueueFull = "queueFull" => "QueueFullError",
    /// The pool was terminated.
    PoolTerminated = "poolTerminated" => "PoolTerminatedError",
    /// The module or a worker could not start.
    PoolStart = "poolStart" => "PoolStartError",
    /// The coordinator service worker is missing or lost a ticket.
    Coordinator = "coordinator" => "CoordinatorError",
    /// A blocking call (`collect_vec_sync()`, …) outside the SyncExecutor worker, or a job
    /// on a pool without sync mode.
    SyncMode = "syncMode" => "SyncModeError",
    /// No pool is reachable from this thread (see `Pool.exposeToRust()` in TypeScript).
    NoPool = "noPool" => "NoPoolError",
    /// A streaming input (an async iterable or `ReadableStream` given to `pool.map` /
    /// `pool.stream`) threw while the pool read it.
    Source = "source" => "SourceError",
    /// Anything else the pool reported, or a result that did not decode as the expected
    /// Rust type.
    Pool = "pool" => "PmapError",
}

impl ErrorKind {
    fn row(self) -> &'static KindRow {
        &ERROR_KINDS[self as usize]
    }

    /// The TypeScript class an error of this kind is thrown as (`"WorkerCrashedError"`).
    pub fn class_name(self) -> &'static str {
        self.row().class
    }

    /// The kind a TypeScript error class stands for. `PmapError`, which several kinds
    /// share, and unknown names give [`ErrorKind::Pool`].
    pub fn from_class_name(class: &str) -> ErrorKind {
        ERROR_KINDS
            .iter()
            .find(|r| r.class == class && r.class != "PmapError")
            .map_or(ErrorKind::Pool, |r| r.kind)
    }
}

/// A failure report: which kernel, which item of the chunk, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The kernel's registered name (empty when the frame names none).
    pub kernel: String,
    /// What happened, for a human.
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
    /// A failure of `kind` about `kernel`, without item index or extras.
    pub fn new(kind: ErrorKind, kernel: &str, message: impl Into<String>) -> Self {
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

/// What a parallel-iterator terminal (`collect_vec`, …) or `execute_async` fails with: the
/// pool's typed error, seen from Rust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmapError {
    /// What went wrong (its TypeScript class: [`PmapError::class_name`]).
    pub kind: ErrorKind,
    /// The kernel the error is about, when there is one.
    pub kernel: Option<String>,
    /// What happened, for a human.
    pub message: String,
}

impl PmapError {
    /// An error of `kind`, about `kernel` if there is one.
    pub fn new(kind: ErrorKind, kernel: Option<&str>, message: impl Into<String>) -> Self {
        PmapError {
            kind,
            kernel: kernel.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The TypeScript class name of this error's kind.
    pub fn class_name(&self) -> &'static str {
        self.kind.class_name()
    }
}

impl From<Failure> for PmapError {
    fn from(f: Failure) -> Self {
        let kernel = (!f.kernel.is_empty()).then_some(f.kernel.as_str());
        PmapError::new(f.kind, kernel, f.message.clone())
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

#[cfg(test)]
mod tests;
