//! Errors crossing into JavaScript: a plain JS `Error` with a stable `code` property.
//!
//! The message comes from the core error (it names the field and the position); the code is what
//! a page branches on, so codes never change once published (see `docs/js-api.md`).

use wasm_bindgen::JsValue;

/// The stable error codes, as JS sees them in `error.code`.
pub mod code {
    /// An argument has the wrong shape: not an object, a missing or mistyped field, an unknown
    /// enum name (identifier kind, operation, profile, action…).
    pub const INVALID_INPUT: &str = "E_INVALID_INPUT";
    /// A value is not a valid value of its identifier kind (an email without `@`…): nothing is
    /// hashed.
    pub const INVALID_VALUE: &str = "E_INVALID_VALUE";
    /// The consent gate refused the operation (no signals, denied or unknown signals).
    pub const CONSENT_DENIED: &str = "E_CONSENT_DENIED";
    /// A TCF v2.2 TC string could not be decoded.
    pub const TC_STRING: &str = "E_TC_STRING";
}

/// An error on its way to JS: a stable code and the core's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmError {
    /// One of the [`code`] constants.
    pub code: &'static str,
    /// What went wrong and where, from the core.
    pub message: String,
}

impl WasmError {
    /// An error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        WasmError {
            code,
            message: message.into(),
        }
    }

    /// [`code::INVALID_INPUT`] with `message`.
    pub fn input(message: impl Into<String>) -> Self {
        WasmError::new(code::INVALID_INPUT, message)
    }
}

impl std::fmt::Display for WasmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<WasmError> for JsValue {
    fn from(e: WasmError) -> JsValue {
        let err = js_sys::Error::new(&e.message);
        // Setting a property on a fresh Error object cannot fail (it is a plain, extensible
        // object); if it ever did, the error still carries its message.
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code));
        err.into()
    }
}

impl From<o2o_core::consent::Denied> for WasmError {
    fn from(d: o2o_core::consent::Denied) -> Self {
        WasmError::new(code::CONSENT_DENIED, d.to_string())
    }
}
