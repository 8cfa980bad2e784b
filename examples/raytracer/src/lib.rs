//! wasm-pmap's demo kernels: a small path tracer (a ground plane, spheres of diffuse, metal
//! and glass) that renders a frame tile by tile. A tile is the kernel's input, its RGBA
//! bytes the output; the page runs `renderTile` over all tiles with `pool.stream`, or the
//! whole frame as one sync-mode job (`renderFrame`, which blocks on `collect_vec_sync()`).
//!
//! The frame is deterministic to the bit on every platform (see `vec3.rs` and `rng.rs`), so
//! `cargo test` and the browser compare the same committed hash (`tests/frame.json`).

#![warn(missing_docs)]

pub mod rng;
pub mod scene;
pub mod trace;
pub mod vec3;

use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_pmap::prelude::*;

/// What to render: the frame's size, samples per pixel, and the tile edge.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Paths per pixel.
    pub samples: u32,
    /// Edge of a square tile in pixels (the last row and column of tiles may be smaller).
    pub tile_size: u32,
}

/// One rectangle of a frame: the kernel's input.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Tile {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// The whole frame (the camera depends on its size).
    pub frame: Frame,
}

/// The frame's tiles, row by row.
pub fn tiles(frame: Frame) -> Vec<Tile> {
    let size = frame.tile_size.max(1);
    let mut out = Vec::new();
    for y in (0..frame.height).step_by(size as usize) {
        for x in (0..frame.width).step_by(size as usize) {
            let (w, h) = (size.min(frame.width - x), size.min(frame.height - y));
            out.push(Tile { x, y, w, h, frame });
        }
    }
    out
}

/// Renders one tile: `w·h` RGBA pixels, row-major (a `Uint8Array` in TS).
#[wasm_pmap::kernel]
pub fn render_tile(tile: Tile) -> Vec<u8> {
    let Frame {
        width,
        height,
        samples,
        ..
    } = tile.frame;
    let cam = trace::Camera::new(width, height);
    let mut out = Vec::with_capacity((tile.w * tile.h * 4) as usize);
    for y in tile.y..tile.y + tile.h {
        for x in tile.x..tile.x + tile.w {
            out.extend_from_slice(&trace::pixel(&cam, x, y, width, height, samples));
        }
    }
    out
}

/// Copies rendered tiles into one `width·height` RGBA frame.
pub fn assemble(frame: Frame, tiles: &[Tile], pixels: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0u8; (frame.width * frame.height * 4) as usize];
    for (t, px) in tiles.iter().zip(pixels) {
        for row in 0..t.h {
            let src = (row * t.w * 4) as usize;
            let dst = (((t.y + row) * frame.width + t.x) * 4) as usize;
            out[dst..dst + (t.w * 4) as usize].copy_from_slice(&px[src..src + (t.w * 4) as usize]);
        }
    }
    out
}

/// A sync-mode job: the whole frame, rendered by the compute workers while this blocks on
/// `collect_vec_sync()` inside the SyncExecutor worker (`pool.execute("renderFrame", …)`).
#[wasm_pmap::kernel(job)]
pub fn render_frame(frame: Frame) -> Result<Vec<u8>, PmapError> {
    let tiles = tiles(frame);
    let pixels = tiles
        .clone()
        .into_par_iter()
        .map(par_fn!(render_tile))
        .try_collect_vec_sync()?;
    Ok(assemble(frame, &tiles, &pixels))
}
