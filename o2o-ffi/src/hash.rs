//! Normalising and hashing identifiers from C: SHA-256 for ad-platform uploads (only with
//! consent: a hasher is made from consent signals that allow `hash_for_upload`, or not at all),
//! a batch form for list uploads, and keyed HMAC pseudonyms under a key handle.

use crate::args::{handle_mut, handle_ref, out_arg, str_arg, str_array_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::{o2o_str, o2o_string, o2o_string_array};
use crate::consent::o2o_consent;
use crate::handle::{free_handle, into_handle};
use crate::keys::o2o_key;
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::consent::{ConsentGate, Operation};
use o2o_core::event::IdKind;
use o2o_core::hashing::{
    NormalizeOptions, Platform, Pseudonymizer, UploadHasher, normalize, push_hex,
};
use std::ffi::c_char;

/// A SHA-256 hasher for uploads, made under consent. Opaque.
///
/// Ownership: Box-owned; made by `o2o_hasher_new`, freed by `o2o_hasher_free`. It reuses
/// internal buffers, so it must not be used from two threads at once (make one per thread).
pub struct o2o_hasher {
    inner: UploadHasher,
    hex: String,
    digests: Vec<Result<[u8; 32], o2o_core::hashing::NormalizeError>>,
}

/// A keyed-pseudonym maker under the current key of a ring. Opaque.
///
/// Ownership: Box-owned; made by `o2o_pseudonymizer_new`, freed by `o2o_pseudonymizer_free`.
/// Not to be used from two threads at once.
pub struct o2o_pseudonymizer {
    inner: Pseudonymizer,
    text: String,
}

fn kind_arg(kind: &str) -> FfiResult<IdKind> {
    kind.parse().map_err(|e| Failure::arg("kind", e))
}

/// The normalisation options from C arguments; an empty `default_country` means none.
fn options_arg(
    profile: &str,
    default_country: &str,
    ip_truncate: bool,
) -> FfiResult<NormalizeOptions> {
    let profile: Platform = profile.parse().map_err(|e| Failure::arg("profile", e))?;
    Ok(NormalizeOptions {
        profile,
        default_country: (!default_country.is_empty()).then(|| default_country.to_owned()),
        ip_truncate,
        ..NormalizeOptions::default()
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

/// Make a hasher for ad-platform uploads, if `consent` allows `hash_for_upload`.
///
/// \param consent the customer's (or the audience's) consent signals; asked once, here.
/// \param profile `"meta"`, `"google"` or `"tiktok"`, `profile_len` bytes.
/// \param profile_len its length in bytes.
/// \param default_country ISO 3166-1 alpha-2 code for phones without a country code, or `""`.
/// \param default_country_len its length in bytes.
/// \param ip_truncate truncate IP addresses to /24 (IPv4) or /48 (IPv6) before hashing.
/// \param[out] out receives the new hasher; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_CONSENT_DENIED` when the consent does not allow hashing
///         for upload (the message says which signal); `O2O_STATUS_NULL_ARGUMENT`;
///         `O2O_STATUS_INVALID_UTF8`; `O2O_STATUS_INVALID_ARGUMENT` for an unknown profile.
/// \warning the caller owns `*out` and frees it with `o2o_hasher_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_hasher_new(
    consent: *const o2o_consent,
    profile: *const c_char,
    profile_len: usize,
    default_country: *const c_char,
    default_country_len: usize,
    ip_truncate: bool,
    out: *mut *mut o2o_hasher,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: a live handle.
        let consent = unsafe { handle_ref(consent, "consent") }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let profile = unsafe { str_arg(profile, profile_len, "profile") }?;
        // SAFETY: as above.
        let country = unsafe { str_arg(default_country, default_country_len, "default_country") }?;
        let opts = options_arg(profile, country, ip_truncate)?;
        let permit = ConsentGate::default()
            .permit(Operation::HashForUpload, Some(&consent.signals))
            .map_err(|d| Failure::new(o2o_status::ConsentDenied, d))?;
        let inner = UploadHasher::new(&permit, opts)
            .map_err(|e| Failure::new(o2o_status::ConsentDenied, e))?;
        *out = into_handle(o2o_hasher {
            inner,
            hex: String::with_capacity(64),
            digests: Vec::new(),
        });
        Ok(())
    })
}

/// Normalise one identifier and SHA-256 it (lowercase hex). A value that already is a SHA-256
/// (64 hex digits) passes through lowercased, never hashed twice.
///
/// \param hasher a hasher from `o2o_hasher_new`.
/// \param kind the identifier kind (`"email"`, `"phone"`, …), `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param value the value as captured, `value_len` bytes of UTF-8.
/// \param value_len its length in bytes.
/// \param[out] hex receives 64 lowercase hex characters; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind; `O2O_STATUS_INVALID_INPUT` when the
///         value is not a valid value of its kind (nothing is hashed).
/// \warning the caller owns `*hex` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_hash(
    hasher: *mut o2o_hasher,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    hex: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `hex` is NULL or writable.
        let hex = unsafe { out_arg(hex, "hex", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let hasher = unsafe { handle_mut(hasher, "hasher") }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let kind = unsafe { str_arg(kind, kind_len, "kind") }?;
        // SAFETY: as above.
        let value = unsafe { str_arg(value, value_len, "value") }?;
        let kind = kind_arg(kind)?;
        hasher.hex.clear();
        hasher
            .inner
            .hex_into(kind, value, &mut hasher.hex)
            .map_err(Failure::input)?;
        *hex = o2o_string::copy_of(&hasher.hex);
        Ok(())
    })
}

