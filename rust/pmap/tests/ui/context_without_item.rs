#[wasm_pmap::kernel(context)]
fn offset(by: &i64) -> i64 {
    *by
}

fn main() {}
