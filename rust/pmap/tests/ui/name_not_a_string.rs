#[wasm_pmap::kernel(name = triple3)]
fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {}
