//! The scene: a checkered ground plane and spheres of three materials, and how a ray
//! scatters off each material.

use crate::rng::Rng;
use crate::vec3::Vec3;

/// How a surface scatters light.
#[derive(Clone, Copy)]
pub enum Material {
    /// Lambertian, with an albedo.
    Diffuse(Vec3),
    /// A mirror with an albedo, blurred by `fuzz` (0 = perfect).
    Metal(Vec3, f64),
    /// A dielectric with this index of refraction.
    Glass(f64),
    /// The ground: a 1×1 checkerboard of two albedos.
    Checker(Vec3, Vec3),
}

/// A sphere.
pub struct Sphere {
    /// Centre.
    pub c: Vec3,
    /// Radius.
    pub r: f64,
    /// Surface.
    pub m: Material,
}

/// Where a ray hit: distance, point, the normal facing the ray, side, material.
pub struct Hit {
    /// Ray parameter of the hit.
    pub t: f64,
    /// The point hit.
    pub p: Vec3,
    /// Unit normal, against the ray.
    pub n: Vec3,
    /// Whether the ray came from outside.
    pub front: bool,
    /// The surface's material.
    pub m: Material,
}

const T_MIN: f64 = 1e-4;

const fn sphere(x: f64, y: f64, z: f64, r: f64, m: Material) -> Sphere {
    Sphere {
        c: Vec3(x, y, z),
        r,
        m,
    }
}

/// The demo scene (the ground is the plane y = 0).
pub static SPHERES: [Sphere; 9] = [
    sphere(0.0, 1.0, 0.0, 1.0, Material::Glass(1.5)),
    sphere(0.0, 1.0, 0.0, -0.85, Material::Glass(1.5)), // hollow glass: a negative radius flips the normal
    sphere(-2.2, 1.0, -0.6, 1.0, Material::Diffuse(Vec3(0.8, 0.3, 0.1))),
    sphere(
        2.2,
        1.0,
        0.6,
        1.0,
        Material::Metal(Vec3(0.8, 0.75, 0.7), 0.02),
    ),
    sphere(1.2, 0.3, 2.0, 0.3, Material::Diffuse(Vec3(0.1, 0.5, 0.9))),
    sphere(
        -1.0,
        0.25,
        2.2,
        0.25,
        Material::Metal(Vec3(0.9, 0.8, 0.2), 0.3),
    ),
    sphere(-2.8, 0.35, 1.8, 0.35, Material::Glass(1.5)),
    sphere(3.4, 0.4, -1.6, 0.4, Material::Diffuse(Vec3(0.2, 0.8, 0.3))),
    sphere(0.4, 0.2, 3.0, 0.2, Material::Diffuse(Vec3(0.9, 0.9, 0.9))),
];

const GROUND: Material = Material::Checker(Vec3(0.75, 0.75, 0.72), Vec3(0.15, 0.18, 0.22));

/// The nearest hit of the ray `o + t·d` (`d` a unit vector), if any.
pub fn hit(o: Vec3, d: Vec3) -> Option<Hit> {
    let mut best: Option<Hit> = None;
    let mut t_max = f64::INFINITY;
    // The ground plane y = 0, seen from above only.
    if d.1 < 0.0 {
        let t = -o.1 / d.1;
        if t > T_MIN {
            t_max = t;
            best = Some(Hit {
                t,
                p: o + d * t,
                n: Vec3(0.0, 1.0, 0.0),
                front: true,
                m: GROUND,
            });
        }
    }
    for s in &SPHERES {
        let oc = o - s.c;
        let half_b = oc.dot(d);
        let disc = half_b * half_b - (oc.len2() - s.r * s.r);
        if disc < 0.0 {
            continue;
        }
        let sq = disc.sqrt();
        let mut t = -half_b - sq;
        if t <= T_MIN || t >= t_max {
            t = -half_b + sq;
            if t <= T_MIN || t >= t_max {
                continue;
            }
        }
        let p = o + d * t;
        let outward = (p - s.c) * (1.0 / s.r);
        let front = d.dot(outward) < 0.0;
        t_max = t;
        best = Some(Hit {
            t,
            p,
            n: if front { outward } else { -outward },
            front,
            m: s.m,
        });
    }
    best
}

/// A uniform random point in the unit ball (rejection sampling: no trigonometry).
fn in_unit_ball(rng: &mut Rng) -> Vec3 {
    loop {
        let v = Vec3(rng.unit(), rng.unit(), rng.unit()) * 2.0 - Vec3(1.0, 1.0, 1.0);
        let l = v.len2();
        if l < 1.0 && l > 1e-12 {
            return v;
        }
    }
}

/// Scatters a ray arriving along `d` at `h`: the attenuation and the new unit direction, or
/// `None` if absorbed.
pub fn scatter(d: Vec3, h: &Hit, rng: &mut Rng) -> Option<(Vec3, Vec3)> {
    match h.m {
        Material::Diffuse(albedo) => Some((albedo, diffuse(h.n, rng))),
        Material::Checker(a, b) => {
            let odd = (h.p.0.floor() + h.p.2.floor()) as i64 & 1 == 1;
            Some((if odd { b } else { a }, diffuse(h.n, rng)))
        }
        Material::Metal(albedo, fuzz) => {
            let r = d.reflect(h.n) + in_unit_ball(rng) * fuzz;
            (r.dot(h.n) > 0.0).then(|| (albedo, r.unit()))
        }
        Material::Glass(ior) => Some((Vec3(1.0, 1.0, 1.0), refract_or_reflect(d, h, ior, rng))),
    }
}

/// Lambertian direction: the normal plus a random unit vector (cosine-weighted).
fn diffuse(n: Vec3, rng: &mut Rng) -> Vec3 {
    let v = n + in_unit_ball(rng).unit();
    if v.len2() < 1e-12 {
        n
    } else {
        v.unit()
    }
}

/// Snell's law with Schlick's reflectance, choosing reflection with that probability.
fn refract_or_reflect(d: Vec3, h: &Hit, ior: f64, rng: &mut Rng) -> Vec3 {
    let eta = if h.front { 1.0 / ior } else { ior };
    let cos = crate::vec3::clamp(-d.dot(h.n), 0.0, 1.0);
    let sin2 = 1.0 - cos * cos;
    let r0 = (1.0 - eta) / (1.0 + eta);
    let r0 = r0 * r0;
    let k = 1.0 - cos;
    // (1 − cos)⁵ written out: `powi` lowers to a libcall whose rounding may differ.
    let schlick = r0 + (1.0 - r0) * (k * k * k * k * k);
    if eta * eta * sin2 > 1.0 || schlick > rng.unit() {
        return d.reflect(h.n);
    }
    let perp = (d + h.n * cos) * eta;
    let par = h.n * -((1.0 - perp.len2()).abs().sqrt());
    (perp + par).unit()
}
