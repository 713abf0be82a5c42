//! Normalising identifiers from C the way each ad platform does (Meta, Google, TikTok); the
//! hashing itself is bound as soon as it lands in o2o-core.

use crate::args::{out_arg, str_arg};
use crate::boundary::boundary;
use crate::buffers::o2o_string;
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::event::IdKind;
use o2o_core::hashing::{NormalizeOptions, Profile, normalize};
use std::ffi::c_char;

fn kind_arg(kind: &str) -> FfiResult<IdKind> {
    kind.parse().map_err(|e| Failure::arg("kind", e))
}

/// The normalisation options from C arguments; an empty `default_country` means none.
fn options_arg(
    profile: &str,
    default_country: &str,
    ip_truncate: bool,
) -> FfiResult<NormalizeOptions> {
    let profile: Profile = profile.parse().map_err(|e| Failure::arg("profile", e))?;
    Ok(NormalizeOptions {
        profile,
        default_country: (!default_country.is_empty()).then(|| default_country.to_owned()),
        ip_truncate,
    })
}

/// Normalise one identifier the way an ad platform does (no hashing, so no consent needed).
///
/// \param kind the identifier kind (`"email"`, `"phone"`, `"first_name"`, …), `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param profile `"meta"`, `"google"` or `"tiktok"`, `profile_len` bytes.
/// \param profile_len its length in bytes.
/// \param default_country ISO 3166-1 alpha-2 code assumed for phones without a country code
///        (e.g. `"VN"`), or `""` (length 0) for none.
/// \param default_country_len its length in bytes.
/// \param value the value as captured, `value_len` bytes of UTF-8.
/// \param value_len its length in bytes.
/// \param[out] normalized receives the normalised value; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind or profile;
///         `O2O_STATUS_INVALID_INPUT` when the value is not a valid value of its kind (the
///         message names the kind and the reason).
/// \warning the caller owns `*normalized` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_normalize(
    kind: *const c_char,
    kind_len: usize,
    profile: *const c_char,
    profile_len: usize,
    default_country: *const c_char,
    default_country_len: usize,
    value: *const c_char,
    value_len: usize,
    normalized: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `normalized` is NULL or writable.
        let normalized = unsafe { out_arg(normalized, "normalized", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: each (ptr, len) pair is readable.
        let kind = unsafe { str_arg(kind, kind_len, "kind") }?;
        // SAFETY: as above.
        let profile = unsafe { str_arg(profile, profile_len, "profile") }?;
        // SAFETY: as above.
        let country = unsafe { str_arg(default_country, default_country_len, "default_country") }?;
        // SAFETY: as above.
        let value = unsafe { str_arg(value, value_len, "value") }?;
        let opts = options_arg(profile, country, false)?;
        let text = normalize(kind_arg(kind)?, value, &opts).map_err(Failure::input)?;
        *normalized = o2o_string::from_string(text);
        Ok(())
    })
}
