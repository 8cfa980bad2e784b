//! Rust type → TypeScript type, as the wire carries it (cbor-x on the JS side).
//! Pure token inspection: the macro runs before types are resolved, so a struct is named
//! by its last path segment and is expected to derive `Tsify` (which declares it).

use syn::{GenericArgument, PathArguments, Type};

/// Numeric element types that travel as typed arrays (see `typed.rs`), with their JS name.
pub fn typed_array(elem: &str) -> Option<&'static str> {
    Some(match elem {
        "u8" => "Uint8Array",
        "u16" => "Uint16Array",
        "u32" => "Uint32Array",
        "u64" => "BigUint64Array",
        "i8" => "Int8Array",
        "i16" => "Int16Array",
        "i32" => "Int32Array",
        "i64" => "BigInt64Array",
        "f32" => "Float32Array",
        "f64" => "Float64Array",
        _ => return None,
    })
}

/// If `ty` is `Vec<P>` for a numeric `P`, returns `P`'s name.
pub fn typed_vec_elem(ty: &Type) -> Option<String> {
    let (name, args) = last_segment(ty)?;
    if name != "Vec" || args.len() != 1 {
        return None;
    }
    let elem = last_segment(args[0])?.0;
    typed_array(&elem).map(|_| elem)
}

/// If `ty` is `&[P]` for a numeric `P`, returns `P`'s name.
pub fn slice_elem(ty: &Type) -> Option<String> {
    let Type::Reference(r) = ty else { return None };
    let Type::Slice(s) = &*r.elem else {
        return None;
    };
    let elem = last_segment(&s.elem)?.0;
    typed_array(&elem).map(|_| elem)
}

/// If `ty` is `Result<O, E>`, returns `O`.
pub fn result_ok(ty: &Type) -> Option<&Type> {
    let (name, args) = last_segment(ty)?;
    (name == "Result" && args.len() == 2).then(|| args[0])
}

/// The TypeScript type of a whole kernel argument or output of type `ty`, as cbor-x decodes
/// it. `bigints`: the kernel is `large_number_types_as_bigints`, so its 64- and 128-bit
/// integers (and `usize`/`isize`, which serde writes as 64-bit) arrive as `bigint`
/// (rust/pmap/src/js_int.rs).
pub fn ts_type(ty: &Type, bigints: bool) -> String {
    spell(ty, bigints, true)
}

/// `whole`: `ty` is a whole argument or output, where a numeric `Vec` (or a slice kernel's
/// `&[T]`) travels as one typed array (`gen.rs` `wire`); anywhere inside, it is a plain
/// array of numbers, and so is a fixed-size array everywhere (serde writes it as a tuple).
fn spell(ty: &Type, bigints: bool, whole: bool) -> String {
    let inner = |t: &Type| spell(t, bigints, false);
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Slice(s) => array_of(&s.elem, bigints, whole),
            referent => spell(referent, bigints, whole),
        },
        Type::Paren(p) => spell(&p.elem, bigints, whole),
        Type::Group(g) => spell(&g.elem, bigints, whole),
        Type::Slice(s) => array_of(&s.elem, bigints, false),
        Type::Array(a) => array_of(&a.elem, bigints, false),
        Type::Tuple(t) if t.elems.is_empty() => "null".into(),
        Type::Tuple(t) => format!(
            "[{}]",
            t.elems.iter().map(inner).collect::<Vec<_>>().join(", ")
        ),
        Type::Path(_) => {
            let (name, args) = last_segment(ty).expect("path type");
            match (name.as_str(), args.as_slice()) {
                ("u64" | "u128" | "usize" | "i64" | "i128" | "isize", []) if bigints => {
                    "bigint".into()
                }
                (
                    "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64"
                    | "i128" | "isize" | "f32" | "f64",
                    [],
                ) => "number".into(),
                ("bool", []) => "boolean".into(),
                ("String" | "str" | "char", []) => "string".into(),
                ("Vec", [elem]) => array_of(elem, bigints, whole),
                ("VecDeque", [elem]) => array_of(elem, bigints, false),
                ("Option", [t]) => format!("{} | null", inner(t)),
                ("Box" | "Rc" | "Arc" | "Cow", [.., t]) => spell(t, bigints, whole),
                ("HashMap" | "BTreeMap", [k, v]) => {
                    // An object key is a string; cbor-x spells a BigInt key in decimal.
                    let key = match inner(k) {
                        big if big == "bigint" => "string".into(),
                        key => key,
                    };
                    format!("Record<{key}, {}>", inner(v))
                }
                ("ByteBuf", []) => "Uint8Array".into(),
                (other, _) => other.to_owned(),
            }
        }
        _ => "unknown".into(),
    }
}

