//! Guards the one generated input of this crate: with feature `init`, `js/runtime.js` (the
//! Rust-side init API's JavaScript, bundled from the repository's ts/ by
//! scripts/build-runtime.mjs, gitignored, shipped in the published crate) must be there.
//! Without the guard a clone that skipped the npm build failed deep inside wasm-bindgen's
//! macro with a bare "No such file"; this names the fix.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=js/runtime.js");
    if std::env::var_os("CARGO_FEATURE_INIT").is_none() {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let runtime = Path::new(&dir).join("js/runtime.js");
    if !runtime.is_file() {
        panic!(
            "\n\nwasm-pmap: feature `init` embeds {}, which is missing.\n\
             It is generated from the repository's TypeScript: run `npm run build` (or \
             `node scripts/build-runtime.mjs`) in the wasm-pmap repository first. A wasm-pmap \
             from crates.io ships it.\n\n",
            runtime.display()
        );
    }
}
