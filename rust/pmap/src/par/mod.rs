//! Parallel iterators shaped like rayon's, whose steps are registered kernels run by the
//! TypeScript pool's workers.
//!
//! ```ignore
//! use wasm_pmap::prelude::*;
//!
//! // async: main-thread wasm (after `pool.exposeToRust()`), or any thread with a pool handle
//! let squares: Vec<u64> = (0..10_000u64).into_par_iter().map(par_fn!(kernels::square)).try_collect_vec().await?;
//!
//! // blocking: inside a #[kernel(job)] run by the SyncExecutor worker (`pool.execute`)
//! let evens = items.par_iter().filter(par_fn!(is_even)).collect_vec_sync();
//! ```
//!
//! Every adaptor only records a stage (pipe.rs); a terminal encodes the items once, cuts
//! them into chunks (about four per worker), and sends each chunk with the whole stage list
//! to a worker, which runs all stages in one go (see pipe.rs). Types are checked at compile
//! time through the kernel handles `par_fn!` names (handles.rs).
//!
//! Terminals come in three flavours. `try_x().await` and `try_x_sync()` return
//! `Result<_, PmapError>`; `PmapError` converts into a `JsValue` (a JS `Error` named after
//! the pool's error class), so `?` in an `async fn … -> Result<_, JsValue>` export rejects
//! its promise with the typed error. `x_sync()` throws the error to the JavaScript caller
//! as an exception — not a panic: the wasm instance stays usable.
//!
//! There is no `x().await` without `try_`: on an error it could only panic or throw from
//! inside a future being polled, and either leaves the export's promise pending forever
//! (with `panic = "abort"` a panic is a trap: the closures that would settle the promise
//! never run). A blocking call can throw to its JS caller; a future cannot.

mod handles;
pub mod host;
pub(crate) mod pipe;
mod plan;

use std::iter::Sum;
use std::marker::PhantomData;
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use crate::error::{ErrorKind, PmapError};
pub use handles::{
    ContextFn, ContextKernel, FilterKernel, JobFn, KernelFn, MapKernel, ReduceFn, ReduceKernel,
};
use host::throw;
use pipe::Stage;
use plan::Plan;

/// Marks whether item positions are still those of the source (`enumerate` needs them).
#[doc(hidden)]
pub struct Indexed;
#[doc(hidden)]
pub struct Unindexed;

/// A parallel iterator of `T` (decoded from the wire as `W`). Build one with
/// `into_par_iter()`, `par_iter()` or `par_chunks(n)` and the adaptors.
#[must_use = "parallel iterators are lazy: end them with collect_vec(), reduce(), sum() or their _sync forms"]
pub struct Par<T, W = T, X = Indexed> {
    plan: Plan,
    _types: Types<T, W, X>,
}

/// Why `fn() -> …`: a `Par` holds no `T`, `W` or `X`, only encoded items, so it should not
/// inherit their auto traits or drop checks.
type Types<T, W, X> = PhantomData<fn() -> (T, W, X)>;

impl<T, W, X> Par<T, W, X> {
    fn from_plan(plan: Plan) -> Self {
        Par {
            plan,
            _types: PhantomData,
        }
    }
}

/// Rayon's `ParallelIterator`: adaptors record a stage, terminals run the pipeline.
#[allow(async_fn_in_trait)] // single-threaded wasm: no Send bound wanted
pub trait ParallelIterator: Sized {
    /// What the iterator yields.
    type Item;
    /// How an item travels back (decoded as this, converted into `Item`).
    #[doc(hidden)]
    type Wire: DeserializeOwned + Into<Self::Item>;
    /// [`Indexed`] while items sit at their source positions (maps keep them, filters don't).
    #[doc(hidden)]
    type Ix;
    #[doc(hidden)]
    fn into_plan(self) -> Plan;

    /// Applies a map kernel to every item in a worker.
    fn map<K: MapKernel<Self::Item>>(self, f: K) -> Par<K::Output, K::Wire, Self::Ix> {
        Par::from_plan(self.into_plan().with(Stage::Map(f.name())))
    }

    /// Keeps the items for which a kernel `fn(T) -> bool` returns true.
    fn filter<K: FilterKernel<Self::Item>>(
        self,
        predicate: K,
    ) -> Par<Self::Item, Self::Wire, Unindexed> {
        Par::from_plan(self.into_plan().with(Stage::Filter(predicate.name())))
    }

    /// Applies a `#[kernel(context)]` kernel with `ctx` as its shared first argument.
    fn map_with<C: Serialize, K: ContextKernel<C, Self::Item>>(
        self,
        ctx: C,
        f: K,
    ) -> Par<K::Output, K::Wire, Self::Ix> {
        let plan = self.into_plan();
        Par::from_plan(match crate::wire::try_to_vec(&ctx) {
            Ok(bytes) => plan.with(Stage::MapWith(f.name(), bytes)),
            Err(why) => plan.fail(format!(
                "the context of {} does not encode: {why}",
                f.name()
            )),
        })
    }

