//! Step 2: whether the function can be a kernel of its kind. Every compile error a user
//! can hit with `#[kernel]` is raised here, on the tokens it is about; each one is pinned
//! by a test in `rust/pmap/tests/ui/`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, ReturnType, Signature, Type};

use crate::parse::{Kernel, Kind};
use crate::ts_type::{result_ok, slice_elem, type_str};

/// A signature that passed the checks, in the terms code generation needs.
pub struct Shape {
    /// `#[kernel(context)]`: `C` of the first argument `&C`.
    pub context: Option<Type>,
    /// The argument types that make up one item (several: the item is their tuple).
    pub args: Vec<Type>,
    /// The output type (of a `-> Result<T, E>`: `T`).
    pub out: Type,
    /// Whether the fn returns a `Result` (its `Err` becomes a `KernelError`).
    pub fallible: bool,
    /// Slice kernels: the numeric element type of the `&[T]` argument.
    pub slice_elem: Option<String>,
}

const NUMERIC: &str = "u8, u16, u32, u64, i8, i16, i32, i64, f32 or f64";

/// Checks `k`'s signature against its kind; all the errors found, at their tokens.
pub fn kernel(k: &Kernel) -> syn::Result<Shape> {
    let sig = &k.func.sig;
    let mut errors = Errors(None);
    plain_fn(sig, &mut errors);
    if let Some(at) = k.context {
        if k.kind != Kind::Map {
            errors.add(
                at,
                format!(
                    "`context` applies to map kernels only, not to {} kernels",
                    k.kind.word()
                ),
            );
        }
    }
    errors.finish()?;

    let types: Vec<&Type> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(p) => Some(&*p.ty),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let ret: Type = match &sig.output {
        ReturnType::Type(_, t) => (**t).clone(),
        ReturnType::Default => syn::parse_quote!(()),
    };
    let (out, fallible) = match result_ok(&ret) {
        Some(ok) => (ok.clone(), true),
        None => (ret, false),
    };
    let mut shape = Shape {
        context: None,
        args: Vec::new(),
        out,
        fallible,
        slice_elem: None,
    };
    let parens = sig.paren_token.span.join();
    match k.kind {
        Kind::Map | Kind::Job if k.context.is_some() => {
            context_args(&types, parens, &mut shape, &mut errors)
        }
        Kind::Map | Kind::Job => item_args(&types, parens, &mut shape, &mut errors),
        Kind::Slice => slice_arg(&types, parens, &mut shape, &mut errors),
        Kind::Reduce => reduce_args(sig, &types, &mut shape, &mut errors),
    }
    errors.finish()?;
    Ok(shape)
}

/// `fn f(a: A, b: B, …)`: owned arguments that make up one item.
fn item_args(types: &[&Type], parens: Span, shape: &mut Shape, errors: &mut Errors) {
    if types.is_empty() {
        errors.add(
            parens,
            "a kernel takes at least one argument: the item it is applied to \
             (several arguments make one tuple item)",
        );
    }
    for t in types {
        owned(t, errors);
    }
    shape.args = types.iter().map(|t| (*t).clone()).collect();
}

/// `#[kernel(context)] fn f(ctx: &C, item: T, …)`.
fn context_args(types: &[&Type], parens: Span, shape: &mut Shape, errors: &mut Errors) {
    match types.first() {
        Some(Type::Reference(r)) => shape.context = Some((*r.elem).clone()),
        Some(t) => errors.at(
            t,
            "a context kernel's first argument is the call's context, by reference: \
             `fn f(ctx: &C, item: T)`",
        ),
        None => errors.add(
            parens,
            "a context kernel takes the call's context and an item: `fn f(ctx: &C, item: T)`",
        ),
    }
    let items = types.get(1..).unwrap_or_default();
    if items.is_empty() && !types.is_empty() {
        errors.add(
            parens,
            "a context kernel takes an item after the context: `fn f(ctx: &C, item: T)`",
        );
    }
    for t in items {
        owned(t, errors);
    }
    shape.args = items.iter().map(|t| (*t).clone()).collect();
}

/// `#[kernel(slice)] fn f(xs: &[T])` for a numeric `T`.
fn slice_arg(types: &[&Type], parens: Span, shape: &mut Shape, errors: &mut Errors) {
    match (types, types.first().and_then(|t| slice_elem(t))) {
        ([t], Some(elem)) => {
            shape.args = vec![(*t).clone()];
            shape.slice_elem = Some(elem);
        }
        ([t], None) => errors.at(
            t,
            format!("a slice kernel takes one `&[T]` of a numeric T ({NUMERIC})"),
        ),
        _ => errors.add(
            parens,
            format!(
                "a slice kernel takes exactly one argument, a `&[T]` of a numeric T ({NUMERIC})"
            ),
        ),
    }
}

/// `#[kernel(reduce)] fn f(a: A, b: A) -> A`.
fn reduce_args(sig: &Signature, types: &[&Type], shape: &mut Shape, errors: &mut Errors) {
    let same = types.len() == 2
        && type_str(types[0]) == type_str(types[1])
        && type_str(types[0]) == type_str(&shape.out);
    if same {
        owned(types[0], errors);
        shape.args = types.iter().map(|t| (*t).clone()).collect();
    } else {
        let found: Vec<String> = types.iter().map(|t| type_str(t)).collect();
        errors.at(
            sig,
            format!(
                "a reduce kernel is `fn(a: A, b: A) -> A` (or `-> Result<A, E>`): two arguments \
                 and the output, all of one type; this one is `fn({}) -> {}`",
                found.join(", "),
                type_str(&shape.out)
            ),
        );
    }
}

/// A kernel is a free, synchronous, non-generic, safe fn.
fn plain_fn(sig: &Signature, errors: &mut Errors) {
    if let Some(a) = &sig.asyncness {
        errors.add(
            a.span(),
            "a kernel cannot be `async`: it runs to completion inside one worker call \
             (a `#[kernel(job)]` may block on `collect_vec_sync()` instead)",
        );
    }
    if let Some(u) = &sig.unsafety {
        errors.add(
            u.span(),
            "a kernel cannot be `unsafe fn`: the pool calls it with whatever the chunk holds",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at(
            &sig.generics,
            "a kernel cannot be generic: its input and output types are fixed when it is \
             registered (write one kernel per type)",
        );
    }
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => errors.at(
                r,
                "a kernel cannot take `self`: it must be a free fn, not a method",
            ),
            FnArg::Typed(p) => no_impl_trait(&p.ty, errors),
        }
    }
    if let ReturnType::Type(_, t) = &sig.output {
        no_impl_trait(t, errors);
    }
}

fn no_impl_trait(t: &Type, errors: &mut Errors) {
    if let Type::ImplTrait(_) = t {
        errors.at(
            t,
            "a kernel cannot use `impl Trait`: its types are encoded on the wire and must be \
             named",
        );
    }
}

/// Items are decoded from the chunk, so they are owned values.
fn owned(t: &Type, errors: &mut Errors) {
    if let Type::Reference(_) = t {
        errors.at(
            t,
            "a kernel's item arguments are owned values decoded from the chunk: take \
             `String`, `Vec<T>` or `T` instead of a reference",
        );
    }
}

/// Collects errors so the user sees all of them at once.
struct Errors(Option<syn::Error>);

impl Errors {
    /// An error at one span (a word, a delimiter).
    fn add(&mut self, at: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(at, message));
    }

    /// An error underlining all of `tokens` (on stable a `Span` covers one token only).
    fn at(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish(&mut self) -> syn::Result<()> {
        self.0.take().map_or(Ok(()), Err)
    }
}
