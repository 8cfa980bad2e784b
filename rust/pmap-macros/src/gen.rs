//! Step 3: the code a checked kernel expands to (see the crate docs for the list).

use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{Ident, Type};

use crate::check::Shape;
use crate::parse::{Kernel, Kind};
use crate::ts_decl::ts_declaration;
use crate::ts_type::{ts_type, type_str, typed_vec_elem};

/// Everything `#[kernel]` emits for `k`.
pub fn kernel(k: &Kernel, shape: &Shape) -> Tokens {
    let func = &k.func;
    let items = registration(k, shape);
    quote! {
        #func
        #items
    }
}

/// What `register_fn!(f, In, Out)` emits for a fn that already exists: the registration
/// `#[kernel]` would add to it (`k.func` is a stand-in signature built from the macro's
/// types), with both handles — wasm-par-mq registers jobs and map functions alike, so
/// `par_fn!(f)` and `sync_fn!(f)` must both name it.
pub fn registered(k: &Kernel, shape: &Shape) -> Tokens {
    let items = registration(k, shape);
    let job = handle_impl(
        &Kernel {
            kind: Kind::Job,
            func: k.func.clone(),
            context: None,
            name: k.name.clone(),
            bigints: k.bigints,
        },
        shape,
    );
    quote! {
        #items
        #job
    }
}

/// Everything but the fn itself: the info, the handle, the runner, the inventory entry, the
/// TypeScript declaration.
fn registration(k: &Kernel, shape: &Shape) -> Tokens {
    let func = &k.func;
    let ident = &func.sig.ident;
    let vis = &func.vis;
    let name = &k.name;
    let ts = |t: &Type| ts_type(t, k.bigints);
    let (input_ts, input_rust) = input_types(k.kind, &shape.args, k.bigints);
    let output_ts = ts(&shape.out);
    let context_ts = shape.context.as_ref().map(ts);
    let ints = if k.bigints {
        quote!(::wasm_pmap::__private::JsInts::BigInt)
    } else {
        quote!(::wasm_pmap::__private::JsInts::Number)
    };
    let context_info = match &context_ts {
        Some(c) => quote!(::core::option::Option::Some(#c)),
        None => quote!(::core::option::Option::None),
    };
    let kind = Ident::new(
        match k.kind {
            Kind::Map => "Map",
            Kind::Slice => "Slice",
            Kind::Reduce => "Reduce",
            Kind::Job => "Job",
        },
        Span::call_site(),
    );
    let body = run_body(k, shape);
    let (slice_fn, slice_field) = slice_runner(k, shape);
    let handle = handle_impl(k, shape);
    let ts_decl = ts_declaration(k, &input_ts, &output_ts, context_ts.as_deref());
    let info_ident = format_ident!("__WASM_PMAP_INFO_{}", ident);
    let run_fn = format_ident!("__wasm_pmap_run_{}", ident);
    let ts_const = format_ident!("__WASM_PMAP_TS_{}", ident);

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #info_ident: ::wasm_pmap::__private::KernelInfo = ::wasm_pmap::__private::KernelInfo {
            name: #name,
            input_ts: #input_ts,
            output_ts: #output_ts,
            input_rust: #input_rust,
            context_ts: #context_info,
            ints: #ints,
        };

        // Why a braced struct named like the fn: it lives in the type namespace only, so it
        // does not clash with the fn, and `use path::f;` imports both — `par_fn!(f)` then
        // finds the handle wherever the fn itself is in scope.
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #ident {}

        #handle

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #run_fn(
            mode: ::wasm_pmap::__private::Mode,
            payload: &[u8],
            context: ::core::option::Option<&::wasm_pmap::__private::Context>,
        ) -> ::core::result::Result<::std::vec::Vec<u8>, ::wasm_pmap::__private::Failure> {
            #[allow(non_snake_case)]
            let INFO: &'static ::wasm_pmap::__private::KernelInfo = &#info_ident;
            let _ = (mode, context);
            #body
        }

        #slice_fn

        ::wasm_pmap::__private::inventory::submit! {
            ::wasm_pmap::__private::Kernel {
                info: &#info_ident,
                kind: ::wasm_pmap::__private::Kind::#kind,
                run: #run_fn,
                slice: #slice_field,
            }
        }

        #[::wasm_pmap::__private::wasm_bindgen::prelude::wasm_bindgen(
            typescript_custom_section,
            wasm_bindgen = ::wasm_pmap::__private::wasm_bindgen
        )]
        #[allow(non_upper_case_globals)]
        const #ts_const: &'static str = #ts_decl;
    }
}

