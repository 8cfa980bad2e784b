use wasm_pmap::prelude::*;

#[wasm_pmap::kernel(context)]
fn offset(by: &i64, x: u32) -> i64 {
    x as i64 + by
}

fn main() {
    let _ = vec![1u32].into_par_iter().map_with("ten", par_fn!(offset));
}
