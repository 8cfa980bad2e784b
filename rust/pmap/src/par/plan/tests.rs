//! How a parallel iterator's items are cut into chunks: the same rule as the TypeScript
//! pool's (`tests/vectors/chunking.json`), every item in exactly one chunk, in order.

use std::cell::RefCell;
use std::rc::Rc;

use ciborium::Value;
use proptest::prelude::*;
use serde_bytes::ByteBuf;

use super::{auto_chunk_size, CHUNKS_PER_WORKER, MAX_CHUNK};
use crate::par::host::{block_on, set_host, Host, LocalFuture, LocalHost};
use crate::prelude::*;
use crate::test_support::{proptest_config, vectors};

#[test]
fn auto_chunk_size_matches_chunking_json() {
    let file = vectors("chunking.json");
    assert_eq!(file["chunksPerWorker"], CHUNKS_PER_WORKER as u64);
    assert_eq!(file["maxChunk"], MAX_CHUNK as u64);
    let cases = file["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let n = |k: &str| c[k].as_u64().unwrap() as usize;
        assert_eq!(
            auto_chunk_size(n("total"), n("workers")),
            n("chunkSize"),
            "{c}"
        );
    }
}

/// A host that records each chunk's `(base, item count)` before running it locally.
struct Recording {
    workers: usize,
    chunks: RefCell<Vec<(u64, usize)>>,
}

impl Host for Recording {
    fn workers(&self) -> usize {
        self.workers
    }
    fn run(
        &self,
        label: &str,
        payloads: Vec<Vec<u8>>,
    ) -> LocalFuture<Result<Vec<Vec<u8>>, PmapError>> {
        for p in &payloads {
            let (_, base, items): (Vec<Value>, u64, ByteBuf) =
                ciborium::de::from_reader(&p[..]).expect("a pipe payload");
            let items: Vec<Value> = ciborium::de::from_reader(&items[..]).expect("an item array");
            self.chunks.borrow_mut().push((base, items.len()));
        }
        LocalHost.run(label, payloads)
    }
    fn run_sync(&self, label: &str, payloads: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PmapError> {
        block_on(self.run(label, payloads))
    }
    fn execute(&self, job: &str, payload: Vec<u8>) -> LocalFuture<Result<Vec<u8>, PmapError>> {
        LocalHost.execute(job, payload)
    }
}

proptest! {
    #![proptest_config(proptest_config(2048))]

    #[test]
    fn auto_chunk_plans_cover_every_index_once_in_order(
        total in prop_oneof![0usize..2_000, 0usize..10_000_000],
        workers in 0usize..300,
    ) {
        let size = auto_chunk_size(total, workers);
        prop_assert!((1..=MAX_CHUNK).contains(&size));
        // The plan a terminal cuts (plan.rs): consecutive runs of `size`, the last shorter.
        let chunks: Vec<(usize, usize)> =
            (0..total).step_by(size).map(|s| (s, (s + size).min(total))).collect();
        let mut next = 0;
        for &(start, end) in &chunks {
            prop_assert_eq!(start, next);
            prop_assert!(end > start);
            next = end;
        }
        prop_assert_eq!(next, total);
        let aim = (workers.max(1) * 4).max(total.div_ceil(MAX_CHUNK));
        prop_assert!(chunks.len() <= aim, "{} chunks for {} items on {} workers", chunks.len(), total, workers);
    }
}

proptest! {
    #![proptest_config(proptest_config(24))]

    #[test]
    fn a_parallel_iterator_sees_every_item_once_in_order(
        total in prop_oneof![0u32..300, 0u32..70_000],
        workers in 1usize..20,
    ) {
        let host = Rc::new(Recording { workers, chunks: RefCell::new(Vec::new()) });
        set_host(Some(host.clone() as Rc<dyn Host>));
        let pairs = block_on((0..total).into_par_iter().enumerate().try_collect_vec()).unwrap();
        set_host(None);
        prop_assert!(pairs.iter().enumerate().all(|(i, &(j, x))| i == j && x as usize == i));
        prop_assert_eq!(pairs.len(), total as usize);
        let size = auto_chunk_size(total as usize, workers);
        let chunks = host.chunks.borrow();
        let mut next = 0u64;
        for (k, &(base, len)) in chunks.iter().enumerate() {
            prop_assert_eq!(base, next, "chunk {} starts where the one before ended", k);
            prop_assert!(len == size || (k + 1 == chunks.len() && (1..=size).contains(&len)));
            next += len as u64;
        }
        prop_assert_eq!(next, u64::from(total));
    }
}
