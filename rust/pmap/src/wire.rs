//! The wire protocol, Rust side: the whole vocabulary of frames exchanged between the
//! TypeScript pool and a kernel module. Its twin is `ts/wire.ts`; both are checked against
//! the byte vectors in `tests/vectors/wire.json`.
//!
//! Every frame is one CBOR array, positional so the header costs a few bytes:
//!
//! ```text
//! request  = [1, job: text, chunk: uint, kernel: text, mode: uint, payload: bytes,
//!             context: null | [id: text, bytes | null]]
//! response = [1, job: text, chunk: uint, 0, body: bytes]          ; ok
//!          | [1, job: text, chunk: uint, 1, failure: map]         ; error (see error.rs)
//! ```
//!
//! `payload` and `body` are themselves CBOR, kept as opaque byte strings so the header can
//! be read without touching the items, and so the items are decoded straight into the
//! kernel's Rust types. In `payload`: map mode → array of items; slice mode → one typed
//! array; reduce mode → array of items to fold; pipe mode → stages + items (`par/pipe.rs`).
//! In `body`: map → array of outputs; slice → one typed array; reduce → the folded value;
//! pipe → the last stage's output.
//!
//! `context` is a `map_with` call's broadcast value: its bytes travel with the first chunk a
//! worker gets for that call and are cached there under `id`; later chunks carry only `id`.

use serde::Serialize;
use serde_bytes::ByteBuf;

use crate::error::{Failure, FailureKind};

/// Bumped on any incompatible change of the frame layout.
pub const WIRE_VERSION: u8 = 1;

/// How a chunk's payload is laid out and what the kernel does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Apply the kernel to every item; outputs keep input order.
    Map = 0,
    /// Hand the whole chunk, a typed array, to the kernel as one `&[T]`.
    Slice = 1,
    /// Fold the chunk's items with an associative kernel into one partial.
    Reduce = 2,
    /// Run a parallel iterator's stages over the chunk (`kernel` is only a label); the
    /// payload layout is in `par/pipe.rs`.
    Pipe = 3,
}

impl Mode {
    pub fn from_u8(v: u8) -> Option<Mode> {
        match v {
            0 => Some(Mode::Map),
            1 => Some(Mode::Slice),
            2 => Some(Mode::Reduce),
            3 => Some(Mode::Pipe),
            _ => None,
        }
    }
}

/// A chunk of work for one kernel.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub job: String,
    pub chunk: u32,
    pub kernel: String,
    pub mode: Mode,
    pub payload: Vec<u8>,
    pub context: Option<Context>,
}

/// A broadcast context reference (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Cache key, unique per call (the job id).
    pub id: String,
    /// The context's CBOR, on the first chunk a worker gets; `None` afterwards.
    pub bytes: Option<Vec<u8>>,
}

/// The answer to one [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub job: String,
    pub chunk: u32,
    pub body: Result<Vec<u8>, Failure>,
}

type RequestTuple = (
    u8,
    String,
    u32,
    String,
    u8,
    ByteBuf,
    Option<(String, Option<ByteBuf>)>,
);

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let t = (
            WIRE_VERSION,
            &self.job,
            self.chunk,
            &self.kernel,
            self.mode as u8,
            serde_bytes::Bytes::new(&self.payload),
            self.context
                .as_ref()
                .map(|c| (&c.id, c.bytes.as_deref().map(serde_bytes::Bytes::new))),
        );
        to_vec(&t)
    }

    pub fn decode(bytes: &[u8]) -> Result<Request, Failure> {
        let (version, job, chunk, kernel, mode, payload, context): RequestTuple =
            ciborium::de::from_reader(bytes)
                .map_err(|e| frame_error(format!("malformed request frame: {e}")))?;
        check_version(version)?;
        let mode =
            Mode::from_u8(mode).ok_or_else(|| frame_error(format!("unknown mode {mode}")))?;
        Ok(Request {
            job,
            chunk,
            kernel,
            mode,
            payload: payload.into_vec(),
            context: context.map(|(id, bytes)| Context {
                id,
                bytes: bytes.map(ByteBuf::into_vec),
            }),
        })
    }
}

impl Response {
    pub fn encode(&self) -> Vec<u8> {
        match &self.body {
            Ok(body) => to_vec(&(
                WIRE_VERSION,
                &self.job,
                self.chunk,
                0u8,
                serde_bytes::Bytes::new(body),
            )),
            Err(failure) => to_vec(&(WIRE_VERSION, &self.job, self.chunk, 1u8, failure)),
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Response, Failure> {
        let (version, job, chunk, status, body): (u8, String, u32, u8, ciborium::Value) =
            ciborium::de::from_reader(bytes)
                .map_err(|e| frame_error(format!("malformed response frame: {e}")))?;
        check_version(version)?;
        let body = match (status, body) {
            (0, ciborium::Value::Bytes(b)) => Ok(b),
            (1, v) => Err(v
                .deserialized::<Failure>()
                .map_err(|e| frame_error(format!("malformed failure: {e}")))?),
            (s, _) => return Err(frame_error(format!("bad response status {s}"))),
        };
        Ok(Response { job, chunk, body })
    }
}

/// Encodes any serde value as CBOR. Writing into a `Vec` cannot fail for the types the
/// registry produces, so a failure here is a bug in a `Serialize` impl.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("CBOR encoding into a Vec failed");
    out
}

fn check_version(v: u8) -> Result<(), Failure> {
    if v == WIRE_VERSION {
        Ok(())
    } else {
        Err(frame_error(format!(
            "wire version {v}, this module speaks {WIRE_VERSION}"
        )))
    }
}

fn frame_error(message: String) -> Failure {
    Failure::new(FailureKind::Frame, "", message)
}
