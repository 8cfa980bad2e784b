use wasm_pmap::par_mq::register_fn;

fn double(x: u32) -> u32 {
    x * 2
}
// The types given do not match the fn's signature.
register_fn!(double, String, u32);

fn main() {}