/// Normalise and SHA-256 a list of identifiers of one kind (a list upload): exactly one output
/// per input, in order. An invalid value gives an empty string in `hex` and its reason in
/// `errors` at the same index; the other values are still hashed.
///
/// \param hasher a hasher from `o2o_hasher_new`.
/// \param kind the identifier kind of every value, `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param values `count` strings (each a non-NULL pointer and a length).
/// \param count how many.
/// \param[out] hex receives `count` strings: 64 hex characters, or `""` for a rejected value.
/// \param[out] errors receives `count` strings: `""`, or why the value was rejected.
/// \param[out] rejected receives how many values were rejected.
/// \return `O2O_STATUS_OK` even when some values were rejected; `O2O_STATUS_NULL_ARGUMENT`
///         (also when an element's pointer is NULL: the message gives its index);
///         `O2O_STATUS_INVALID_UTF8` (with the index); `O2O_STATUS_INVALID_ARGUMENT` for an
///         unknown kind. On failure nothing is hashed and the outputs are empty.
/// \warning the caller owns `*hex` and `*errors` and frees each with `o2o_string_array_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_hash_batch(
    hasher: *mut o2o_hasher,
    kind: *const c_char,
    kind_len: usize,
    values: *const o2o_str,
    count: usize,
    hex: *mut o2o_string_array,
    errors: *mut o2o_string_array,
    rejected: *mut usize,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: outputs are NULL or writable.
        let hex = unsafe { out_arg(hex, "hex", o2o_string_array::EMPTY) }?;
        // SAFETY: as above.
        let errors = unsafe { out_arg(errors, "errors", o2o_string_array::EMPTY) }?;
        // SAFETY: as above.
        let rejected = unsafe { out_arg(rejected, "rejected", 0) }?;
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let hasher = unsafe { handle_mut(hasher, "hasher") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let kind = unsafe { str_arg(kind, kind_len, "kind") }?;
        // SAFETY: the caller's contract: `count` readable `o2o_str`, each readable.
        let values = unsafe { str_array_arg(values, count, "values") }?;
        let kind = kind_arg(kind)?;
        let mut digests = std::mem::take(&mut hasher.digests);
        hasher
            .inner
            .hash_batch(kind, values.iter().copied(), &mut digests);
        let mut hexes = Vec::with_capacity(digests.len());
        let mut messages = Vec::with_capacity(digests.len());
        for d in &digests {
            match d {
                Ok(d) => {
                    let mut s = String::with_capacity(64);
                    push_hex(d, &mut s);
                    hexes.push(s);
                    messages.push(String::new());
                }
                Err(e) => {
                    *rejected += 1;
                    hexes.push(String::new());
                    messages.push(e.to_string());
                }
            }
        }
        hasher.digests = digests;
        *hex = o2o_string_array::from_vec(hexes);
        *errors = o2o_string_array::from_vec(messages);
        Ok(())
    })
}

