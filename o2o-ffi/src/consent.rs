//! Consent from C: a handle holding the signals captured for a person or an event (an IAB TCF
//! TC string and/or Google Consent Mode v2), and the gate's answer for an operation, with reason.

use crate::args::{handle_mut, handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::o2o_string;
use crate::handle::{free_handle, into_handle};
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::consent::tcf::TcString;
use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use std::ffi::c_char;

/// A Google Consent Mode v2 signal value, as passed to `o2o_consent_set_mode`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum o2o_consent_state {
    /// No signal captured: treated as denied (fail closed).
    Unknown = 0,
    /// The user granted it.
    Granted = 1,
    /// The user denied it.
    Denied = 2,
}

/// What o2o wants to do with a person's data, as passed to `o2o_consent_check`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum o2o_operation {
    /// Count the event in aggregate measurement.
    Measure = 0,
    /// Link the event's identifiers into a profile.
    LinkIdentity = 1,
    /// Hash identifiers and send them to an ad platform.
    HashForUpload = 2,
    /// Use the profile to personalise offers.
    Personalise = 3,
}

/// Consent signals for one person or event. Opaque.
///
/// Ownership: Box-owned; made by `o2o_consent_new` or `o2o_consent_from_json`, freed by
/// `o2o_consent_free`. Not safe to mutate from two threads at once; reading from several
/// threads at once is fine.
#[derive(Debug, Default)]
pub struct o2o_consent {
    pub(crate) signals: ConsentSignals,
}

pub(crate) fn state_arg(v: u32, name: &str) -> FfiResult<ConsentState> {
    match v {
        x if x == o2o_consent_state::Unknown as u32 => Ok(ConsentState::Unknown),
        x if x == o2o_consent_state::Granted as u32 => Ok(ConsentState::Granted),
        x if x == o2o_consent_state::Denied as u32 => Ok(ConsentState::Denied),
        _ => Err(Failure::arg(
            name,
            format!("{v} is not an o2o_consent_state"),
        )),
    }
}

pub(crate) fn operation_arg(v: u32, name: &str) -> FfiResult<Operation> {
    match v {
        x if x == o2o_operation::Measure as u32 => Ok(Operation::Measure),
        x if x == o2o_operation::LinkIdentity as u32 => Ok(Operation::LinkIdentity),
        x if x == o2o_operation::HashForUpload as u32 => Ok(Operation::HashForUpload),
        x if x == o2o_operation::Personalise as u32 => Ok(Operation::Personalise),
        _ => Err(Failure::arg(name, format!("{v} is not an o2o_operation"))),
    }
}

/// Create consent with no signals at all: every operation is denied until signals are set.
///
/// \param[out] out receives the new handle; NULL on failure.
/// \return `O2O_STATUS_OK`, or `O2O_STATUS_NULL_ARGUMENT` when `out` is NULL.
/// \warning the caller owns `*out` and frees it with `o2o_consent_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_new(out: *mut *mut o2o_consent) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        *out = into_handle(o2o_consent::default());
        Ok(())
    })
}

/// Create consent from the JSON form used in o2o events:
/// `{"tcf": "CP…", "gcm": {"ad_storage": "granted", "analytics_storage": "denied",
/// "ad_user_data": "granted", "ad_personalization": "unknown"}}` (both members optional).
///
/// \param json UTF-8 JSON, `json_len` bytes, not NUL-terminated.
/// \param json_len its length in bytes.
/// \param[out] out receives the new handle; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the JSON is malformed (message gives line and column)
///         or its TC string does not decode.
/// \warning the caller owns `*out` and frees it with `o2o_consent_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_from_json(
    json: *const c_char,
    json_len: usize,
    out: *mut *mut o2o_consent,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: `json` points to `json_len` readable bytes.
        let json = unsafe { str_arg(json, json_len, "json") }?;
        let signals: ConsentSignals =
            serde_json::from_str(json).map_err(|e| Failure::input(format!("consent JSON: {e}")))?;
        if let Some(tc) = &signals.tcf {
            TcString::decode(tc).map_err(|e| Failure::input(format!("consent JSON: tcf: {e}")))?;
        }
        *out = into_handle(o2o_consent { signals });
        Ok(())
    })
}

/// Set (replace) the IAB TCF v2.2 TC string of `consent`. The string is decoded first, so a
/// malformed one is reported here (with the bit at fault) rather than silently denying later.
///
/// \param consent the handle to change.
/// \param tc the TC string, `tc_len` bytes of UTF-8.
/// \param tc_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the TC string does not decode (`consent` unchanged).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_set_tcf(
    consent: *mut o2o_consent,
    tc: *const c_char,
    tc_len: usize,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let consent = unsafe { handle_mut(consent, "consent") }?;
        // SAFETY: the caller's contract: `tc` points to `tc_len` readable bytes.
        let tc = unsafe { str_arg(tc, tc_len, "tc") }?;
        TcString::decode(tc).map_err(|e| Failure::input(format!("TC string: {e}")))?;
        consent.signals.tcf = Some(tc.to_owned());
        Ok(())
    })
}

