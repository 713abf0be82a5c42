//! wasm-bindgen wrapper over o2o-core. See `docs/js-api.md`.

use wasm_bindgen::prelude::*;

/// The library version.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    o2o_core::VERSION.to_owned()
}
