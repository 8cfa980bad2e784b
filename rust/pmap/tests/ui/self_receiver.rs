struct Scale(u32);

impl Scale {
    #[wasm_pmap::kernel]
    fn apply(&self, x: u32) -> u32 {
        x * self.0
    }
}

fn main() {}
