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