/// Free a hasher.
///
/// \param hasher the handle; NULL is a no-op.
/// \pre `hasher` came from `o2o_hasher_new` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_hasher_free(hasher: *mut o2o_hasher) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(hasher) })
}

/// Make a keyed-pseudonym maker (HMAC-SHA256 of the normalised value) under the current key of
/// `key`. Pseudonyms are for o2o's own linking; they never leave for an ad platform.
///
/// \param key the key ring; its current key is used (its state is copied: `key` may be freed
///        afterwards).
/// \param profile normalisation profile, `"meta"`, `"google"` or `"tiktok"`, `profile_len` bytes.
/// \param profile_len its length in bytes.
/// \param default_country ISO 3166-1 alpha-2 code for phones without a country code, or `""`.
/// \param default_country_len its length in bytes.
/// \param[out] out receives the new handle; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown profile.
/// \warning the caller owns `*out` and frees it with `o2o_pseudonymizer_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_pseudonymizer_new(
    key: *const o2o_key,
    profile: *const c_char,
    profile_len: usize,
    default_country: *const c_char,
    default_country_len: usize,
    out: *mut *mut o2o_pseudonymizer,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: a live handle.
        let key = unsafe { handle_ref(key, "key") }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let profile = unsafe { str_arg(profile, profile_len, "profile") }?;
        // SAFETY: as above.
        let country = unsafe { str_arg(default_country, default_country_len, "default_country") }?;
        let opts = options_arg(profile, country, false)?;
        *out = into_handle(o2o_pseudonymizer {
            inner: Pseudonymizer::from_ring(&key.ring, opts),
            text: String::with_capacity(100),
        });
        Ok(())
    })
}

/// The keyed pseudonym of one identifier, as `KEY_ID:HEX` (the key id travels with it so that
/// pseudonyms survive key rotation).
///
/// \param pseudonymizer a handle from `o2o_pseudonymizer_new`.
/// \param kind the identifier kind, `kind_len` bytes.
/// \param kind_len its length in bytes.
/// \param value the value as captured, `value_len` bytes of UTF-8.
/// \param value_len its length in bytes.
/// \param[out] pseudonym receives `KEY_ID:HEX`; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown kind; `O2O_STATUS_INVALID_INPUT` when the
///         value is not a valid value of its kind.
/// \warning the caller owns `*pseudonym` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_pseudonym(
    pseudonymizer: *mut o2o_pseudonymizer,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
    pseudonym: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `pseudonym` is NULL or writable.
        let pseudonym = unsafe { out_arg(pseudonym, "pseudonym", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let p = unsafe { handle_mut(pseudonymizer, "pseudonymizer") }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let kind = unsafe { str_arg(kind, kind_len, "kind") }?;
        // SAFETY: as above.
        let value = unsafe { str_arg(value, value_len, "value") }?;
        let kind = kind_arg(kind)?;
        p.text.clear();
        p.inner
            .text_into(kind, value, &mut p.text)
            .map_err(Failure::input)?;
        *pseudonym = o2o_string::copy_of(&p.text);
        Ok(())
    })
}

/// Free a pseudonymizer (its key state is dropped).
///
/// \param pseudonymizer the handle; NULL is a no-op.
/// \pre `pseudonymizer` came from `o2o_pseudonymizer_new` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_pseudonymizer_free(pseudonymizer: *mut o2o_pseudonymizer) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(pseudonymizer) })
}
