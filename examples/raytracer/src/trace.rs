//! The camera and the path tracer: one pixel's colour, as RGBA bytes.

use crate::rng::Rng;
use crate::scene::{hit, scatter};
use crate::vec3::{clamp, Vec3};

/// Bounces before a path is cut off (its light counted as none).
const MAX_DEPTH: u32 = 8;

/// A pinhole camera for a `width`×`height` frame.
pub struct Camera {
    origin: Vec3,
    corner: Vec3,
    horizontal: Vec3,
    vertical: Vec3,
}

impl Camera {
    /// Looks from (0, 1.6, 9) at (0, 0.8, 0) with a 28° vertical field of view.
    pub fn new(width: u32, height: u32) -> Camera {
        // tan(28° / 2), as a literal: `tan` is a libm call whose last bit may differ by platform.
        const HALF_TAN: f64 = 0.249_328_002_843_180_7;
        let origin = Vec3(0.0, 1.6, 9.0);
        let w = (origin - Vec3(0.0, 0.8, 0.0)).unit();
        let u = Vec3(0.0, 1.0, 0.0).cross(w).unit();
        let v = w.cross(u);
        let half_h = HALF_TAN;
        let half_w = half_h * width as f64 / height as f64;
        Camera {
            origin,
            corner: origin - u * half_w - v * half_h - w,
            horizontal: u * (2.0 * half_w),
            vertical: v * (2.0 * half_h),
        }
    }

    /// The unit direction through (`s`, `t`) ∈ [0, 1]², `t` = 0 at the bottom.
    fn ray(&self, s: f64, t: f64) -> Vec3 {
        (self.corner + self.horizontal * s + self.vertical * t - self.origin).unit()
    }
}

/// The light arriving along one path from `o` in direction `d`.
fn radiance(mut o: Vec3, mut d: Vec3, rng: &mut Rng) -> Vec3 {
    let mut throughput = Vec3(1.0, 1.0, 1.0);
    for _ in 0..MAX_DEPTH {
        let Some(h) = hit(o, d) else {
            // The sky: white at the horizon to blue overhead.
            let k = 0.5 * (d.1 + 1.0);
            let sky = Vec3(1.0, 1.0, 1.0) * (1.0 - k) + Vec3(0.45, 0.65, 1.0) * k;
            return throughput.hadamard(sky);
        };
        let Some((attenuation, next)) = scatter(d, &h, rng) else {
            return Vec3(0.0, 0.0, 0.0);
        };
        throughput = throughput.hadamard(attenuation);
        o = h.p;
        d = next;
    }
    Vec3(0.0, 0.0, 0.0)
}

/// Pixel (`x`, `y`) (`y` = 0 at the top) of a `width`×`height` frame, averaged over
/// `samples` jittered paths, gamma 2 (a `sqrt`), as `[r, g, b, 255]`.
pub fn pixel(cam: &Camera, x: u32, y: u32, width: u32, height: u32, samples: u32) -> [u8; 4] {
    let mut sum = Vec3(0.0, 0.0, 0.0);
    for s in 0..samples {
        let mut rng = Rng::new(x, y, s);
        let u = (x as f64 + rng.unit()) / width as f64;
        let v = ((height - 1 - y) as f64 + rng.unit()) / height as f64;
        sum = sum + radiance(cam.origin, cam.ray(u, v), &mut rng);
    }
    let c = sum * (1.0 / samples.max(1) as f64);
    let byte = |v: f64| (clamp(v, 0.0, 1.0).sqrt() * 255.0 + 0.5) as u8;
    [byte(c.0), byte(c.1), byte(c.2), 255]
}
