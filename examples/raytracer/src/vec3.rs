//! A 3-vector of f64 with only the operations the tracer needs.
//!
//! Why no `min`/`max`/`powi`/`sin`: every operation here is `+ − × ÷` or `sqrt`, which IEEE 754
//! defines exactly, so wasm32 and the host compute the same bits and the browser's frame is
//! byte-identical to `cargo test`'s. (`f64::min` differs on ±0, `powi`/`sin` come from
//! different libm builds.)

use std::ops::{Add, Mul, Neg, Sub};

/// A point, a direction or a colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vec3(pub f64, pub f64, pub f64);

impl Vec3 {
    /// Dot product.
    pub fn dot(self, o: Vec3) -> f64 {
        self.0 * o.0 + self.1 * o.1 + self.2 * o.2
    }
    /// Cross product.
    pub fn cross(self, o: Vec3) -> Vec3 {
        Vec3(
            self.1 * o.2 - self.2 * o.1,
            self.2 * o.0 - self.0 * o.2,
            self.0 * o.1 - self.1 * o.0,
        )
    }
    /// Squared length.
    pub fn len2(self) -> f64 {
        self.dot(self)
    }
    /// Unit vector in the same direction.
    pub fn unit(self) -> Vec3 {
        self * (1.0 / self.len2().sqrt())
    }
    /// Component-wise product (colour attenuation).
    pub fn hadamard(self, o: Vec3) -> Vec3 {
        Vec3(self.0 * o.0, self.1 * o.1, self.2 * o.2)
    }
    /// Mirror reflection of `self` about the normal `n`.
    pub fn reflect(self, n: Vec3) -> Vec3 {
        self - n * (2.0 * self.dot(n))
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3(self.0 + o.0, self.1 + o.1, self.2 + o.2)
    }
}
impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3(self.0 - o.0, self.1 - o.1, self.2 - o.2)
    }
}
impl Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f64) -> Vec3 {
        Vec3(self.0 * k, self.1 * k, self.2 * k)
    }
}
impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        Vec3(-self.0, -self.1, -self.2)
    }
}

/// `x` clamped to `[lo, hi]`, written with comparisons only (see the module doc).
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}
