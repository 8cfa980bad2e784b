#[wasm_pmap::kernel(context)]
fn offset(by: i64, x: u32) -> i64 {
    x as i64 + by
}

fn main() {}
