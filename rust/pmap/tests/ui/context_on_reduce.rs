#[wasm_pmap::kernel(reduce, context)]
fn add(a: f64, b: f64) -> f64 {
    a + b
}

fn main() {}
