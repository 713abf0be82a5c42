//! Normalisation of raw identifiers into the exact text an ad platform hashes.
//!
//! Ad platforms match uploads by the SHA-256 of a *normalised* value, so one wrong rule silently
//! loses the match. Each [`IdKind`] has a rule per [`Platform`] (Meta, Google, TikTok); the rules
//! and their sources are tabled in `docs/hashing.md`. A value that is not a valid value of its kind
//! is a [`NormalizeError`] naming the kind and the reason: garbage is never hashed.
//!
//! Every rule is idempotent: `normalize(k, &normalize(k, x)?) == normalize(k, x)`.
//!
//! ```
//! use o2o_core::event::IdKind;
//! use o2o_core::hashing::{normalize, NormalizeOptions, Platform};
//! let vn = NormalizeOptions { default_country: Some("VN".into()), ..Default::default() };
//! assert_eq!(normalize(IdKind::Email, " Ann@Example.COM ", &vn).unwrap(), "ann@example.com");
//! assert_eq!(normalize(IdKind::Phone, "0912 345 678", &vn).unwrap(), "84912345678");
//! let google = NormalizeOptions { profile: Platform::Google, ..vn.clone() };
//! assert_eq!(normalize(IdKind::Phone, "0912 345 678", &google).unwrap(), "+84912345678");
//! assert!(normalize(IdKind::Email, "not an email", &vn).is_err());
//! ```

mod date;
mod email;
mod geo;
mod ids;
mod net;
mod phone;
#[rustfmt::skip]
mod tables;
#[cfg(test)]
mod tests;
mod text;

use crate::event::IdKind;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which ad platform's normalisation rules to follow. The platforms differ (Meta wants phone
/// digits without `+`, Google and TikTok want E.164 with `+`; Google folds Gmail addresses), and
/// a hash made under the wrong rules does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Meta Conversions API / Custom Audiences customer-information rules.
    #[default]
    Meta,
    /// Google Ads Enhanced Conversions / Customer Match rules.
    Google,
    /// TikTok Events API rules.
    Tiktok,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 3] = [Platform::Meta, Platform::Google, Platform::Tiktok];

    /// The lowercase name used on the command line and in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Meta => "meta",
            Platform::Google => "google",
            Platform::Tiktok => "tiktok",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform name that is not `meta`, `google` or `tiktok` (the message names the `profile`
/// field or flag that takes it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}` (expected meta, google or tiktok)")]
pub struct UnknownPlatform(pub String);

/// Former name of [`Platform`], kept for one release.
#[deprecated(note = "renamed `Platform`: an ad platform's rules, not a resolved person")]
pub type Profile = Platform;

/// Former name of [`UnknownPlatform`], kept for one release.
#[deprecated(note = "renamed `UnknownPlatform`")]
pub type UnknownProfile = UnknownPlatform;

impl FromStr for Platform {
    type Err = UnknownPlatform;
    /// ```
    /// use o2o_core::hashing::Platform;
    /// assert_eq!("google".parse::<Platform>().unwrap(), Platform::Google);
    /// assert!("bing".parse::<Platform>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

/// How to normalise: the platform profile, the country assumed for phone numbers written without
/// a country code (and for ambiguous dates and US zip codes), and IP truncation.
///
/// In JSON every field may be left out (`{}` is the Meta profile, no default country):
/// `{"profile": "google", "default_country": "VN", "ip_truncate": true}`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeOptions {
    /// The platform whose rules apply.
    pub profile: Platform,
    /// ISO 3166-1 alpha-2 code (any case), e.g. `"VN"`: phones without a country code are read
    /// as national numbers of this country. Without it such phones are errors.
    pub default_country: Option<String>,
    /// Truncate IP addresses to their /24 (IPv4) or /48 (IPv6) network for privacy.
    pub ip_truncate: bool,
    /// How strictly a phone number is checked: [`PhoneCheck::Valid`] (the default here, for
    /// uploads) or [`PhoneCheck::Possible`] (what the identity graph links by default).
    pub phone: PhoneCheck,
}

/// How strictly a phone number is checked before it is accepted.
///
/// `valid` is libphonenumber's `is_valid`: the number lies in a range the country's numbering
/// plan assigns. `possible` only asks for the right length for its country (and, where the
/// country dials a trunk prefix, a national number that does not start with it): numbering plans
/// change faster than any copy of them, and a number a customer typed twice at two tills is the
/// same number whatever a range table says, so the identity graph links possible numbers.
/// Junk of the right length (`0123456789`, `0000000000`) is refused by the graph's blocked
/// values, not by the range check.
///
/// ```
/// use o2o_core::event::IdKind;
/// use o2o_core::hashing::{normalize, NormalizeOptions, PhoneCheck};
/// let vn = NormalizeOptions { default_country: Some("VN".into()), ..Default::default() };
/// // A pre-2018 Vietnamese mobile number (016x, renumbered to 03x): the right length, in no
/// // range assigned today.
/// assert!(normalize(IdKind::Phone, "0162 345 6789", &vn).is_err());
/// let possible = NormalizeOptions { phone: PhoneCheck::Possible, ..vn };
/// assert_eq!(normalize(IdKind::Phone, "0162 345 6789", &possible).unwrap(), "841623456789");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneCheck {
    /// In a range the country assigns (libphonenumber's `is_valid`).
    #[default]
    Valid,
    /// The right length for its country.
    Possible,
}

