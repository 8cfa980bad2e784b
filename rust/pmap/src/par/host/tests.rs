//! What a parallel iterator hands its host: one payload per chunk, cut for the host's
//! worker count, under a label naming the kernels (the pool shows it in errors and stats).
//! A recording host wraps `LocalHost`, which stands in for a pool of two workers.

use std::cell::RefCell;
use std::rc::Rc;

use ciborium::Value;

use super::{set_host, Host, LocalFuture, LocalHost};
use crate::error::ErrorKind;
use crate::par::pipe::{self, sum_values, Stage};
use crate::prelude::*;
use crate::registry;
use crate::test_support::{max_u32, triple};
use crate::wire::{to_vec, Mode};

#[wasm_pmap::kernel]
fn is_even(x: u32) -> bool {
    x.is_multiple_of(2)
}

#[wasm_pmap::kernel(context)]
fn plus(by: &u32, x: u32) -> u32 {
    x + by
}

#[wasm_pmap::kernel]
fn shift_u64(x: u64) -> u64 {
    x << 20
}

/// `(label, number of payloads)` of every run.
#[derive(Default)]
struct Recording(RefCell<Vec<(String, usize)>>);

impl Host for Recording {
    fn workers(&self) -> usize {
        LocalHost.workers()
    }
    fn run(
        &self,
        label: &str,
        payloads: Vec<Vec<u8>>,
    ) -> LocalFuture<Result<Vec<Vec<u8>>, PmapError>> {
        self.0.borrow_mut().push((label.to_owned(), payloads.len()));
        LocalHost.run(label, payloads)
    }
    fn run_sync(&self, label: &str, payloads: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PmapError> {
        self.0.borrow_mut().push((label.to_owned(), payloads.len()));
        LocalHost.run_sync(label, payloads)
    }
    fn execute(&self, job: &str, payload: Vec<u8>) -> LocalFuture<Result<Vec<u8>, PmapError>> {
        LocalHost.execute(job, payload)
    }
}

fn recording() -> Rc<Recording> {
    let host = Rc::new(Recording::default());
    set_host(Some(host.clone()));
    host
}

#[test]
fn chunks_are_cut_for_the_hosts_workers_and_labelled_by_kernel() {
    let host = recording();
    // 100 items over LocalHost's 2 workers: about 4 chunks each, 13 items per chunk.
    let out = (0..100u32)
        .into_par_iter()
        .map(par_fn!(triple))
        .filter(par_fn!(is_even))
        .collect_vec_sync();
    assert_eq!(out.len(), 50);
    let max = (0..100u32)
        .into_par_iter()
        .map_with(1u32, par_fn!(plus))
        .reduce_sync(par_fn!(max_u32));
    assert_eq!(max, Some(100));
    let sum = (0..10u32).into_par_iter().sum_sync();
    assert_eq!(sum, 45);
    assert_eq!(
        *host.0.borrow(),
        [
            ("triple→isEven".to_string(), 8),
            ("plus→maxU32".to_string(), 8),
            ("par_iter".to_string(), 5),
        ]
    );
    set_host(None);
}

#[test]
fn after_a_parallel_iterator_kernel_outputs_are_checked_for_javascript_again() {
    recording();
    // Inside a pipe, outputs go back to Rust: 2^60 stays exact...
    let out = vec![1u64 << 40]
        .into_par_iter()
        .map(par_fn!(shift_u64))
        .collect_vec_sync();
    assert_eq!(out, [1 << 60]);
    // ...but a kernel called from TypeScript afterwards, on the same thread, may not
    // return it.
    let f = registry::run("shiftU64", Mode::Map, &to_vec(&[1u64 << 40]), None).unwrap_err();
    assert_eq!(f.kind, ErrorKind::Encode, "{f}");
    set_host(None);
}

#[test]
fn sums_add_integers_exactly_and_anything_else_as_floats() {
    let int = |i: i64| Some(Value::Integer(i.into()));
    let float = |f: f64| Some(Value::Float(f));
    assert_eq!(sum_values([int(2), int(3)]), Ok(int(5)));
    assert_eq!(sum_values([int(2), float(0.5)]), Ok(float(2.5)));
    assert_eq!(sum_values([float(0.5), int(2)]), Ok(float(2.5)));
    assert_eq!(sum_values([float(0.5), float(0.25), None]), Ok(float(0.75)));
    assert_eq!(sum_values([None, None]), Ok(None));
    // In a worker, over a chunk of JS numbers (integers arrive as CBOR integers).
    let items = [&[0x83, 0x03][..], &to_vec(&0.25f64), &[0x02]].concat();
    let body = pipe::run("c", &pipe::encode_payload(&[Stage::Sum], 0, &items)).unwrap();
    assert_eq!(body, to_vec(&5.25f64));
    recording();
    let halves = vec![0.5f64; 100].into_par_iter().sum_sync();
    assert_eq!(halves, 50.0);
    set_host(None);
}

#[test]
fn current_num_workers_is_the_hosts_count_and_1_without_a_host() {
    set_host(None);
    assert_eq!(current_num_workers(), 1); // no pool reachable: the caller alone
    set_host(Some(Rc::new(LocalHost)));
    assert_eq!(current_num_workers(), 2);
    set_host(None);
}
