//! A seeded integer RNG: PCG32 (O'Neill), seeded per pixel and sample through SplitMix64.
//!
//! Why per pixel: a tile's pixels get the same random numbers whichever worker renders
//! them, in whatever order, so the frame does not depend on the tiling or the pool.

/// PCG32 state.
pub struct Rng(u64);

impl Rng {
    /// The stream of pixel (`x`, `y`) of sample `s`.
    pub fn new(x: u32, y: u32, s: u32) -> Rng {
        let key = ((y as u64) << 40) ^ ((x as u64) << 16) ^ s as u64;
        let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng(z ^ (z >> 31))
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let old = self.0;
        self.0 = old
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// Uniform in `[0, 1)`: 24 random bits scaled by 2⁻²⁴, exact in f64.
    pub fn unit(&mut self) -> f64 {
        (self.next_u32() >> 8) as f64 * (1.0 / 16_777_216.0)
    }
}
