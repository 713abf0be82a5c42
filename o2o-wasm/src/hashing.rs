//! Normalisation and hashing in the page: the core's platform rules and SHA-256, synchronous
//! (no WebCrypto round trip), and hashing only under a consent permit from the core gate.

use crate::args::{StrArg, StrArrayArg, string, string_array};
use crate::consent::Consent;
use crate::error::{WasmError, code};
use o2o_core::consent::Operation;
use o2o_core::event::IdKind;
use o2o_core::hashing::{
    HashError, NormalizeError, NormalizeOptions, Platform, UploadHasher, hash_for_upload,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// An identifier kind name.
    #[wasm_bindgen(typescript_type = "IdKind")]
    pub type IdKindJs;
    /// Normalisation options.
    #[wasm_bindgen(typescript_type = "NormalizeOptions")]
    pub type NormalizeOptionsJs;
}

/// The options object as JS spells it (camelCase; the core's snake_case names are accepted too).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionsInput {
    /// `meta` (default), `google` or `tiktok`.
    #[serde(default)]
    pub profile: Option<Platform>,
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
            ..NormalizeOptions::default()
        }
    }
}

/// Options from JS: `undefined`/`null` means the defaults (Meta, no default country).
pub fn options_from_js(opts: &JsValue) -> Result<NormalizeOptions, WasmError> {
    use crate::read::{keys, object, opt_bool, opt_string};
    if opts.is_undefined() || opts.is_null() {
        return Ok(NormalizeOptions::default());
    }
    object(opts, "options")?;
    const KNOWN: [&str; 5] = [
        "profile",
        "defaultCountry",
        "default_country",
        "ipTruncate",
        "ip_truncate",
    ];
    if let Some(k) = keys(opts)
        .into_iter()
        .find(|k| !KNOWN.contains(&k.as_str()))
    {
        return Err(WasmError::input(format!(
            "options: unknown field `{k}` (expected profile, defaultCountry, ipTruncate)"
        )));
    }
    let profile = match opt_string(opts, "profile", "options")? {
        None => Platform::default(),
        Some(p) => p
            .parse::<Platform>()
            .map_err(|e| WasmError::input(format!("options.profile: {e}")))?,
    };
    let default_country = match opt_string(opts, "defaultCountry", "options")? {
        Some(c) => Some(c),
        None => opt_string(opts, "default_country", "options")?,
    };
    let ip_truncate = match opt_bool(opts, "ipTruncate", "options")? {
        Some(b) => b,
        None => opt_bool(opts, "ip_truncate", "options")?.unwrap_or(false),
    };
    Ok(OptionsInput {
        profile: Some(profile),
        default_country,
        ip_truncate: Some(ip_truncate),
    }
    .into())
}

/// A kind by its snake_case name.
pub fn parse_kind(name: &str) -> Result<IdKind, WasmError> {
    name.parse::<IdKind>()
        .map_err(|e| WasmError::input(e.to_string()))
}

pub(crate) fn kind_from_js(kind: &JsValue) -> Result<IdKind, WasmError> {
    parse_kind(&string(kind, "kind")?)
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
    value: StrArg,
    options: Option<NormalizeOptionsJs>,
) -> Result<String, JsValue> {
    let kind = kind_from_js(&kind)?;
    let value = string(&value, "value")?;
    let opts = options_from_js(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
    Ok(normalize_value(kind, &value, &opts)?)
}

impl From<HashError> for WasmError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::WrongPermit { .. } => WasmError::new(code::CONSENT_DENIED, e.to_string()),
            HashError::Normalize(n) => n.into(),
            // A kind of failure added to the core later: its message, as bad input.
            _ => WasmError::new(code::INVALID_INPUT, e.to_string()),
        }
    }
}

/// The core's upload hash of `value` under `consent`: SHA-256 lowercase hex of the normalised
/// value (a value already 64 hex digits passes through lowercased, never hashed twice).
pub fn hash_value(
    consent: &Consent,
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
) -> Result<String, WasmError> {
    let permit = consent.permit(Operation::HashForUpload)?;
    Ok(hash_for_upload(&permit, kind, value, opts)?.hex)
}

/// Normalise and SHA-256 `value` for upload to an ad platform, in the page, synchronously (no
/// WebCrypto round trip): the lowercase hex digest of `normalize(kind, value, options)`. A value
/// that is already a SHA-256 (64 hex digits) is returned lowercased, not hashed twice.
/// Only with consent: throws `E_CONSENT_DENIED` unless the core gate allows `hash_for_upload`
/// for `consent` (nothing is hashed then); `E_INVALID_VALUE` for a value that is not a `kind`.
#[wasm_bindgen(js_name = hash)]
pub fn hash_js(
    consent: &Consent,
    kind: IdKindJs,
    value: StrArg,
    options: Option<NormalizeOptionsJs>,
) -> Result<String, JsValue> {
    let kind = kind_from_js(&kind)?;
    let value = string(&value, "value")?;
    let opts = options_from_js(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
    Ok(hash_value(consent, kind, &value, &opts)?)
}

/// Hashes many values under one consent and one set of options, reusing its buffers: the fast
/// path for a batch (the consent is checked once, when it is made).
#[wasm_bindgen(js_name = UploadHasher)]
pub struct UploadHasherJs {
    inner: UploadHasher,
    out: String,
}

impl UploadHasherJs {
    /// A hasher for `consent` under `opts`, or `E_CONSENT_DENIED`.
    pub fn create(consent: &Consent, opts: NormalizeOptions) -> Result<Self, WasmError> {
        let permit = consent.permit(Operation::HashForUpload)?;
        Ok(UploadHasherJs {
            inner: UploadHasher::new(&permit, opts)?,
            out: String::with_capacity(64),
        })
    }

    /// The hex digest of one value.
    pub fn hash_one(&mut self, kind: IdKind, value: &str) -> Result<String, WasmError> {
        self.out.clear();
        self.inner.hex_into(kind, value, &mut self.out)?;
        Ok(self.out.clone())
    }
}

#[wasm_bindgen(js_class = UploadHasher)]
impl UploadHasherJs {
    /// A hasher under `consent` and `options` (same options as `normalize`). Throws
    /// `E_CONSENT_DENIED` when the core gate does not allow `hash_for_upload`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        consent: &Consent,
        options: Option<NormalizeOptionsJs>,
    ) -> Result<UploadHasherJs, JsValue> {
        let opts = options_from_js(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
        Ok(UploadHasherJs::create(consent, opts)?)
    }

    /// The lowercase hex SHA-256 of `value` normalised as `kind`. Throws `E_INVALID_VALUE`.
    pub fn hash(&mut self, kind: IdKindJs, value: StrArg) -> Result<String, JsValue> {
        let kind = kind_from_js(&kind)?;
        let value = string(&value, "value")?;
        Ok(self.hash_one(kind, &value)?)
    }

    /// One digest per value, in order; an invalid value gives `""` (like `o2o hash`'s empty
    /// output line) so one bad value does not cost the batch. `values` must be an array of
    /// strings: anything else (a string, a number inside it) throws `E_INVALID_INPUT`.
    #[wasm_bindgen(js_name = hashMany)]
    pub fn hash_many(
        &mut self,
        kind: IdKindJs,
        values: StrArrayArg,
    ) -> Result<Vec<String>, JsValue> {
        let kind = kind_from_js(&kind)?;
        let values = string_array(&values, "values")?;
        Ok(values
            .iter()
            .map(|v| self.hash_one(kind, v).unwrap_or_default())
            .collect())
    }
}
