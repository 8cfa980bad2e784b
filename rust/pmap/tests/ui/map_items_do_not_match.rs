use wasm_pmap::prelude::*;

#[wasm_pmap::kernel]
fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {
    // f64 items, u32 kernel.
    let _ = vec![1.5f64].into_par_iter().map(par_fn!(triple));
}
