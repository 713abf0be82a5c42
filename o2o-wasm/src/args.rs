//! Arguments as JS passes them: every exported function takes its strings, numbers and arrays
//! as JS values and checks them here, so a wrong argument (a number where a string is expected,
//! `undefined`, a string where an array is expected, a number inside a string array) is an
//! `E_INVALID_INPUT` error naming the argument, never a trap in wasm memory or a silent coercion
//! (`"0.1"` read as 0.1, `"a@b.c"` read as five one-letter values).
//!
//! The TypeScript types stay precise: each parameter is declared with the extern type of what it
//! must be (`string`, `number`, `string[]`…).

use crate::error::WasmError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A string argument.
    #[wasm_bindgen(typescript_type = "string")]
    pub type StrArg;
    /// A number argument.
    #[wasm_bindgen(typescript_type = "number")]
    pub type NumArg;
    /// An array of strings.
    #[wasm_bindgen(typescript_type = "string[]")]
    pub type StrArrayArg;
}

/// What JS `typeof` says of `v` (with `null` and arrays told apart), for error messages.
pub fn type_name(v: &JsValue) -> &'static str {
    if v.is_undefined() {
        "undefined"
    } else if v.is_null() {
        "null"
    } else if v.is_string() {
        "a string"
    } else if v.as_f64().is_some() {
        "a number"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else if js_sys::Array::is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_bigint() {
        "a bigint"
    } else if v.is_symbol() {
        "a symbol"
    } else {
        "an object"
    }
}

/// `name` must be a string.
pub fn string(v: &JsValue, name: &str) -> Result<String, WasmError> {
    v.as_string()
        .ok_or_else(|| WasmError::input(format!("{name}: expected a string, got {}", type_name(v))))
}

/// `name` may be a string, `undefined` or `null`.
pub fn opt_string(v: Option<&JsValue>, name: &str) -> Result<Option<String>, WasmError> {
    match v {
        Some(v) if !(v.is_undefined() || v.is_null()) => string(v, name).map(Some),
        _ => Ok(None),
    }
}

/// `name` must be a number (not a numeric string, which JS would coerce silently).
pub fn number(v: &JsValue, name: &str) -> Result<f64, WasmError> {
    v.as_f64()
        .ok_or_else(|| WasmError::input(format!("{name}: expected a number, got {}", type_name(v))))
}

/// `name` may be a number, `undefined` or `null`.
pub fn opt_number(v: Option<&JsValue>, name: &str) -> Result<Option<f64>, WasmError> {
    match v {
        Some(v) if !(v.is_undefined() || v.is_null()) => number(v, name).map(Some),
        _ => Ok(None),
    }
}

/// `name` must be an array whose every element is a string (the error names the first index
/// that is not).
pub fn string_array(v: &JsValue, name: &str) -> Result<Vec<String>, WasmError> {
    let arr = array(v, name)?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| string(&x, &format!("{name}[{i}]")))
        .collect()
}

/// `name` must be an array whose every element is a number.
pub fn number_array(v: &JsValue, name: &str) -> Result<Vec<f64>, WasmError> {
    let arr = array(v, name)?;
    arr.iter()
        .enumerate()
        .map(|(i, x)| number(&x, &format!("{name}[{i}]")))
        .collect()
}

fn array(v: &JsValue, name: &str) -> Result<js_sys::Array, WasmError> {
    if js_sys::Array::is_array(v) {
        Ok(js_sys::Array::from(v))
    } else {
        Err(WasmError::input(format!(
            "{name}: expected an array, got {}",
            type_name(v)
        )))
    }
}
