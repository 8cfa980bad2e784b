//! `#[wasm_pmap::kernel]`: registers a function as a parallel kernel at compile time and
//! declares its TypeScript types. Use it through the `wasm-pmap` crate.
//!
//! ```ignore
//! /// Doubles a number.
//! #[wasm_pmap::kernel]
//! fn double(x: u32) -> u32 { x * 2 }
//!
//! #[wasm_pmap::kernel(slice)]      // gets a whole chunk of a Float64Array
//! fn sqrt_f64(xs: &[f64]) -> Vec<f64> { xs.iter().map(|x| x.sqrt()).collect() }
//!
//! #[wasm_pmap::kernel(reduce)]     // associative: partials folded in workers, then on the main thread
//! fn add_f64(a: f64, b: f64) -> f64 { a + b }
//! ```
//!
//! Expands to the function itself, plus: a `KernelInfo` static and a `run` function that
//! decodes a chunk into the argument types, calls the function and encodes the outputs;
//! an `inventory::submit!` of both; and a `typescript_custom_section` adding a member to
//! the `Kernels` interface (TypeScript merges every kernel's declaration into one).
//! Several arguments become one tuple item (`[a, b]` in TS). `-> Result<T, E>` reports
//! `Err(e)` as a `KernelError` carrying `e.to_string()`.

mod ts_type;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{parse_macro_input, spanned::Spanned, FnArg, ItemFn, ReturnType, Type};

use ts_type::{camel_case, result_ok, slice_elem, ts_type, typed_vec_elem};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Map,
    Slice,
    Reduce,
    Job,
}