impl NormalizeOptions {
    /// Check the options once (the default country is a known ISO code), so that a bad flag is
    /// reported before any value rather than as an error on every phone number.
    ///
    /// ```
    /// use o2o_core::hashing::NormalizeOptions;
    /// let bad = NormalizeOptions { default_country: Some("XX".into()), ..Default::default() };
    /// assert!(bad.validate().is_err());
    /// assert!(NormalizeOptions::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), NormalizeError> {
        default_country(self).map(|_| ())
    }
}

/// Why a value is not a valid value of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The value is empty or only whitespace.
    #[error("{kind}: empty value")]
    Empty {
        /// The kind asked for.
        kind: IdKind,
    },
    /// The value is not a valid value of its kind.
    #[error("{kind}: {reason}")]
    Invalid {
        /// The kind asked for.
        kind: IdKind,
        /// What is wrong, for the user.
        reason: &'static str,
    },
    /// `default_country` is not an ISO 3166-1 alpha-2 code.
    #[error("default country `{0}` is not an ISO 3166-1 alpha-2 code")]
    BadDefaultCountry(String),
}

impl NormalizeError {
    pub(crate) const fn invalid(kind: IdKind, reason: &'static str) -> Self {
        NormalizeError::Invalid { kind, reason }
    }
}

/// Normalise `value` as a `kind` identifier under `opts`.
///
/// Allocates the result; in a loop use [`normalize_into`], which writes into a reused buffer.
pub fn normalize(
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
) -> Result<String, NormalizeError> {
    let mut out = String::with_capacity(value.len() + 2);
    normalize_into(kind, value, opts, &mut out)?;
    Ok(out)
}

/// Normalise `value` into `out` (cleared first). No allocation when `out` is large enough and the
/// value is ASCII. On error `out` is left empty.
///
/// ```
/// use o2o_core::event::IdKind;
/// use o2o_core::hashing::{normalize_into, NormalizeOptions};
/// let mut buf = String::new();
/// normalize_into(IdKind::Mac, "AA-BB-CC-DD-EE-FF", &NormalizeOptions::default(), &mut buf).unwrap();
/// assert_eq!(buf, "aa:bb:cc:dd:ee:ff");
/// ```
pub fn normalize_into(
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    if kind == IdKind::Email && email::fast_ascii(value, opts.profile, out) {
        return Ok(());
    }
    normalize_general(kind, value, opts, out)
}

