//! Test fixtures shared by `tests/par_local.rs` (`mod common;`) and the unit tests
//! (`src/test_support.rs` includes this file).

use serde::{Deserialize, Serialize};

/// A value whose `Serialize` fails when it is odd: an output (or an input sent from Rust)
/// that cannot be encoded, for the `Encode` failure paths.
#[derive(Debug, Deserialize)]
pub struct OddFails(pub u32);

impl Serialize for OddFails {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 2 == 1 {
            Err(serde::ser::Error::custom(format!("{} is odd", self.0)))
        } else {
            s.serialize_u32(self.0)
        }
    }
}