#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func = parse_macro_input!(item as ItemFn);
    let mut kind = Kind::Map;
    let mut name = None;
    let mut context = false;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("context") {
            context = true;
        } else if meta.path.is_ident("slice") {
            kind = Kind::Slice;
        } else if meta.path.is_ident("reduce") {
            kind = Kind::Reduce;
        } else if meta.path.is_ident("job") {
            kind = Kind::Job;
        } else if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
        } else {
            return Err(
                meta.error("expected `slice`, `reduce`, `job`, `context` or `name = \"...\"`")
            );
        }
        Ok(())
    });
    parse_macro_input!(attr with parser);
    match expand(func, kind, name, context) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(func: ItemFn, kind: Kind, name: Option<String>, context: bool) -> syn::Result<Tokens> {
    let sig = &func.sig;
    if context && kind != Kind::Map {
        return Err(syn::Error::new(
            sig.span(),
            "`context` applies to map kernels only",
        ));
    }
    if sig.asyncness.is_some() || !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.span(),
            "a kernel must be a plain, non-async, non-generic fn",
        ));
    }
    let ident = &sig.ident;
    let ts_name = name.unwrap_or_else(|| camel_case(&ident.to_string()));
    let args: Vec<&Type> = sig
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Typed(p) => Ok(&*p.ty),
            FnArg::Receiver(r) => Err(syn::Error::new(r.span(), "a kernel cannot take self")),
        })
        .collect::<syn::Result<_>>()?;
    let ret: Type = match &sig.output {
        ReturnType::Type(_, t) => (**t).clone(),
        ReturnType::Default => syn::parse_quote!(()),
    };
    let (out_ty, fallible) = match result_ok(&ret) {
        Some(ok) => (ok.clone(), true),
        None => (ret.clone(), false),
    };

    // The value each call produces, as a Result<wire output, String>.
    let wrap = |call: Tokens| {
        let (out_wire, to_wire) = wire_out(&out_ty);
        let r = if fallible {
            call
        } else {
            quote!(::wasm_pmap::registry::Plain(#call))
        };
        let o = quote!(o);
        let conv = to_wire(&o);
        (
            out_wire.clone(),
            quote!(::wasm_pmap::registry::KernelOutput::<#out_ty>::into_result(#r).map(|#o| -> #out_wire { #conv })),
        )
    };

    let mut context_ts: Option<String> = None;
    let (out_wire_ty, _) = wire_out(&out_ty);
    let (input_ts, input_rust, body, handle) = match kind {
        Kind::Map | Kind::Job => {
            // `#[kernel(context)] fn f(ctx: &C, item...)`: the first argument is the call's
            // broadcast context, the others form the item.
            let ctx_ty = if context {
                match args.first() {
                    Some(Type::Reference(r)) => Some((*r.elem).clone()),
                    _ => {
                        return Err(syn::Error::new(
                            sig.inputs.span(),
                            "a context kernel's first argument is `&Context`",
                        ))
                    }
                }
            } else {
                None
            };
            let args: Vec<&Type> = if context {
                args[1..].to_vec()
            } else {
                args.clone()
            };
            if args.is_empty() {
                return Err(syn::Error::new(
                    sig.span(),
                    "a kernel takes at least one argument",
                ));
            }
            let (wires, pats, conv): (Vec<Tokens>, Vec<Tokens>, Vec<Tokens>) = args
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let v = format_ident!("a{i}");
                    let (w, from) = wire_in(t);
                    (w, quote!(#v), from(&quote!(#v)))
                })
                .unzip3();
            let (in_wire, pat, input_ts, input_rust) = if args.len() == 1 {
                (
                    wires[0].clone(),
                    pats[0].clone(),
                    ts_type(args[0]),
                    type_str(args[0]),
                )
            } else {
                let ts = format!(
                    "[{}]",
                    args.iter()
                        .map(|t| ts_type(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let rust = format!(
                    "({})",
                    args.iter()
                        .map(|t| type_str(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                (quote!((#(#wires),*)), quote!((#(#pats),*)), ts, rust)
            };
            let in_rust = if args.len() == 1 {
                let t = args[0];
                quote!(#t)
            } else {
                quote!((#(#args),*))
            };
            let handle = match (&ctx_ty, kind) {
                (Some(c), _) => {
                    quote!(::wasm_pmap::par::ContextFn<#c, #in_rust, #out_ty, #out_wire_ty>)
                }
                (None, Kind::Job) => {
                    quote!(::wasm_pmap::par::JobFn<#in_rust, #out_ty, #out_wire_ty>)
                }
                (None, _) => quote!(::wasm_pmap::par::KernelFn<#in_rust, #out_ty, #out_wire_ty>),
            };
            let body = match &ctx_ty {
                Some(c) => {
                    let (out_wire, call) = wrap(quote!(#ident(ctx, #(#conv),*)));
                    quote! {
                        ::wasm_pmap::registry::run_map_with::<#c, #in_wire, #out_wire, _>(INFO, payload, context, |ctx: &#c, #pat: #in_wire| #call)
                    }
                }
                None => {
                    let (out_wire, call) = wrap(quote!(#ident(#(#conv),*)));
                    quote! {
                        ::wasm_pmap::registry::run_map::<#in_wire, #out_wire, _>(INFO, payload, |#pat: #in_wire| #call)
                    }
                }
            };
            context_ts = ctx_ty.as_ref().map(ts_type);
            (input_ts, input_rust, body, handle)
        }
        Kind::Slice => {
            let elem = match args.as_slice() {
                [t] => slice_elem(t),
                _ => None,
            }
            .ok_or_else(|| {
                syn::Error::new(
                    sig.inputs.span(),
                    "a slice kernel takes one `&[T]` of a numeric T",
                )
            })?;
            let elem_ty = syn::Ident::new(&elem, Span::call_site());
            let in_wire = quote!(::wasm_pmap::typed::TypedVec<#elem_ty>);
            let (out_wire, call) = wrap(quote!(#ident(&v.0)));
            let body = quote! {
                ::wasm_pmap::registry::run_slice::<#in_wire, #out_wire, _>(INFO, payload, |v: #in_wire| #call)
            };
            let handle = quote!(::wasm_pmap::par::SliceFn<::std::vec::Vec<#elem_ty>, #out_ty>);
            (ts_type(args[0]), type_str(args[0]), body, handle)
        }
        Kind::Reduce => {
            let same = args.len() == 2
                && type_str(args[0]) == type_str(args[1])
                && type_str(args[0]) == type_str(&out_ty);
            if !same {
                return Err(syn::Error::new(
                    sig.span(),
                    "a reduce kernel is `fn(a: A, b: A) -> A` (or `-> Result<A, E>`)",
                ));
            }
            let (a_wire, from) = wire_in(args[0]);
            let (a, b) = (from(&quote!(a)), from(&quote!(b)));
            let (out_wire, call) = wrap(quote!(#ident(#a, #b)));
            let body = quote! {
                match mode {
                    ::wasm_pmap::wire::Mode::Reduce => ::wasm_pmap::registry::run_reduce::<#a_wire, _>(INFO, payload, |a: #a_wire, b: #a_wire| #call),
                    _ => ::wasm_pmap::registry::run_map::<(#a_wire, #a_wire), #out_wire, _>(INFO, payload, |(a, b): (#a_wire, #a_wire)| #call),
                }
            };
            let ts = ts_type(args[0]);
            let a = args[0];
            let handle = quote!(::wasm_pmap::par::ReduceFn<#a, #out_wire_ty>);
            (
                format!("[{ts}, {ts}]"),
                format!("({0}, {0})", type_str(args[0])),
                body,
                handle,
            )
        }
    };

    let output_ts = ts_type(&out_ty);
    let kind_tok = match kind {
        Kind::Map => quote!(Map),
        Kind::Slice => quote!(Slice),
        Kind::Reduce => quote!(Reduce),
        Kind::Job => quote!(Job),
    };
    let kind_ts = match kind {
        Kind::Map => "map",
        Kind::Slice => "slice",
        Kind::Reduce => "reduce",
        Kind::Job => "job",
    };
    let docs = doc_comment(&func);
    let context_decl = context_ts
        .as_ref()
        .map(|c| format!(" context: {c};"))
        .unwrap_or_default();
    let ts_decl = format!(
        "export interface Kernels {{\n{docs}  {ts_name:?}: {{ kind: {kind_ts:?};{context_decl} input: {input_ts}; output: {output_ts} }};\n}}"
    );
    let context_info = match &context_ts {
        Some(c) => quote!(::core::option::Option::Some(#c)),
        None => quote!(::core::option::Option::None),
    };
    let ts_const = format_ident!("__WASM_PMAP_TS_{}", ident);
    let run_fn = format_ident!("__wasm_pmap_run_{}", ident);
    let info_ident = format_ident!("__WASM_PMAP_INFO_{}", ident);
    let vis = &func.vis;
    let handle_doc =
        format!("Typed handle to the kernel `{ts_name}`: what `par_fn!({ident})` names.");

    Ok(quote! {
        #func

        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        static #info_ident: ::wasm_pmap::registry::KernelInfo = ::wasm_pmap::registry::KernelInfo {
            name: #ts_name,
            input_ts: #input_ts,
            output_ts: #output_ts,
            input_rust: #input_rust,
            context_ts: #context_info,
        };

        // Why a braced struct named like the fn: it lives in the type namespace only, so it
        // does not clash with the fn, and `use path::f;` imports both — `par_fn!(f)` then
        // finds the handle wherever the fn itself is in scope.
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #ident {}

        impl #ident {
            #[doc = #handle_doc]
            #vis const PAR_FN: #handle = <#handle>::new(#ts_name);
        }

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #run_fn(
            mode: ::wasm_pmap::wire::Mode,
            payload: &[u8],
            context: ::core::option::Option<&::wasm_pmap::wire::Context>,
        ) -> ::core::result::Result<::std::vec::Vec<u8>, ::wasm_pmap::Failure> {
            #[allow(non_snake_case)]
            let INFO: &'static ::wasm_pmap::registry::KernelInfo = &#info_ident;
            let _ = (mode, context);
            #body
        }

        ::wasm_pmap::__private::inventory::submit! {
            ::wasm_pmap::registry::Kernel {
                info: &#info_ident,
                kind: ::wasm_pmap::registry::Kind::#kind_tok,
                run: #run_fn,
            }
        }

        #[::wasm_pmap::__private::wasm_bindgen::prelude::wasm_bindgen(
            typescript_custom_section,
            wasm_bindgen = ::wasm_pmap::__private::wasm_bindgen
        )]
        #[allow(non_upper_case_globals)]
        const #ts_const: &'static str = #ts_decl;
    })
}

/// `par_fn!(path::to::kernel)`: the typed handle `#[kernel]` made for that function (an
/// associated const of a hidden struct that shares the fn's name), for
/// parallel-iterator adaptors (`.map(par_fn!(double))`). A type mismatch between the
/// iterator's items and the kernel's input is a compile error.
#[proc_macro]
pub fn par_fn(input: TokenStream) -> TokenStream {
    handle_path(input)
}

/// `sync_fn!(path::to::job)`: the handle of a `#[kernel(job)]`, for `execute_async`.
#[proc_macro]
pub fn sync_fn(input: TokenStream) -> TokenStream {
    handle_path(input)
}

fn handle_path(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as syn::Path);
    quote!(#path::PAR_FN).into()
}

/// Wire type for an argument, and how to turn the decoded wire value into the argument.
fn wire_in(ty: &Type) -> (Tokens, Box<dyn Fn(&Tokens) -> Tokens>) {
    match typed_vec_elem(ty) {
        Some(elem) => {
            let e = syn::Ident::new(&elem, Span::call_site());
            (
                quote!(::wasm_pmap::typed::TypedVec<#e>),
                Box::new(|v| quote!(#v.0)),
            )
        }
        None => (quote!(#ty), Box::new(|v| v.clone())),
    }
}

/// Wire type for the output, and how to wrap the kernel's value into it.
fn wire_out(ty: &Type) -> (Tokens, Box<dyn Fn(&Tokens) -> Tokens>) {
    match typed_vec_elem(ty) {
        Some(elem) => {
            let e = syn::Ident::new(&elem, Span::call_site());
            (
                quote!(::wasm_pmap::typed::TypedVec<#e>),
                Box::new(|v| quote!(::wasm_pmap::typed::TypedVec(#v))),
            )
        }
        None => (quote!(#ty), Box::new(|v| v.clone())),
    }
}

fn type_str(ty: &Type) -> String {
    quote!(#ty).to_string().replace(' ', "")
}

/// The function's `///` docs as a TSDoc comment for its `Kernels` member.
fn doc_comment(func: &ItemFn) -> String {
    let lines: Vec<String> = func
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().replace("*/", "*\\/")),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "  /**\n{}\n   */\n",
        lines
            .iter()
            .map(|l| format!("   *{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Vec<A>, Vec<B>, Vec<C>);
}

impl<I: Iterator<Item = (A, B, C)>, A, B, C> Unzip3<A, B, C> for I {
    fn unzip3(self) -> (Vec<A>, Vec<B>, Vec<C>) {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        for (x, y, z) in self {
            a.push(x);
            b.push(y);
            c.push(z);
        }
        (a, b, c)
    }
}
