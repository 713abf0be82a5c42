//! `o2o.normalize`, `o2o.hash`, `o2o.pseudonymize`: the core's normalisation, SHA-256 and HMAC
//! pseudonyms over whole Arrow string arrays.
//!
//! Hashing and pseudonyms are consent-gated as in the core: every row goes through the
//! [`ConsentGate`] with its own consent (a `consent` array: TC strings, or booleans of a
//! marketing opt-in), or the caller states with `permit=True` that the rows were consented
//! elsewhere. Neither given is a `ConsentError`; a row without consent comes out null.
//! Invalid values come out null (`errors="null"`) or raise `InvalidInput` naming the row
//! (`errors="raise"`); the good rows around them are kept either way.

use crate::arrow::{ArrowArray, import_chunks};
use crate::error::{Class, Error, Result};
use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use o2o_core::consent::{
    ConsentGate, ConsentMode, ConsentSignals, ConsentState, DecodedSignals, Operation,
};
use o2o_core::event::IdKind;
use o2o_core::hashing::{
    Hasher, NormalizeError, NormalizeOptions, PhoneCheck, Platform, Pseudonymizer, normalize_into,
};
use o2o_core::keys::SecretKey;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The string values of an imported array, chunk by chunk (`None` for nulls).
fn for_each_str(
    chunks: &[ArrayRef],
    what: &str,
    mut f: impl FnMut(usize, Option<&str>) -> Result<()>,
) -> Result<()> {
    let mut row = 0usize;
    for chunk in chunks {
        macro_rules! each {
            ($iter:expr) => {
                for v in $iter {
                    f(row, v)?;
                    row += 1;
                }
            };
        }
        match chunk.data_type() {
            DataType::Utf8 => each!(chunk.as_string::<i32>().iter()),
            DataType::LargeUtf8 => each!(chunk.as_string::<i64>().iter()),
            DataType::Utf8View => each!(chunk.as_string_view().iter()),
            DataType::Null => each!(std::iter::repeat_n(None, chunk.len())),
            other => {
                return Err(Error::input(
                    what,
                    format!("{what}: expected an array of strings, got Arrow type {other}"),
                ));
            }
        }
    }
    Ok(())
}

fn total_len(chunks: &[ArrayRef]) -> usize {
    chunks.iter().map(|c| c.len()).sum()
}

/// Parse the identifier kind.
pub fn kind(s: &str) -> Result<IdKind> {
    s.parse::<IdKind>()
        .map_err(|e| Error::input("kind", format!("kind: {e}")))
}

/// The normalisation options of the keyword arguments.
pub fn options(
    platform: &str,
    default_country: Option<String>,
    ip_truncate: bool,
    phone: &str,
) -> Result<NormalizeOptions> {
    let profile: Platform = platform
        .parse()
        .map_err(|e| Error::input("platform", format!("platform: {e}")))?;
    let phone = match phone {
        "valid" => PhoneCheck::Valid,
        "possible" => PhoneCheck::Possible,
        other => {
            return Err(Error::input(
                "phone",
                format!("phone: `{other}` (expected valid or possible)"),
            ));
        }
    };
    Ok(NormalizeOptions {
        profile,
        default_country,
        ip_truncate,
        phone,
    })
}

/// What to do with an invalid value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnError {
    Null,
    Raise,
}

fn on_error(s: &str) -> Result<OnError> {
    match s {
        "null" => Ok(OnError::Null),
        "raise" => Ok(OnError::Raise),
        other => Err(Error::input(
            "errors",
            format!("errors: `{other}` (expected null or raise)"),
        )),
    }
}

/// A normalisation error of row `row`, never echoing the value.
fn row_error(e: NormalizeError, row: usize) -> Error {
    let mut err = Error::from(e);
    err.0.message = format!("row {row}: {}", err.0.message);
    err.row(row).field("values")
}

/// Per-row consent: the gate's answer for each row's signals, decided once per distinct signal.
enum Consent {
    /// `permit=True`: the caller states the rows were consented.
    Stated,
    /// Booleans: a marketing opt-in (granted / denied / null = no signal).
    OptIn(Vec<Option<bool>>, [bool; 2]),
    /// TC strings, with the gate's answer per distinct string.
    Tcf(Vec<Option<String>>, HashMap<String, bool>),
}

impl Consent {
    fn new(
        consent: Option<&Bound<'_, PyAny>>,
        permit: bool,
        operation: Operation,
        n: usize,
        call: &str,
    ) -> Result<Self> {
        let Some(obj) = consent else {
            if permit {
                return Ok(Consent::Stated);
            }
            return Err(Error::new(
                Class::Consent,
                "consent_missing",
                format!(
                    "{call}: no consent given: pass consent= (an array of TC strings or opt-in booleans, one per value) or permit=True to state that every value was consented for {operation}"
                ),
            )
            .field("consent"));
        };
        if permit {
            return Err(Error::input(
                "permit",
                format!("{call}: give consent= or permit=True, not both"),
            ));
        }
        let chunks = import_chunks(obj, "consent")?;
        if total_len(&chunks) != n {
            return Err(Error::input(
                "consent",
                format!(
                    "consent: {} values for {n} identifiers (one consent per value)",
                    total_len(&chunks)
                ),
            ));
        }
        let gate = ConsentGate::default();
        if chunks.iter().all(|c| c.data_type() == &DataType::Boolean) {
            let mut rows = Vec::with_capacity(n);
            for c in &chunks {
                rows.extend(c.as_boolean().iter());
            }
            let mut allowed = [false; 2];
            for (i, granted) in [false, true].into_iter().enumerate() {
                let state = if granted {
                    ConsentState::Granted
                } else {
                    ConsentState::Denied
                };
                let gcm = ConsentMode {
                    ad_storage: state,
                    analytics_storage: state,
                    ad_user_data: state,
                    ad_personalization: state,
                };
                allowed[i] = gate
                    .permit_decoded(operation, &DecodedSignals::from_consent_mode(gcm))
                    .is_ok();
            }
            return Ok(Consent::OptIn(rows, allowed));
        }
        let mut rows = Vec::with_capacity(n);
        let mut seen = HashMap::new();
        for_each_str(&chunks, "consent", |_, v| {
            let v = v.map(str::trim).filter(|s| !s.is_empty());
            if let Some(s) = v
                && !seen.contains_key(s)
            {
                let signals = ConsentSignals {
                    tcf: Some(s.to_owned()),
                    ..ConsentSignals::default()
                };
                let ok = gate.permit(operation, Some(&signals)).is_ok();
                seen.insert(s.to_owned(), ok);
            }
            rows.push(v.map(str::to_owned));
            Ok(())
        })?;
        Ok(Consent::Tcf(rows, seen))
    }

