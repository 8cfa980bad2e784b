#[wasm_pmap::kernel]
async fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {}
