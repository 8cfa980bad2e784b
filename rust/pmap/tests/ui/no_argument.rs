#[wasm_pmap::kernel]
fn answer() -> u32 {
    42
}

fn main() {}