    /// Runs the pipeline; the outputs in input order, or the first error (see the module
    /// docs for why there is no async form without `try_`).
    async fn try_collect_vec(self) -> Result<Vec<Self::Item>, PmapError> {
        concat::<Self::Wire, Self::Item>(self.into_plan().run().await?)
    }
    /// Blocking `collect_vec`, only inside the SyncExecutor worker (a `#[kernel(job)]`).
    fn collect_vec_sync(self) -> Vec<Self::Item> {
        self.try_collect_vec_sync().unwrap_or_else(|e| throw(e))
    }
    /// `collect_vec_sync`, returning the error.
    fn try_collect_vec_sync(self) -> Result<Vec<Self::Item>, PmapError> {
        concat::<Self::Wire, Self::Item>(self.into_plan().run_sync()?)
    }

    /// Folds the items with an associative `#[kernel(reduce)]`: each chunk in a worker,
    /// the partials here. `None` for no items.
    async fn try_reduce<K: ReduceKernel<Self::Item>>(
        self,
        op: K,
    ) -> Result<Option<Self::Item>, PmapError> {
        fold::<K::Wire, Self::Item>(
            op.name(),
            self.into_plan()
                .with(Stage::Reduce(op.name()))
                .run()
                .await?,
        )
    }
    /// Blocking `reduce`, only inside the SyncExecutor worker (a `#[kernel(job)]`).
    fn reduce_sync<K: ReduceKernel<Self::Item>>(self, op: K) -> Option<Self::Item> {
        self.try_reduce_sync(op).unwrap_or_else(|e| throw(e))
    }
    /// `reduce_sync`, returning the error.
    fn try_reduce_sync<K: ReduceKernel<Self::Item>>(
        self,
        op: K,
    ) -> Result<Option<Self::Item>, PmapError> {
        fold::<K::Wire, Self::Item>(
            op.name(),
            self.into_plan().with(Stage::Reduce(op.name())).run_sync()?,
        )
    }

    /// Adds numeric items (integers exactly, floats as f64), in the workers per chunk.
    async fn try_sum(self) -> Result<Self::Item, PmapError>
    where
        Self::Item: Sum<Self::Item>,
    {
        add::<Self::Wire, Self::Item>(self.into_plan().with(Stage::Sum).run().await?)
    }
    /// Blocking `sum`, only inside the SyncExecutor worker (a `#[kernel(job)]`).
    fn sum_sync(self) -> Self::Item
    where
        Self::Item: Sum<Self::Item>,
    {
        self.try_sum_sync().unwrap_or_else(|e| throw(e))
    }
    /// `sum_sync`, returning the error.
    fn try_sum_sync(self) -> Result<Self::Item, PmapError>
    where
        Self::Item: Sum<Self::Item>,
    {
        add::<Self::Wire, Self::Item>(self.into_plan().with(Stage::Sum).run_sync()?)
    }
}

/// Iterators whose items still sit at their source positions (before any `filter`).
pub trait IndexedParallelIterator: ParallelIterator {
    /// Pairs each item with its position in the source.
    fn enumerate(self) -> Par<(usize, Self::Item), Enumerated<Self::Wire>, Indexed> {
        Par::from_plan(self.into_plan().with(Stage::Enumerate))
    }
}

impl<T, W: DeserializeOwned + Into<T>, X> ParallelIterator for Par<T, W, X> {
    type Item = T;
    type Wire = W;
    type Ix = X;
    fn into_plan(self) -> Plan {
        self.plan
    }
}

impl<T, W: DeserializeOwned + Into<T>> IndexedParallelIterator for Par<T, W, Indexed> {}

/// How an enumerated item travels: `[index, item]`.
#[doc(hidden)]
#[derive(Deserialize)]
pub struct Enumerated<W>(usize, W);

impl<T, W: Into<T>> From<Enumerated<W>> for (usize, T) {
    fn from(e: Enumerated<W>) -> Self {
        (e.0, e.1.into())
    }
}

/// Rayon's `IntoParallelIterator`: `vec.into_par_iter()`, `(0..n).into_par_iter()`.
pub trait IntoParallelIterator {
    /// What the iterator yields.
    type Item;
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// The items as a parallel iterator (encoded now, run by a terminal).
    fn into_par_iter(self) -> Self::Iter;
}

impl<T: Serialize + DeserializeOwned> IntoParallelIterator for Vec<T> {
    type Item = T;
    type Iter = Par<T, T, Indexed>;
    fn into_par_iter(self) -> Self::Iter {
        Par::from_plan(Plan::from_iter(self))
    }
}

macro_rules! range_source {
    ($($t:ty),*) => {$(
        impl IntoParallelIterator for Range<$t> {
            type Item = $t;
            type Iter = Par<$t, $t, Indexed>;
            fn into_par_iter(self) -> Self::Iter {
                Par::from_plan(Plan::from_iter(self))
            }
        }
    )*};
}
range_source!(u8, u16, u32, u64, i8, i16, i32, i64, usize, isize);