/// The input as TypeScript and Rust spell it (`KernelInfo.input_ts`, `.input_rust`).
fn input_types(kind: Kind, args: &[Type], bigints: bool) -> (String, String) {
    let ts = |t: &Type| ts_type(t, bigints);
    match (kind, args) {
        (Kind::Reduce, [a, _]) => {
            let (ts, rust) = (ts(a), type_str(a));
            (format!("[{ts}, {ts}]"), format!("({rust}, {rust})"))
        }
        (_, [one]) => (ts(one), type_str(one)),
        (_, many) => (
            format!("[{}]", join(many, ts)),
            format!("({})", join(many, type_str)),
        ),
    }
}

fn join(types: &[Type], f: impl Fn(&Type) -> String) -> String {
    types.iter().map(f).collect::<Vec<_>>().join(", ")
}

/// The body of the generated `run`: decode the chunk, call the kernel, encode.
fn run_body(k: &Kernel, shape: &Shape) -> Tokens {
    let ident = &k.func.sig.ident;
    let p = quote!(::wasm_pmap::__private);
    match k.kind {
        Kind::Map | Kind::Job => {
            let wires: Vec<Tokens> = shape.args.iter().map(|t| wire(t).0).collect();
            let vars: Vec<Ident> = (0..shape.args.len())
                .map(|i| format_ident!("a{i}"))
                .collect();
            let conv: Vec<Tokens> = shape
                .args
                .iter()
                .zip(&vars)
                .map(|(t, v)| from_wire(t, &quote!(#v)))
                .collect();
            let (in_wire, pat) = match (&wires[..], &vars[..]) {
                ([w], [v]) => (w.clone(), quote!(#v)),
                _ => (quote!((#(#wires),*)), quote!((#(#vars),*))),
            };
            match &shape.context {
                Some(c) => {
                    let (out_wire, call) = output(shape, quote!(#ident(ctx, #(#conv),*)));
                    quote! {
                        #p::run_map_with::<#c, #in_wire, #out_wire, _>(INFO, payload, context, |ctx: &#c, #pat: #in_wire| #call)
                    }
                }
                None => {
                    let (out_wire, call) = output(shape, quote!(#ident(#(#conv),*)));
                    quote! {
                        #p::run_map::<#in_wire, #out_wire, _>(INFO, payload, |#pat: #in_wire| #call)
                    }
                }
            }
        }
        Kind::Slice => {
            let elem = Ident::new(
                shape.slice_elem.as_deref().expect("checked"),
                Span::call_site(),
            );
            let in_wire = quote!(::wasm_pmap::__private::TypedVec<#elem>);
            let (out_wire, call) = output(shape, quote!(#ident(&v.0)));
            quote! {
                #p::run_slice::<#in_wire, #out_wire, _>(INFO, payload, |v: #in_wire| #call)
            }
        }
        Kind::Reduce => {
            let a_ty = &shape.args[0];
            let a_wire = wire(a_ty).0;
            let (a, b) = (from_wire(a_ty, &quote!(a)), from_wire(a_ty, &quote!(b)));
            let (out_wire, call) = output(shape, quote!(#ident(#a, #b)));
            quote! {
                match mode {
                    ::wasm_pmap::__private::Mode::Reduce => #p::run_reduce::<#a_wire, _>(INFO, payload, |a: #a_wire, b: #a_wire| #call),
                    _ => #p::run_map::<(#a_wire, #a_wire), #out_wire, _>(INFO, payload, |(a, b): (#a_wire, #a_wire)| #call),
                }
            }
        }
    }
}

/// A slice kernel's raw runner (`rust/pmap/src/slice.rs`) and the registry's `slice`
/// field naming it; `None` for every other kind.
fn slice_runner(k: &Kernel, shape: &Shape) -> (Tokens, Tokens) {
    let none = quote!(::core::option::Option::None);
    let Some(elem) = shape
        .slice_elem
        .as_deref()
        .filter(|_| k.kind == Kind::Slice)
    else {
        return (Tokens::new(), none);
    };
    let ident = &k.func.sig.ident;
    let elem = Ident::new(elem, Span::call_site());
    let p = quote!(::wasm_pmap::__private);
    let out = &shape.out;
    let info_ident = format_ident!("__WASM_PMAP_INFO_{}", ident);
    let slice_fn = format_ident!("__wasm_pmap_slice_{}", ident);
    let r = if shape.fallible {
        quote!(#ident(v))
    } else {
        quote!(#p::Plain(#ident(v)))
    };
    let result = quote!(#p::KernelOutput::<#out>::into_result(#r));
    // A numeric `Vec<U>` output goes back as raw bytes; anything else as CBOR.
    let body = match typed_vec_elem(out) {
        Some(u) => {
            let u = Ident::new(&u, Span::call_site());
            quote!(#p::run_slice_raw::<#elem, #u>(&#info_ident, data, array, |v: &[#elem]| #result))
        }
        None => {
            quote!(#p::run_slice_raw_cbor::<#elem, #out>(&#info_ident, data, array, |v: &[#elem]| #result))
        }
    };
    let func = quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #slice_fn(
            data: &dyn ::wasm_pmap::__private::SliceInput,
            array: &str,
        ) -> ::core::result::Result<::wasm_pmap::__private::SliceOut, ::wasm_pmap::__private::Failure> {
            #body
        }
    };
    (func, quote!(::core::option::Option::Some(#slice_fn)))
}

/// A call's value as `Result<wire output, String>`, and the wire output type.
fn output(shape: &Shape, call: Tokens) -> (Tokens, Tokens) {
    let out = &shape.out;
    let (out_wire, typed) = wire(out);
    let r = if shape.fallible {
        call
    } else {
        quote!(::wasm_pmap::__private::Plain(#call))
    };
    let conv = if typed {
        quote!(::wasm_pmap::__private::TypedVec(o))
    } else {
        quote!(o)
    };
    let value = quote! {
        ::wasm_pmap::__private::KernelOutput::<#out>::into_result(#r).map(|o| -> #out_wire { #conv })
    };
    (out_wire, value)
}

/// The typed handle `par_fn!` / `sync_fn!` name: an impl of `__private::ParFn` (map,
/// context, reduce and slice kernels) or `__private::SyncFn` (jobs). A slice kernel
/// `fn(&[T]) -> O` maps `Vec<T>` items (what `par_chunks(n)` over a `&[T]` yields), each
/// item one call (pipe.rs).
fn handle_impl(k: &Kernel, shape: &Shape) -> Tokens {
    let ident = &k.func.sig.ident;
    let name = &k.name;
    let out = &shape.out;
    let out_wire = wire(out).0;
    let args = &shape.args;
    let input = match &args[..] {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    };
    let (trait_, konst, handle) = match (k.kind, &shape.context) {
        (Kind::Slice, _) => {
            let elem = Ident::new(
                shape.slice_elem.as_deref().expect("checked"),
                Span::call_site(),
            );
            (
                quote!(ParFn),
                quote!(PAR_FN),
                quote!(::wasm_pmap::par::KernelFn<::std::vec::Vec<#elem>, #out, #out_wire>),
            )
        }
        (Kind::Job, _) => (
            quote!(SyncFn),
            quote!(SYNC_FN),
            quote!(::wasm_pmap::par::JobFn<#input, #out, #out_wire>),
        ),
        (Kind::Reduce, _) => {
            let a = &args[0];
            (
                quote!(ParFn),
                quote!(PAR_FN),
                quote!(::wasm_pmap::par::ReduceFn<#a, #out_wire>),
            )
        }
        (Kind::Map, Some(c)) => (
            quote!(ParFn),
            quote!(PAR_FN),
            quote!(::wasm_pmap::par::ContextFn<#c, #input, #out, #out_wire>),
        ),
        (Kind::Map, None) => (
            quote!(ParFn),
            quote!(PAR_FN),
            quote!(::wasm_pmap::par::KernelFn<#input, #out, #out_wire>),
        ),
    };
    quote! {
        impl ::wasm_pmap::__private::#trait_ for #ident {
            type Handle = #handle;
            const #konst: #handle = <#handle>::new(#name);
        }
    }
}

/// The type a value of `ty` travels as (`TypedVec<T>` for a numeric `Vec<T>`, which goes
/// as one typed-array byte string, else `ty` itself), and whether it is a `TypedVec`.
fn wire(ty: &Type) -> (Tokens, bool) {
    match typed_vec_elem(ty) {
        Some(elem) => {
            let e = Ident::new(&elem, Span::call_site());
            (quote!(::wasm_pmap::__private::TypedVec<#e>), true)
        }
        None => (quote!(#ty), false),
    }
}

/// The argument from its decoded wire value `v`.
fn from_wire(ty: &Type, v: &Tokens) -> Tokens {
    if wire(ty).1 {
        quote!(#v.0)
    } else {
        v.clone()
    }
}
