//! Typed handles to registered kernels, made by `par_fn!(path)` / `sync_fn!(path)`.
//!
//! `#[kernel]` emits, next to each function `f`, a hidden braced `struct f {}` (type
//! namespace only, so `use path::f` imports it with the fn) whose `__private::ParFn` (or,
//! for a job, `SyncFn`) impl holds one of these, carrying the kernel's registered name
//! and — in its type parameters — its input and output types. So `par_iter().map(par_fn!(f))` is checked by the compiler: an
//! iterator of `u32` cannot be mapped with a kernel that takes a `Point`.
//!
//! `W` is the output's *wire* type (`TypedVec<f64>` for a `Vec<f64>` output, which travels
//! as one tagged byte string); results are decoded as `W` and converted into `O`.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident<$($p:ident),*>) => {
        $(#[$doc])*
        pub struct $name<$($p),*> {
            name: &'static str,
            _types: PhantomData<fn($($p),*)>,
        }

        impl<$($p),*> $name<$($p),*> {
            #[doc(hidden)]
            pub const fn new(name: &'static str) -> Self {
                $name { name, _types: PhantomData }
            }

            /// The kernel's registered (TypeScript) name.
            pub const fn name(&self) -> &'static str {
                self.name
            }
        }

        impl<$($p),*> Clone for $name<$($p),*> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<$($p),*> Copy for $name<$($p),*> {}
    };
}

handle!(
    /// A map kernel `fn(I) -> O` (several arguments: `I` is their tuple).
    KernelFn<I, O, W>
);
handle!(
    /// A `#[kernel(context)]` kernel `fn(&C, I) -> O`, for `map_with`.
    ContextFn<C, I, O, W>
);
handle!(
    /// A `#[kernel(reduce)]` kernel `fn(A, A) -> A`.
    ReduceFn<A, W>
);
handle!(
    /// A `#[kernel(job)]` function `fn(I) -> O`, run inside the SyncExecutor worker
    /// (where it may block on `collect_vec_sync()`); see `execute_async`.
    JobFn<I, O, W>
);

// What each adaptor accepts, as traits rather than concrete handle types so that a kernel
// of the wrong input (or kind) is reported in the adaptor's own words, not as a mismatch
// of two `KernelFn<…>` types.

/// A kernel `.map` can apply to `I` items: the handle of a `#[kernel] fn(I) -> O`.
#[diagnostic::on_unimplemented(
    message = "this kernel cannot map `{I}` items",
    label = "expected a `#[kernel] fn({I}) -> _`, found `{Self}`",
    note = "`KernelFn<I, O, _>` is the handle of a `#[kernel] fn(I) -> O`; its input `I` must be the iterator's item type"
)]
pub trait MapKernel<I> {
    /// The kernel's output type.
    type Output;
    #[doc(hidden)]
    type Wire: DeserializeOwned + Into<Self::Output>;
    /// The kernel's registered (TypeScript) name.
    fn name(&self) -> &'static str;
}

impl<I, O, W: DeserializeOwned + Into<O>> MapKernel<I> for KernelFn<I, O, W> {
    type Output = O;
    type Wire = W;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// A kernel `.filter` can test `I` items with: the handle of a `#[kernel] fn(I) -> bool`.
#[diagnostic::on_unimplemented(
    message = "this kernel cannot filter `{I}` items",
    label = "expected a `#[kernel] fn({I}) -> bool`, found `{Self}`",
    note = "`KernelFn<I, O, _>` is the handle of a `#[kernel] fn(I) -> O`; a filter needs `I` = the item type and `O` = bool"
)]
pub trait FilterKernel<I> {
    /// The kernel's registered (TypeScript) name.
    fn name(&self) -> &'static str;
}

impl<I> FilterKernel<I> for KernelFn<I, bool, bool> {
    fn name(&self) -> &'static str {
        self.name
    }
}

/// A kernel `.map_with(ctx, ..)` can apply to `I` items with a `C` context: the handle of
/// a `#[kernel(context)] fn(&C, I) -> O`.
#[diagnostic::on_unimplemented(
    message = "this kernel cannot map `{I}` items with a `{C}` context",
    label = "expected a `#[kernel(context)] fn(&{C}, {I}) -> _`, found `{Self}`",
    note = "`ContextFn<C, I, O, _>` is the handle of a `#[kernel(context)] fn(&C, I) -> O`; `map_with`'s first argument must be a `C`"
)]
pub trait ContextKernel<C, I> {
    /// The kernel's output type.
    type Output;
    #[doc(hidden)]
    type Wire: DeserializeOwned + Into<Self::Output>;
    /// The kernel's registered (TypeScript) name.
    fn name(&self) -> &'static str;
}

impl<C, I, O, W: DeserializeOwned + Into<O>> ContextKernel<C, I> for ContextFn<C, I, O, W> {
    type Output = O;
    type Wire = W;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// A kernel `.reduce` can fold `A` items with: the handle of a `#[kernel(reduce)] fn(A, A) -> A`.
#[diagnostic::on_unimplemented(
    message = "this kernel cannot reduce `{A}` items",
    label = "expected a `#[kernel(reduce)] fn({A}, {A}) -> {A}`, found `{Self}`",
    note = "`ReduceFn<A, _>` is the handle of a `#[kernel(reduce)] fn(A, A) -> A`; `A` must be the item type"
)]
pub trait ReduceKernel<A> {
    #[doc(hidden)]
    type Wire: DeserializeOwned + Into<A>;
    /// The kernel's registered (TypeScript) name.
    fn name(&self) -> &'static str;
}

impl<A, W: DeserializeOwned + Into<A>> ReduceKernel<A> for ReduceFn<A, W> {
    type Wire = W;
    fn name(&self) -> &'static str {
        self.name
    }
}