/// Rayon's `ParallelSlice`: `slice.par_iter()` (items travel by value, so they come back
/// owned) and `slice.par_chunks(n)` (each item a `Vec<T>` of up to `n` elements).
pub trait ParallelSlice<T: Serialize + DeserializeOwned> {
    /// The elements as a parallel iterator (copies: they travel to the workers).
    fn par_iter(&self) -> Par<T, T, Indexed>;
    /// Runs of up to `chunk_size` elements, each one item.
    fn par_chunks(&self, chunk_size: usize) -> Par<Vec<T>, Vec<T>, Indexed>;
}

impl<T: Serialize + DeserializeOwned> ParallelSlice<T> for [T] {
    fn par_iter(&self) -> Par<T, T, Indexed> {
        Par::from_plan(Plan::from_iter(self))
    }
    fn par_chunks(&self, chunk_size: usize) -> Par<Vec<T>, Vec<T>, Indexed> {
        assert!(chunk_size > 0, "par_chunks: chunk_size must be > 0");
        Par::from_plan(Plan::from_iter(self.chunks(chunk_size)))
    }
}

/// The compute workers parallel iterators on this thread run on now — what
/// `rayon::current_num_threads()` is to rayon; it follows `pool.grow`. 1 where no pool is
/// reachable (a compute worker, or a thread with no host), as rayon counts the caller.
pub fn current_num_workers() -> usize {
    host::current().map_or(1, |h| h.workers())
}

/// Runs a `#[kernel(job)]` inside the pool's SyncExecutor worker, where it may block on
/// `collect_vec_sync()`; resolves with its output.
pub async fn execute_async<I: Serialize, O, W: DeserializeOwned + Into<O>>(
    job: JobFn<I, O, W>,
    input: &I,
) -> Result<O, PmapError> {
    let host = host::current()?;
    // A pipe of one map stage, not a plain map-mode chunk: the output comes back to this
    // Rust caller, so the executor encodes its integers exactly at full range (pipe.rs),
    // never checked against what a JavaScript number holds.
    let items = encode_input(job.name(), input)?;
    let payload = pipe::encode_payload(&[Stage::Map(job.name())], 0, &items);
    let body = host.execute(job.name(), payload).await?;
    let mut out: Vec<W> = pipe::decode(job.name(), &body)?;
    out.pop().map(Into::into).ok_or_else(|| {
        PmapError::new(
            ErrorKind::Pool,
            Some(job.name()),
            "the job returned no output",
        )
    })
}

/// A job's payload: an array of its one input.
fn encode_input<I: Serialize>(job: &str, input: &I) -> Result<Vec<u8>, PmapError> {
    crate::wire::try_to_vec(&[input]).map_err(|why| {
        PmapError::new(
            ErrorKind::Encode,
            Some(job),
            format!("the input does not encode: {why}"),
        )
    })
}

fn concat<W: DeserializeOwned + Into<T>, T>(bodies: Vec<Vec<u8>>) -> Result<Vec<T>, PmapError> {
    let mut out = Vec::new();
    for b in bodies {
        let part: Vec<W> = pipe::decode("collect_vec", &b)?;
        out.extend(part.into_iter().map(Into::into));
    }
    Ok(out)
}

/// Folds the chunks' partials with the reduce kernel, here, through this module's registry.
fn fold<W: DeserializeOwned + Into<T>, T>(
    kernel: &str,
    bodies: Vec<Vec<u8>>,
) -> Result<Option<T>, PmapError> {
    let mut partials: Vec<ciborium::Value> = Vec::new();
    for b in &bodies {
        match pipe::decode::<ciborium::Value>(kernel, b)? {
            ciborium::Value::Null => {}
            v => partials.push(v),
        }
    }
    if partials.is_empty() {
        return Ok(None);
    }
    // The folded value stays in Rust: no JS number limits its integers.
    let folded = crate::__private::read_by_rust(|| {
        crate::registry::run(
            kernel,
            crate::wire::Mode::Reduce,
            &crate::wire::to_vec(&partials),
            None,
        )
    })?;
    Ok(pipe::decode::<Option<W>>(kernel, &folded)?.map(Into::into))
}

fn add<W: DeserializeOwned + Into<T>, T: Sum<T>>(bodies: Vec<Vec<u8>>) -> Result<T, PmapError> {
    let partials = bodies
        .iter()
        .map(|b| pipe::decode::<Option<ciborium::Value>>("sum", b))
        .collect::<Result<Vec<_>, _>>()?;
    match pipe::sum_values(partials)
        .map_err(|m| PmapError::new(ErrorKind::Kernel, Some("sum"), m))?
    {
        None => Ok(std::iter::empty::<T>().sum()),
        Some(v) => Ok(pipe::decode::<W>("sum", &crate::wire::to_vec(&v))?.into()),
    }
}
