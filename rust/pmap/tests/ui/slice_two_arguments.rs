#[wasm_pmap::kernel(slice)]
fn scale(xs: &[f64], by: f64) -> Vec<f64> {
    xs.iter().map(|x| x * by).collect()
}

fn main() {}
