#[wasm_pmap::kernel(slice)]
fn total_len(words: &[String]) -> usize {
    words.iter().map(String::len).sum()
}

fn main() {}