    /// Whether row `i` may be processed.
    fn allows(&self, i: usize) -> bool {
        match self {
            Consent::Stated => true,
            Consent::OptIn(rows, allowed) => {
                matches!(rows.get(i), Some(Some(g)) if allowed[usize::from(*g)])
            }
            Consent::Tcf(rows, seen) => match rows.get(i) {
                Some(Some(s)) => seen.get(s).copied().unwrap_or(false),
                _ => false,
            },
        }
    }
}

/// Run `f` over every value, writing its output (or null) into a string array.
fn map_values(
    values: &Bound<'_, PyAny>,
    errors: &str,
    consent: impl FnOnce(usize) -> Result<Consent>,
    mut f: impl FnMut(&str, &mut String) -> std::result::Result<(), NormalizeError>,
) -> Result<ArrowArray> {
    let onerr = on_error(errors)?;
    let chunks = import_chunks(values, "values")?;
    let n = total_len(&chunks);
    let consent = consent(n)?;
    let mut out = StringBuilder::with_capacity(n, n * 64);
    let mut buf = String::with_capacity(128);
    for_each_str(&chunks, "values", |row, v| {
        match v {
            Some(v) if consent.allows(row) => {
                buf.clear();
                match f(v, &mut buf) {
                    Ok(()) => out.append_value(&buf),
                    Err(e) if onerr == OnError::Raise => return Err(row_error(e, row)),
                    Err(_) => out.append_null(),
                }
            }
            _ => out.append_null(),
        }
        Ok(())
    })?;
    Ok(ArrowArray::new(Arc::new(out.finish())))
}

/// Normalise every value of a string array by the platform's rules (see `docs/hashing.md`).
#[pyfunction]
#[pyo3(signature = (values, kind, platform="meta", *, default_country=None, ip_truncate=false, phone="valid", errors="null"))]
#[allow(clippy::too_many_arguments)]
pub fn normalize(
    values: &Bound<'_, PyAny>,
    kind: &str,
    platform: &str,
    default_country: Option<String>,
    ip_truncate: bool,
    phone: &str,
    errors: &str,
) -> Result<ArrowArray> {
    let k = self::kind(kind)?;
    let opts = options(platform, default_country, ip_truncate, phone)?;
    map_values(
        values,
        errors,
        |_| Ok(Consent::Stated),
        |v, out| normalize_into(k, v, &opts, out),
    )
}

/// Normalise and SHA-256 every value for upload to an ad platform (lowercase hex; a value that
/// is already a SHA-256 passes through lowercased). Consent-gated.
#[pyfunction]
#[pyo3(signature = (values, kind, platform="meta", *, consent=None, permit=false, default_country=None, ip_truncate=false, phone="valid", errors="null"))]
#[allow(clippy::too_many_arguments)]
pub fn hash(
    values: &Bound<'_, PyAny>,
    kind: &str,
    platform: &str,
    consent: Option<&Bound<'_, PyAny>>,
    permit: bool,
    default_country: Option<String>,
    ip_truncate: bool,
    phone: &str,
    errors: &str,
) -> Result<ArrowArray> {
    let k = self::kind(kind)?;
    let opts = options(platform, default_country, ip_truncate, phone)?;
    let mut h = Hasher::new(opts);
    map_values(
        values,
        errors,
        |n| Consent::new(consent, permit, Operation::HashForUpload, n, "hash"),
        |v, out| h.hex_into(k, v, out).map(|_| ()),
    )
}

/// Keyed HMAC-SHA256 pseudonyms `KEY_ID:HEX` of every value, for o2o's own linking.
/// Consent-gated (linking identity).
#[pyfunction]
#[pyo3(signature = (values, kind, key, platform="meta", *, consent=None, permit=false, default_country=None, ip_truncate=false, phone="valid", errors="null"))]
#[allow(clippy::too_many_arguments)]
pub fn pseudonymize(
    values: &Bound<'_, PyAny>,
    kind: &str,
    key: &str,
    platform: &str,
    consent: Option<&Bound<'_, PyAny>>,
    permit: bool,
    default_country: Option<String>,
    ip_truncate: bool,
    phone: &str,
    errors: &str,
) -> Result<ArrowArray> {
    let k = self::kind(kind)?;
    let opts = options(platform, default_country, ip_truncate, phone)?;
    // The key's own error names the line and what is wrong, never the secret.
    let key = SecretKey::parse_line(key, 1)
        .map_err(|e| Error::input("key", format!("key: {e} (expected KEY_ID:HEX_SECRET)")))?;
    let mut p = Pseudonymizer::new(&key, opts);
    map_values(
        values,
        errors,
        |n| Consent::new(consent, permit, Operation::LinkIdentity, n, "pseudonymize"),
        |v, out| p.text_into(k, v, out),
    )
}
