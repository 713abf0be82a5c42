//! JS values in and out, through JSON.
//!
//! Inputs are `JSON.stringify`-ed and read with the core's own serde types, so a page passes
//! exactly the JSON shapes of `docs/data-model.md` and the core does all the validation. Outputs
//! go the other way with `JSON.parse`. This keeps the tag small (no serde-wasm-bindgen) and makes
//! the JS shapes identical to the NDJSON the rest of o2o reads.

use crate::error::WasmError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

/// `JSON.stringify(value)`, or an input error naming `what` when it is not serialisable.
pub fn stringify(value: &JsValue, what: &str) -> Result<String, WasmError> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| WasmError::input(format!("{what}: expected a JSON-serialisable object")))
}

/// Read `json` as a `T` with the core's serde types, naming `what` in the error (serde's own
/// message says which field and column).
pub fn from_json<T: DeserializeOwned>(json: &str, what: &str) -> Result<T, WasmError> {
    serde_json::from_str(json).map_err(|e| WasmError::input(format!("{what}: {e}")))
}

/// A JS value read as a `T` through JSON.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, WasmError> {
    from_json(&stringify(value, what)?, what)
}

/// A `T` as a plain JS object (through JSON).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, WasmError> {
    let json = serde_json::to_string(value)
        .map_err(|e| WasmError::input(format!("output not serialisable: {e}")))?;
    js_sys::JSON::parse(&json).map_err(|_| WasmError::input("output is not valid JSON".to_owned()))
}
