use super::*;

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/mandelbrot.json"
);

fn image(width: u32, height: u32, max_iter: u32) -> Vec<u8> {
    (0..height)
        .flat_map(|y| {
            mandelbrot_row(RowSpec {
                y,
                width,
                height,
                max_iter,
            })
            .unwrap()
        })
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The browser test checks `pmap("mandelbrotRow")` against this file, which this test
/// pins to the Rust kernel (regenerate with `PMAP_WRITE_VECTORS=1 cargo test -p wasm-pmap-kernels`).
#[test]
fn mandelbrot_reference_matches_the_kernel() {
    let (w, h, it) = (256u32, 192u32, 200u32);
    let img = image(w, h, it);
    let digest = hex(&Sha256::digest(&img));
    let mid = (h / 2) as usize * w as usize;
    let want = format!(
        "{{\n  \"comment\": \"Rust-computed reference for mandelbrotRow, checked by rust/kernels/src/tests.rs and tests/browser/pmap.test.ts\",\n  \"width\": {w},\n  \"height\": {h},\n  \"maxIter\": {it},\n  \"sha256\": \"{digest}\",\n  \"middleRowHex\": \"{}\"\n}}\n",
        hex(&img[mid..mid + w as usize])
    );
    if std::env::var_os("PMAP_WRITE_VECTORS").is_some() {
        std::fs::write(REFERENCE, &want).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(REFERENCE).unwrap(),
        want,
        "tests/vectors/mandelbrot.json is stale"
    );
    // Not a flat image: the set and its outside both appear.
    assert!(img.contains(&(it.min(255) as u8)) && img.contains(&1));
}

#[test]
fn mandelbrot_row_rejects_rows_outside_the_image() {
    let err = mandelbrot_row(RowSpec {
        y: 5,
        width: 4,
        height: 5,
        max_iter: 10,
    })
    .unwrap_err();
    assert!(err.contains("outside"), "{err}");
}

#[test]
fn small_kernels_compute_what_they_say() {
    assert_eq!(double(21), 42);
    assert_eq!(double(u32::MAX), u32::MAX.wrapping_mul(2));
    assert_eq!(
        sha256_hex("abc".into()),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(add_f64(0.5, 0.25), 0.75);
    assert_eq!(sqrt_f64(&[4.0, 9.0]), vec![2.0, 3.0]);
}
