use wasm_pmap::prelude::*;

#[wasm_pmap::kernel]
fn triple(x: u32) -> u32 {
    x * 3
}

fn main() {
    let _ = execute_async(sync_fn!(triple), &1u32);
}
