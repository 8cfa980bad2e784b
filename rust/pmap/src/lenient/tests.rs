//! Numbers as JavaScript writes them, through [`LenientDe`]: integers fill float fields,
//! nothing else is coerced. Beside this file: the adapters generic over the wrapped format
//! (`adapters.rs`), tagged values refused where a number is expected (`coercions.rs`), and
//! declared lengths that reserve no memory (`alloc_bounds.rs`).

use serde::Deserialize;

use super::LenientDe;
use crate::wire::to_vec;

mod adapters;
mod alloc_bounds;
mod coercions;

#[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
struct Scene {
    radius: f64,
    center: (f32, f64),
    weights: Vec<Option<f64>>,
    count: u32,
}

#[derive(serde::Serialize)]
struct FromJs {
    radius: u32,
    center: (i32, f64),
    weights: Vec<Option<i64>>,
    count: u32,
}

#[test]
fn integers_fill_float_fields_at_any_depth() {
    let bytes = to_vec(&FromJs {
        radius: 2,
        center: (-1, 0.5),
        weights: vec![Some(3), None],
        count: 7,
    });
    assert!(
        ciborium::de::from_reader::<Scene, _>(&bytes[..]).is_err(),
        "plain ciborium is strict"
    );
    let LenientDe(scene) = ciborium::de::from_reader::<LenientDe<Scene>, _>(&bytes[..]).unwrap();
    assert_eq!(
        scene,
        Scene {
            radius: 2.0,
            center: (-1.0, 0.5),
            weights: vec![Some(3.0), None],
            count: 7
        }
    );
}

#[test]
fn everything_else_stays_strict() {
    let bytes = to_vec(&(1.5f64,));
    assert!(ciborium::de::from_reader::<LenientDe<(u32,)>, _>(&bytes[..]).is_err());
    let bytes = to_vec(&("x",));
    assert!(ciborium::de::from_reader::<LenientDe<(f64,)>, _>(&bytes[..]).is_err());
}
