#[wasm_pmap::kernel(context)]
fn offset() -> i64 {
    0
}

fn main() {}
