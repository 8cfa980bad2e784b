use wasm_pmap::prelude::*;

#[wasm_pmap::kernel(slice)]
fn sqrt_f64(xs: &[f64]) -> Vec<f64> {
    xs.iter().map(|x| x.sqrt()).collect()
}

// A slice kernel maps slices (`par_chunks(n)` items), not single elements.
fn main() {
    let _ = vec![4.0f64].into_par_iter().map(par_fn!(sqrt_f64));
}
