#[wasm_pmap::kernel]
fn length(s: &str) -> usize {
    s.len()
}

fn main() {}
