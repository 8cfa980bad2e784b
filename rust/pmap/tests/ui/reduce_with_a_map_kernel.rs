use wasm_pmap::prelude::*;

#[wasm_pmap::kernel]
fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {
    let _ = vec![1u32].into_par_iter().reduce_sync(par_fn!(triple));
}
