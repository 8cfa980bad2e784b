#[wasm_pmap::kernel]
fn triple(x: impl Into<u32>) -> u32 {
    x.into() * 3
}

fn main() {}
