#[wasm_pmap::kernel(parallel)]
fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {}
