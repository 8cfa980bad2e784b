//! The wire protocol, Rust side: the whole vocabulary of frames exchanged between the
//! TypeScript pool and a kernel module. Its twin is `ts/protocol/frames.ts`; both are checked against
//! the byte vectors in `tests/vectors/wire.json`.
//!
//! Every frame is one CBOR array, positional so the header costs a few bytes:
//!
//! ```text
//! request  = [1, call: text, chunk: uint, kernel: text, mode: uint, payload: bytes,
//!             context: null | [id: text, bytes | null]]
//! response = [1, call: text, chunk: uint, 0, body: bytes]          ; ok
//!          | [1, call: text, chunk: uint, 1, failure: map]         ; error (see error.rs)
//! ```
//!
//! `call` is the id of the pool call the chunk belongs to (`<pool uuid>:<n>`); a response
//! echoes its request's `call` and `chunk`.
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

use crate::error::{ErrorKind, Failure};

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
    /// The mode with this wire number.
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
    /// The pool call's id (`<pool uuid>:<n>`).
    pub call: String,
    /// Index of this chunk within the call.
    pub chunk: u32,
    /// The kernel's registered name (pipe mode: only a label).
    pub kernel: String,
    /// How the payload is laid out.
    pub mode: Mode,
    /// The chunk's items, CBOR (layout per [`Mode`]).
    pub payload: Vec<u8>,
    /// A `map_with` call's context.
    pub context: Option<Context>,
}

/// A broadcast context reference (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Cache key, unique per call (the call id).
    pub id: String,
    /// The context's CBOR, on the first chunk a worker gets; `None` afterwards.
    pub bytes: Option<Vec<u8>>,
}

/// The answer to one [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The request's call id, echoed.
    pub call: String,
    /// The request's chunk index, echoed.
    pub chunk: u32,
    /// The outputs' CBOR, or why there are none.
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
    /// The request frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let t = (
            WIRE_VERSION,
            &self.call,
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

    /// Reads a request frame; a malformed one is a `Frame` failure.
    pub fn decode(bytes: &[u8]) -> Result<Request, Failure> {
        let (version, call, chunk, kernel, mode, payload, context): RequestTuple =
            ciborium::de::from_reader(bytes)
                .map_err(|e| frame_error(format!("malformed request frame: {e}")))?;
        check_version(version)?;
        let mode =
            Mode::from_u8(mode).ok_or_else(|| frame_error(format!("unknown mode {mode}")))?;
        Ok(Request {
            call,
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
    /// The response frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        match &self.body {
            Ok(body) => to_vec(&(
                WIRE_VERSION,
                &self.call,
                self.chunk,
                0u8,
                serde_bytes::Bytes::new(body),
            )),
            Err(failure) => to_vec(&(WIRE_VERSION, &self.call, self.chunk, 1u8, failure)),
        }
    }

    /// Reads a response frame; a malformed one is a `Frame` failure.
    pub fn decode(bytes: &[u8]) -> Result<Response, Failure> {
        let (version, call, chunk, status, body): (u8, String, u32, u8, ciborium::Value) =
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
        Ok(Response { call, chunk, body })
    }
}

/// Encodes a serde value as CBOR. Writing into a `Vec` cannot fail for the frames and
/// values this crate builds, so a failure here is a bug in a `Serialize` impl; kernel
/// outputs are encoded fallibly instead (an `Encode` failure, see `private.rs`).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    try_to_vec(value).expect("CBOR encoding into a Vec failed")
}

/// Encodes a value a user's `Serialize` impl writes; its failure, as text.
pub(crate) fn try_to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(ser_error)?;
    Ok(out)
}

/// Why a value did not encode. Into a `Vec`, only the `Serialize` impl can fail.
pub(crate) fn ser_error(e: ciborium::ser::Error<std::io::Error>) -> String {
    match e {
        ciborium::ser::Error::Value(m) => m,
        ciborium::ser::Error::Io(e) => e.to_string(),
    }
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
    Failure::new(ErrorKind::Frame, "", message)
}

/// A CBOR array header (major type 4) for `n` items, in its shortest form: what ciborium
/// writes before a sequence of known length.
pub(crate) fn array_header(n: usize, out: &mut Vec<u8>) {
    let n = n as u64;
    match n {
        0..=23 => out.push(0x80 | n as u8),
        24..=0xff => out.extend([0x98, n as u8]),
        0x100..=0xffff => out.extend([0x99].into_iter().chain((n as u16).to_be_bytes())),
        0x1_0000..=0xffff_ffff => out.extend([0x9a].into_iter().chain((n as u32).to_be_bytes())),
        _ => out.extend([0x9b].into_iter().chain(n.to_be_bytes())),
    }
}

/// ciborium's decode errors only implement `Debug`; keep the human part.
pub(crate) fn cbor_error(e: ciborium::de::Error<std::io::Error>) -> String {
    match e {
        ciborium::de::Error::Semantic(_, m) => m,
        ciborium::de::Error::Syntax(at) => format!("malformed CBOR at byte {at}"),
        ciborium::de::Error::Io(e) => format!("truncated CBOR ({e})"),
        ciborium::de::Error::RecursionLimitExceeded => "CBOR nested too deeply".into(),
    }
}

#[cfg(test)]
mod tests;
