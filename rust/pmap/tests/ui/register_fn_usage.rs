use wasm_pmap::par_mq::register_fn;

fn double(x: u32) -> u32 {
    x * 2
}
register_fn!(double, u32);

fn main() {}