/// Set (replace) the Google Consent Mode v2 signals of `consent`.
///
/// \param consent the handle to change.
/// \param ad_storage storage (cookies) for advertising: an `o2o_consent_state` value.
/// \param analytics_storage storage for analytics: an `o2o_consent_state` value.
/// \param ad_user_data sending user data for advertising: an `o2o_consent_state` value.
/// \param ad_personalization personalised advertising: an `o2o_consent_state` value.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_ARGUMENT` when a
///         value is not an `o2o_consent_state`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_set_mode(
    consent: *mut o2o_consent,
    ad_storage: u32,
    analytics_storage: u32,
    ad_user_data: u32,
    ad_personalization: u32,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let consent = unsafe { handle_mut(consent, "consent") }?;
        consent.signals.gcm = Some(ConsentMode {
            ad_storage: state_arg(ad_storage, "ad_storage")?,
            analytics_storage: state_arg(analytics_storage, "analytics_storage")?,
            ad_user_data: state_arg(ad_user_data, "ad_user_data")?,
            ad_personalization: state_arg(ad_personalization, "ad_personalization")?,
        });
        Ok(())
    })
}

/// The signals of `consent` as JSON (the form `o2o_consent_from_json` reads).
///
/// \param consent the handle.
/// \param[out] json receives the JSON; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
/// \warning the caller owns `*json` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_to_json(
    consent: *const o2o_consent,
    json: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `json` is NULL or writable.
        let json = unsafe { out_arg(json, "json", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let consent = unsafe { handle_ref(consent, "consent") }?;
        let text = serde_json::to_string(&consent.signals)
            .map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *json = o2o_string::from_string(text);
        Ok(())
    })
}

/// Ask the consent gate (default policy, see docs/privacy.md) whether `operation` is allowed
/// under `consent`. Unknown signals mean denied.
///
/// \param consent the signals.
/// \param operation an `o2o_operation` value.
/// \param[out] allowed receives true when the operation is allowed.
/// \param[out] reason receives which signal decided, e.g. `"ad_user_data denied"`;
///        `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` whatever the answer (read `*allowed`); `O2O_STATUS_NULL_ARGUMENT`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `operation` is not an `o2o_operation`.
/// \warning the caller owns `*reason` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_check(
    consent: *const o2o_consent,
    operation: u32,
    allowed: *mut bool,
    reason: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: outputs are NULL or writable.
        let allowed = unsafe { out_arg(allowed, "allowed", false) }?;
        // SAFETY: as above.
        let reason = unsafe { out_arg(reason, "reason", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let consent = unsafe { handle_ref(consent, "consent") }?;
        let operation = operation_arg(operation, "operation")?;
        let decision = ConsentGate::default().check(operation, Some(&consent.signals));
        *allowed = decision.allowed;
        *reason = o2o_string::from_string(decision.reason);
        Ok(())
    })
}

/// Decode an IAB TCF v2.2 TC string into JSON with @iabtcf/core's TCModel names (`version`,
/// `created`, `lastUpdated`, `cmpId`, …, `purposeConsents`, `vendorConsents`, … each a sorted
/// array of the ids that are set, `publisherRestrictions`), as `o2o consent decode` prints.
///
/// \param tc the TC string, `tc_len` bytes of UTF-8.
/// \param tc_len its length in bytes.
/// \param[out] json receives the decoded model; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the string is malformed (the message names the segment,
///         the field and the bit offset).
/// \warning the caller owns `*json` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_tcf_decode(
    tc: *const c_char,
    tc_len: usize,
    json: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `json` is NULL or writable.
        let json = unsafe { out_arg(json, "json", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: `(tc, tc_len)` is readable.
        let tc = unsafe { str_arg(tc, tc_len, "tc") }?;
        let decoded =
            TcString::decode(tc).map_err(|e| Failure::input(format!("TC string: {e}")))?;
        let text = serde_json::to_string(&decoded.to_json())
            .map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *json = o2o_string::from_string(text);
        Ok(())
    })
}

/// Free a consent handle.
///
/// \param consent the handle; NULL is a no-op.
/// \pre `consent` came from `o2o_consent_new` or `o2o_consent_from_json` and was not freed.
/// \warning do not use `consent` after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_consent_free(consent: *mut o2o_consent) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(consent) })
}
