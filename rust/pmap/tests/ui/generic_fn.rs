#[wasm_pmap::kernel]
fn triple<T: std::ops::Mul<Output = T> + From<u8>>(x: T) -> T {
    x * T::from(3)
}

fn main() {}
