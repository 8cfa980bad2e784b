//! Step 3, the TypeScript half: a kernel's member of the `Kernels` interface, with the fn's
//! `///` docs as its TSDoc (gen.rs emits it as a `typescript_custom_section`).

use syn::ItemFn;

use crate::parse::Kernel;

/// The kernel's member of the TypeScript `Kernels` interface.
pub fn ts_declaration(k: &Kernel, input: &str, output: &str, context: Option<&str>) -> String {
    let docs = doc_comment(&k.func);
    let name = &k.name;
    let kind = k.kind.word();
    let context = context
        .map(|c| format!(" context: {c};"))
        .unwrap_or_default();
    format!(
        "export interface Kernels {{\n{docs}  {name:?}: {{ kind: {kind:?};{context} input: {input}; output: {output} }};\n}}"
    )
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