/// An array of `elem`: its typed array when it travels as one (`typed`, a numeric element).
fn array_of(elem: &Type, bigints: bool, typed: bool) -> String {
    if let Some((name, args)) = last_segment(elem) {
        if let (true, true, Some(js)) = (typed, args.is_empty(), typed_array(&name)) {
            return js.into();
        }
    }
    let inner = spell(elem, bigints, false);
    if inner.contains(' ') {
        format!("({inner})[]")
    } else {
        format!("{inner}[]")
    }
}

fn last_segment(ty: &Type) -> Option<(String, Vec<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((seg.ident.to_string(), args))
}

/// A type as Rust spells it, without spaces (`Vec<u8>`), for messages and comparisons.
pub fn type_str(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// `mandelbrot_row` → `mandelbrotRow`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.trim_start_matches("r#").chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(src: &str) -> String {
        ts_type(&syn::parse_str::<Type>(src).unwrap(), false)
    }

    fn big(src: &str) -> String {
        ts_type(&syn::parse_str::<Type>(src).unwrap(), true)
    }

    #[test]
    fn maps_primitives_collections_and_structs() {
        assert_eq!(ts("u32"), "number");
        assert_eq!(ts("String"), "string");
        assert_eq!(ts("Vec<u8>"), "Uint8Array");
        assert_eq!(ts("Vec<f64>"), "Float64Array");
        assert_eq!(ts("&[f32]"), "Float32Array");
        assert_eq!(ts("Vec<String>"), "string[]");
        assert_eq!(ts("Option<u32>"), "number | null");
        assert_eq!(ts("Vec<Option<bool>>"), "(boolean | null)[]");
        assert_eq!(ts("(f64, String)"), "[number, string]");
        assert_eq!(ts("crate::RowSpec"), "RowSpec");
        assert_eq!(
            ts("std::collections::BTreeMap<String, u32>"),
            "Record<string, number>"
        );
        assert_eq!(ts("()"), "null");
    }

    #[test]
    fn a_bigint_kernels_wide_integers_are_bigints_and_only_those() {
        for t in ["u64", "i64", "u128", "i128", "usize", "isize"] {
            assert_eq!(
                (t, ts(t).as_str(), big(t).as_str()),
                (t, "number", "bigint")
            );
        }
        assert_eq!(big("(u32, i16, f64)"), "[number, number, number]");
        assert_eq!(big("Option<u64>"), "bigint | null");
        assert_eq!(big("Vec<(u64, String)>"), "([bigint, string])[]");
        assert_eq!(big("[i128; 2]"), "bigint[]");
        // Typed arrays stay typed arrays; a BigInt map key arrives as its decimal string.
        assert_eq!(big("Vec<u64>"), "BigUint64Array");
        assert_eq!(big("BTreeMap<u64, Vec<i64>>"), "Record<string, bigint[]>");
        assert_eq!(big("HashMap<String, u64>"), "Record<string, bigint>");
    }

    #[test]
    fn recognises_typed_vectors_slices_and_results() {
        let t = |s: &str| syn::parse_str::<Type>(s).unwrap();
        assert_eq!(typed_vec_elem(&t("Vec<f64>")).as_deref(), Some("f64"));
        assert_eq!(typed_vec_elem(&t("Vec<String>")), None);
        assert_eq!(slice_elem(&t("&[u32]")).as_deref(), Some("u32"));
        assert_eq!(slice_elem(&t("&[String]")), None);
        assert!(result_ok(&t("Result<u32, String>")).is_some());
        assert!(result_ok(&t("u32")).is_none());
    }

    #[test]
    fn camel_cases_names() {
        assert_eq!(camel_case("mandelbrot_row"), "mandelbrotRow");
        assert_eq!(camel_case("sha256_hex"), "sha256Hex");
        assert_eq!(camel_case("add_f64"), "addF64");
        assert_eq!(camel_case("double"), "double");
    }
}
