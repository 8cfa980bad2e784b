use wasm_pmap::prelude::*;

#[wasm_pmap::kernel(job)]
fn total(n: u32) -> u64 {
    (0..n as u64).sum()
}

fn main() {
    let _ = vec![4u32].into_par_iter().map(par_fn!(total));
}
