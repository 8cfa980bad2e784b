//! The host renders the frame pinned in `frame.json` and checks its SHA-256; the browser
//! test (`tests/e2e/demo.test.ts`) checks the page's frame against the same file.

use raytracer::{assemble, render_tile, tiles, Frame};
use sha2::{Digest, Sha256};

fn pinned() -> (Frame, String) {
    let v: serde_json::Value = serde_json::from_str(include_str!("frame.json")).unwrap();
    let frame = serde_json::from_value(v["frame"].clone()).unwrap();
    (frame, v["sha256"].as_str().unwrap().to_owned())
}

fn render(frame: Frame) -> Vec<u8> {
    let ts = tiles(frame);
    let px: Vec<Vec<u8>> = ts.iter().map(|&t| render_tile(t)).collect();
    assemble(frame, &ts, &px)
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn host_frame_matches_the_committed_hash() {
    let (frame, sha) = pinned();
    let rgba = render(frame);
    assert_eq!(rgba.len(), (frame.width * frame.height * 4) as usize);
    assert_eq!(
        hex(&rgba),
        sha,
        "the frame changed: if on purpose, update tests/frame.json"
    );
}

#[test]
fn tiling_does_not_change_the_frame() {
    let (frame, _) = pinned();
    let other = Frame {
        tile_size: 7,
        ..frame
    };
    assert_eq!(render(frame), render(other));
}

#[test]
fn tiles_cover_the_frame_once() {
    let frame = Frame {
        width: 70,
        height: 33,
        samples: 1,
        tile_size: 32,
    };
    let ts = tiles(frame);
    assert_eq!(ts.len(), 3 * 2);
    assert_eq!(ts.iter().map(|t| t.w * t.h).sum::<u32>(), 70 * 33);
    assert_eq!((ts[5].x, ts[5].y, ts[5].w, ts[5].h), (64, 32, 6, 1));
}
