//! Normalisation and hashing in the page: the core's platform rules and SHA-256, synchronous
//! (no WebCrypto round trip), and hashing only under a consent permit from the core gate.

use crate::convert::from_js;
use crate::error::{WasmError, code};
use o2o_core::event::IdKind;
use o2o_core::hashing::{NormalizeError, NormalizeOptions, Profile};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// An identifier kind name.
    #[wasm_bindgen(typescript_type = "IdKind")]
    pub type IdKindJs;
    /// Normalisation options.
    #[wasm_bindgen(typescript_type = "NormalizeOptions | undefined")]
    pub type NormalizeOptionsJs;
}

/// The options object as JS spells it (camelCase; the core's snake_case names are accepted too).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionsInput {
    /// `meta` (default), `google` or `tiktok`.
    #[serde(default)]
    pub profile: Option<Profile>,
    /// ISO 3166-1 alpha-2 country for phones without a country code.
    #[serde(default, alias = "default_country")]
    pub default_country: Option<String>,
    /// Truncate IPs to /24 or /48.
    #[serde(default, alias = "ip_truncate")]
    pub ip_truncate: Option<bool>,
}

impl From<OptionsInput> for NormalizeOptions {
    fn from(o: OptionsInput) -> Self {
        NormalizeOptions {
            profile: o.profile.unwrap_or_default(),
            default_country: o.default_country,
            ip_truncate: o.ip_truncate.unwrap_or(false),
        }
    }
}

/// Options from JS: `undefined`/`null` means the defaults (Meta, no default country).
pub fn options_from_js(opts: &JsValue) -> Result<NormalizeOptions, WasmError> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(NormalizeOptions::default());
    }
    Ok(from_js::<OptionsInput>(opts, "options")?.into())
}

/// A kind by its snake_case name.
pub fn parse_kind(name: &str) -> Result<IdKind, WasmError> {
    name.parse::<IdKind>()
        .map_err(|e| WasmError::input(e.to_string()))
}

pub(crate) fn kind_from_js(kind: &JsValue) -> Result<IdKind, WasmError> {
    let name = kind
        .as_string()
        .ok_or_else(|| WasmError::input("kind: expected a string"))?;
    parse_kind(&name)
}

impl From<NormalizeError> for WasmError {
    fn from(e: NormalizeError) -> Self {
        match e {
            NormalizeError::BadDefaultCountry(_) => WasmError::input(e.to_string()),
            _ => WasmError::new(code::INVALID_VALUE, e.to_string()),
        }
    }
}

/// The core's normalisation of `value` as `kind` under `opts`.
pub fn normalize_value(
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
) -> Result<String, WasmError> {
    Ok(o2o_core::hashing::normalize(kind, value, opts)?)
}

/// Normalise `value` as a `kind` identifier the way the options' platform does (`profile`:
/// `meta` by default, `google`, `tiktok`; `defaultCountry` for phones written without a country
/// code; `ipTruncate`). Normalising is not sending, so it needs no consent. Throws
/// `E_INVALID_VALUE` when the value is not a valid `kind` (nothing is ever hashed from garbage),
/// `E_INVALID_INPUT` for an unknown kind, profile or option.
#[wasm_bindgen(js_name = normalize)]
pub fn normalize_js(
    kind: IdKindJs,
    value: &str,
    options: NormalizeOptionsJs,
) -> Result<String, JsValue> {
    let kind = kind_from_js(&kind)?;
    let opts = options_from_js(&options)?;
    Ok(normalize_value(kind, value, &opts)?)
}
