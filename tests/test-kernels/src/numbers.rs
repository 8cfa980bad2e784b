//! One identity kernel per integer width, for the browser tests of how JS numbers cross
//! the wire: an integral number within the type's range and within ±(2^53 - 1) comes back
//! unchanged; anything else is a `DecodeError` (or, for an exact BigInt input beyond
//! 2^53 - 1, an `encode` failure on the way back) that says why.

macro_rules! echo {
    ($($t:ident: $f:ident;)*) => {$(
        #[doc = concat!("Returns its `", stringify!($t), "` argument unchanged.")]
        #[wasm_pmap::kernel]
        pub fn $f(x: $t) -> $t {
            x
        }
    )*};
}

echo! {
    u8: echo_u8;
    u16: echo_u16;
    u32: echo_u32;
    u64: echo_u64;
    usize: echo_usize;
    i8: echo_i8;
    i16: echo_i16;
    i32: echo_i32;
    i64: echo_i64;
    isize: echo_isize;
}

#[cfg(test)]
mod tests {
    use wasm_pmap::__private::find_kernel;

    #[test]
    fn every_width_has_an_echo_kernel_taking_and_returning_a_number() {
        for name in [
            "echoU8",
            "echoU16",
            "echoU32",
            "echoU64",
            "echoUsize",
            "echoI8",
            "echoI16",
            "echoI32",
            "echoI64",
            "echoIsize",
        ] {
            let k = find_kernel(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!((k.info.input_ts, k.info.output_ts), ("number", "number"));
        }
        assert_eq!(super::echo_u64(1 << 53), 1 << 53);
    }
}
