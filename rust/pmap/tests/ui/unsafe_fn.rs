#[wasm_pmap::kernel]
unsafe fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {}
