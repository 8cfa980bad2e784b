//! Step 1: the attribute's arguments and the function, read into a [`Kernel`]. Only the
//! attribute's own syntax is an error here; what the signature must look like is
//! `check.rs`'s business.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::ItemFn;

use crate::ts_type::camel_case;

/// The argument that makes a kernel's 64/128-bit integers BigInts in TypeScript: tsify's
/// and serde-wasm-bindgen's name for the same choice.
pub const BIGINTS: &str = "large_number_types_as_bigints";

/// The kernel kinds, as `#[kernel(..)]` spells them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Map,
    Slice,
    Reduce,
    Job,
}

impl Kind {
    /// The word in `#[kernel(..)]`, the `kind` the TypeScript side sees.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Map => "map",
            Kind::Slice => "slice",
            Kind::Reduce => "reduce",
            Kind::Job => "job",
        }
    }
}

/// A `#[kernel(..)]` function, as written.
pub struct Kernel {
    pub func: ItemFn,
    pub kind: Kind,
    /// Where `context` was written, for a `#[kernel(context)]`.
    pub context: Option<Span>,
    /// The registered (TypeScript) name: `name = ".."`, or the fn's name in camelCase.
    pub name: String,
    /// `large_number_types_as_bigints`: its 64/128-bit integers reach TypeScript as `bigint`.
    pub bigints: bool,
}

/// Reads the attribute's arguments (`slice`, `reduce`, `job`, `context`,
/// `large_number_types_as_bigints`, `name = ".."`).
pub fn kernel(attr: TokenStream, func: ItemFn) -> syn::Result<Kernel> {
    let mut kind: Option<Kind> = None;
    let mut context = None;
    let mut name = None;
    let mut bigints = false;
    let parser = syn::meta::parser(|meta| {
        let word = match &meta.path {
            p if p.is_ident("slice") => Some(Kind::Slice),
            p if p.is_ident("reduce") => Some(Kind::Reduce),
            p if p.is_ident("job") => Some(Kind::Job),
            _ => None,
        };
        if let Some(k) = word {
            if let Some(first) = kind {
                return Err(meta.error(format!(
                    "a kernel has one kind: `{}` and `{}` cannot be combined",
                    first.word(),
                    k.word()
                )));
            }
            kind = Some(k);
        } else if meta.path.is_ident("context") {
            context = Some(meta.path.segments[0].ident.span());
        } else if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse::<syn::LitStr>()?.value());
        } else if meta.path.is_ident(BIGINTS) {
            bigints = true;
        } else {
            let path = &meta.path;
            let what = quote::quote!(#path).to_string().replace(' ', "");
            return Err(meta.error(format!(
                "unknown `#[kernel]` argument `{what}`: expected `slice`, `reduce`, `job`, \
                 `context`, `{BIGINTS}` or `name = \"..\"`"
            )));
        }
        Ok(())
    });
    parser.parse2(attr)?;
    let name = name.unwrap_or_else(|| camel_case(&func.sig.ident.to_string()));
    Ok(Kernel {
        kind: kind.unwrap_or(Kind::Map),
        context,
        name,
        func,
        bigints,
    })
}

/// `register_fn!`'s arguments: `f, In, Out` (a trailing comma allowed).
pub struct Registered {
    func: syn::Ident,
    input: syn::Type,
    output: syn::Type,
}

impl syn::parse::Parse for Registered {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let usage = "expected `register_fn!(fn_name, InputType, OutputType)`";
        let func = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), usage))?;
        let comma = |input: syn::parse::ParseStream| {
            input
                .parse::<syn::Token![,]>()
                .map_err(|e| syn::Error::new(e.span(), usage))
        };
        comma(input)?;
        let in_ty = input.parse()?;
        comma(input)?;
        let output = input.parse()?;
        if input.peek(syn::Token![,]) {
            comma(input)?;
        }
        if !input.is_empty() {
            return Err(input.error(usage));
        }
        Ok(Registered {
            func,
            input: in_ty,
            output,
        })
    }
}

/// A map [`Kernel`] for an existing fn: a stand-in signature `fn f(item: In) -> Out` that
/// the checks and the code generation read (the fn's own body is never seen). Why
/// `pub(crate)`: the handle struct named like the fn must be reachable wherever the crate
/// names the fn, and no further than its types may be.
pub fn registered(r: Registered) -> Kernel {
    let Registered {
        func,
        input,
        output,
    } = r;
    let stand_in: ItemFn = syn::parse_quote! {
        pub(crate) fn #func(item: #input) -> #output { unreachable!() }
    };
    Kernel {
        name: camel_case(&func.to_string()),
        func: stand_in,
        kind: Kind::Map,
        context: None,
        bigints: false,
    }
}
