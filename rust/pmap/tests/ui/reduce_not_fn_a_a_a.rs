#[wasm_pmap::kernel(reduce)]
fn widen_add(a: u32, b: u32) -> u64 {
    a as u64 + b as u64
}

fn main() {}