/// [`normalize_into`] without the email fast path: every kind, every rule, every error.
pub(crate) fn normalize_general(
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    out.clear();
    // ASCII fast path: byte-wise trim and control check (the common case, and the hot one).
    let (v, control) = if value.is_ascii() {
        let v = value.trim_ascii();
        (v, v.bytes().any(|b| b.is_ascii_control()))
    } else {
        let v = value.trim();
        (v, v.chars().any(char::is_control))
    };
    if v.is_empty() {
        return Err(NormalizeError::Empty { kind });
    }
    if control {
        return Err(NormalizeError::invalid(kind, "contains control characters"));
    }
    let r = match kind {
        IdKind::Email => email::normalize(v, opts.profile, out),
        IdKind::Phone => phone::normalize(v, opts, out),
        IdKind::FirstName | IdKind::LastName => text::name(kind, v, opts.profile, out),
        IdKind::City => text::city(v, out),
        IdKind::State => text::state(v, out),
        IdKind::Gender => text::gender(v, out),
        IdKind::DateOfBirth => date::normalize(v, opts, out),
        IdKind::Zip => geo::zip(v, opts, out),
        IdKind::Country => geo::country(v, out),
        IdKind::ExternalId => ids::external_id(v, opts.profile, out),
        IdKind::LoyaltyCard => ids::loyalty_card(v, out),
        IdKind::VoucherCode => ids::voucher_code(v, out),
        IdKind::DeviceId => ids::device_id(v, out),
        IdKind::Mac => net::mac(v, out),
        IdKind::Ip => net::ip(v, opts.ip_truncate, out),
        IdKind::EmailSha256 | IdKind::PhoneSha256 => ids::sha256_hex(kind, v, out),
    };
    match r {
        Ok(()) if out.is_empty() => Err(NormalizeError::invalid(
            kind,
            "nothing left after normalisation",
        )),
        Ok(()) => Ok(()),
        Err(e) => {
            out.clear();
            Err(e)
        }
    }
}

/// The country record for an alpha-2 code (any case).
pub(crate) fn country_by_alpha2(code: &str) -> Option<&'static tables::Country> {
    if code.len() != 2 {
        return None;
    }
    let up = [
        code.as_bytes()[0].to_ascii_uppercase(),
        code.as_bytes()[1].to_ascii_uppercase(),
    ];
    tables::COUNTRIES
        .binary_search_by(|c| c.alpha2().as_bytes().cmp(&up[..]))
        .ok()
        .and_then(|i| tables::COUNTRIES.get(i))
}

impl tables::Country {
    /// ISO 3166-1 alpha-2, uppercase.
    pub(crate) fn alpha2(&self) -> &str {
        ascii(self.codes.get(..2).unwrap_or_default())
    }

    /// ISO 3166-1 alpha-3, uppercase.
    pub(crate) fn alpha3(&self) -> &str {
        ascii(self.codes.get(2..).unwrap_or_default())
    }

    /// The national trunk prefix (`"0"`, `"06"`, …), empty if the country has none.
    pub(crate) fn trunk(&self) -> &str {
        ascii(
            self.trunk_digits
                .split(|&b| b == 0)
                .next()
                .unwrap_or_default(),
        )
    }
}

/// The generated tables hold ASCII only (the generator asserts it, and a test reads every
/// record back), so this never falls back to `""`.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The code of the record named `key` in a packed name table of the generator
/// (`tables::COUNTRY_NAMES` or `tables::US_STATES`: sorted `name` + two-letter code records,
/// `ends` their end offsets), by binary search.
pub(crate) fn packed_lookup(
    records: &'static str,
    ends: &[u16],
    key: &str,
) -> Option<&'static str> {
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (name, code) = packed_record(records, ends, mid)?;
        match name.cmp(key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(code),
        }
    }
    None
}

/// Record `i` of a packed name table as `(name, code)`.
pub(crate) fn packed_record(
    records: &'static str,
    ends: &[u16],
    i: usize,
) -> Option<(&'static str, &'static str)> {
    let start = match i.checked_sub(1) {
        Some(j) => usize::from(*ends.get(j)?),
        None => 0,
    };
    let record = records.get(start..usize::from(*ends.get(i)?))?;
    record.split_at_checked(record.len().checked_sub(2)?)
}

/// The default country of `opts`, validated.
pub(crate) fn default_country(
    opts: &NormalizeOptions,
) -> Result<Option<&'static tables::Country>, NormalizeError> {
    match opts.default_country.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(cc) => country_by_alpha2(cc)
            .map(Some)
            .ok_or_else(|| NormalizeError::BadDefaultCountry(cc.to_owned())),
    }
}
