//! The typed-array table lives twice: `typed.rs` (how a `Vec<T>` travels) and the macro's
//! `ts_type.rs` (the TypeScript type it declares). One kernel per element type pins them
//! together: what the macro declares is what the runtime sends.

use wasm_pmap::registry;
use wasm_pmap::typed::{Element, TYPED_ARRAYS};

macro_rules! per_element {
    ($($t:ident: $map:ident, $slice:ident, $name:literal, $slice_name:literal;)*) => {
        $(
            #[wasm_pmap::kernel]
            fn $map(x: Vec<$t>) -> Vec<$t> {
                x
            }

            #[wasm_pmap::kernel(slice)]
            fn $slice(x: &[$t]) -> Vec<$t> {
                x.to_vec()
            }
        )*

        /// `(element, map kernel, slice kernel, JS name the runtime sends)`.
        const KERNELS: &[(&str, &str, &str, &str)] =
            &[$((stringify!($t), $name, $slice_name, <$t as Element>::JS)),*];
    };
}

per_element! {
    u8: k_u8, s_u8, "kU8", "sU8";
    u16: k_u16, s_u16, "kU16", "sU16";
    u32: k_u32, s_u32, "kU32", "sU32";
    u64: k_u64, s_u64, "kU64", "sU64";
    i8: k_i8, s_i8, "kI8", "sI8";
    i16: k_i16, s_i16, "kI16", "sI16";
    i32: k_i32, s_i32, "kI32", "sI32";
    i64: k_i64, s_i64, "kI64", "sI64";
    f32: k_f32, s_f32, "kF32", "sF32";
    f64: k_f64, s_f64, "kF64", "sF64";
}

#[test]
fn the_macro_declares_the_typed_array_the_runtime_sends() {
    for &(elem, map, slice, js) in KERNELS {
        let table = TYPED_ARRAYS.iter().find(|(t, _)| *t == elem);
        assert_eq!(table, Some(&(elem, js)), "typed.rs table row for {elem}");
        let k = registry::find(map).unwrap().info;
        assert_eq!((k.input_ts, k.output_ts), (js, js), "Vec<{elem}>");
        let k = registry::find(slice).unwrap().info;
        assert_eq!((k.input_ts, k.output_ts), (js, js), "&[{elem}]");
    }
}

#[test]
fn every_element_type_has_a_kernel_here() {
    let covered: Vec<&str> = KERNELS.iter().map(|k| k.0).collect();
    let table: Vec<&str> = TYPED_ARRAYS.iter().map(|t| t.0).collect();
    assert_eq!(covered, table);
}
