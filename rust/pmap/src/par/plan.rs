//! A parallel iterator's plan: its items, encoded once, and the stages recorded so far;
//! a terminal cuts it into one pipe payload per chunk and hands them to the host.

use serde::Serialize;

use super::host;
use super::pipe::{self, Stage};
use crate::error::{ErrorKind, PmapError};
use crate::wire::{array_header, ser_error};

/// Most items in one chunk.
pub const MAX_CHUNK: usize = 16_384;
/// How many chunks per worker the auto chunking aims for (so a slow chunk does not leave
/// the other workers idle at the end).
pub const CHUNKS_PER_WORKER: usize = 4;

/// Items per chunk for `total` items over `workers` compute workers: about
/// [`CHUNKS_PER_WORKER`] chunks each, at least 1 and at most [`MAX_CHUNK`] items. The TS
/// pool chunks `pool.map` the same way (`autoChunkSize`); both are pinned by
/// `tests/vectors/chunking.json`.
pub fn auto_chunk_size(total: usize, workers: usize) -> usize {
    total
        .div_ceil(workers.max(1) * CHUNKS_PER_WORKER)
        .clamp(1, MAX_CHUNK)
}

/// The items of a parallel iterator, each CBOR-encoded once, back to back.
#[doc(hidden)]
pub struct Plan {
    items: Vec<u8>,
    /// Where each item starts in `items` (plus the end).
    offsets: Vec<usize>,
    stages: Vec<Stage>,
    /// An item or context whose `Serialize` failed: the terminal returns it (an `Encode`
    /// error) instead of running anything.
    error: Option<PmapError>,
}

impl Plan {
    pub(super) fn from_iter<T: Serialize>(iter: impl IntoIterator<Item = T>) -> Plan {
        let mut plan = Plan {
            items: Vec::new(),
            offsets: vec![0],
            stages: Vec::new(),
            error: None,
        };
        for (i, item) in iter.into_iter().enumerate() {
            if let Err(e) = ciborium::ser::into_writer(&item, &mut plan.items) {
                let why = ser_error(e);
                return plan.fail(format!("item {i} does not encode: {why}"));
            }
            plan.offsets.push(plan.items.len());
        }
        plan
    }

    /// Records that the iterator cannot run (the first such error wins).
    pub(super) fn fail(mut self, message: String) -> Plan {
        self.error
            .get_or_insert_with(|| PmapError::new(ErrorKind::Encode, None, message));
        self
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(super) fn with(mut self, stage: Stage) -> Plan {
        self.stages.push(stage);
        self
    }

    fn label(&self) -> String {
        let names: Vec<&str> = self.stages.iter().filter_map(Stage::kernel).collect();
        if names.is_empty() {
            "par_iter".into()
        } else {
            names.join("→")
        }
    }

    /// One pipe payload per chunk.
    fn payloads(&self, workers: usize) -> Vec<Vec<u8>> {
        let n = self.len();
        let size = auto_chunk_size(n, workers);
        (0..n)
            .step_by(size)
            .map(|start| {
                let end = (start + size).min(n);
                let mut items = Vec::with_capacity(self.offsets[end] - self.offsets[start] + 9);
                array_header(end - start, &mut items);
                items.extend_from_slice(&self.items[self.offsets[start]..self.offsets[end]]);
                pipe::encode_payload(&self.stages, start, &items)
            })
            .collect()
    }

    pub(super) fn run_sync(self) -> Result<Vec<Vec<u8>>, PmapError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let host = host::current().map_err(|e| match e.kind {
            ErrorKind::NoPool => host::not_in_executor("collect_vec_sync()"),
            _ => e,
        })?;
        if self.len() == 0 {
            return Ok(Vec::new());
        }
        host.run_sync(&self.label(), self.payloads(host.workers()))
    }

    pub(super) async fn run(self) -> Result<Vec<Vec<u8>>, PmapError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let host = host::current()?;
        if self.len() == 0 {
            return Ok(Vec::new());
        }
        host.run(&self.label(), self.payloads(host.workers())).await
    }
}

#[cfg(test)]
mod tests;
