//! Vouchers from C: issue a signed code, and verify one **offline** at the till (no server:
//! the key ring and the campaign table are all a POS needs), turning a genuine code into a
//! voucher-redemption check-in.

use crate::args::{handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::o2o_string;
use crate::checkin::o2o_checkin;
use crate::handle::{free_handle, into_handle};
use crate::keys::o2o_key;
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::voucher::{
    CampaignTable, Issuer, Rejection, Verified, Verifier, Voucher, day, redemption_checkin,
};
use std::ffi::c_char;

/// Verifies voucher codes offline against every key of a ring. Opaque.
///
/// Ownership: Box-owned; made by `o2o_verifier_new`, freed by `o2o_verifier_free`. Immutable:
/// one verifier may serve several tills' threads at once.
pub struct o2o_verifier {
    verifier: Verifier,
    campaigns: CampaignTable,
}

/// Issue a voucher code signed with the current key of `key`.
///
/// \param key the key ring (its first key signs).
/// \param voucher JSON `{"campaign": 3, "voucher_type": 1, "expires": "2026-04-30", "serial": 7,
///        "customer": "k1:…"}` (`customer`, a pseudonym, is optional: without it the code is
///        anonymous), `voucher_len` bytes.
/// \param voucher_len its length in bytes.
/// \param[out] code receives the code (21 Crockford base32 characters); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the JSON is malformed or a field is out of range
///         (campaign 0–31, type 0–7, serial 0–511, expiry within the code's range).
/// \warning the caller owns `*code` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_issue(
    key: *const o2o_key,
    voucher: *const c_char,
    voucher_len: usize,
    code: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `code` is NULL or writable.
        let code = unsafe { out_arg(code, "code", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let key = unsafe { handle_ref(key, "key") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let voucher = unsafe { str_arg(voucher, voucher_len, "voucher") }?;
        let voucher: Voucher = serde_json::from_str(voucher)
            .map_err(|e| Failure::input(format!("voucher JSON: {e}")))?;
        let text = Issuer::new(&key.ring)
            .issue(&voucher)
            .map_err(|e| Failure::input(format!("voucher: {e}")))?;
        *code = o2o_string::from_string(text);
        Ok(())
    })
}

/// Make an offline verifier from the till's key ring and campaign table.
///
/// \param key the key ring; every key of it is accepted (so codes signed before a rotation
///        still verify). Its state is copied: `key` may be freed afterwards.
/// \param campaigns the campaign table as a JSON array of names, position = campaign number
///        (e.g. `["zalo-spring", "tet-2026"]`; `[]` when unknown: campaigns are then named `#N`),
///        `campaigns_len` bytes.
/// \param campaigns_len its length in bytes.
/// \param[out] out receives the new verifier; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when `campaigns` is not a JSON array of strings.
/// \warning the caller owns `*out` and frees it with `o2o_verifier_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_verifier_new(
    key: *const o2o_key,
    campaigns: *const c_char,
    campaigns_len: usize,
    out: *mut *mut o2o_verifier,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: a live handle.
        let key = unsafe { handle_ref(key, "key") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let campaigns = unsafe { str_arg(campaigns, campaigns_len, "campaigns") }?;
        let campaigns: CampaignTable = serde_json::from_str(campaigns)
            .map_err(|e| Failure::input(format!("campaign table JSON: {e}")))?;
        *out = into_handle(o2o_verifier {
            verifier: Verifier::new(&key.ring),
            campaigns,
        });
        Ok(())
    })
}

/// Verify on the day of `now`; a rejection becomes `O2O_STATUS_VOUCHER_REJECTED` with a message
/// starting with the stable reason.
///
/// # Safety
/// The export's contract on the shared arguments.
unsafe fn verify_args<'a>(
    verifier: *const o2o_verifier,
    code: *const c_char,
    code_len: usize,
    now: i64,
    customer: *const c_char,
    customer_len: usize,
) -> FfiResult<(&'a o2o_verifier, Verified)> {
    // SAFETY: the caller's contract: a live handle for the duration of the call.
    let v: &'a o2o_verifier = unsafe { handle_ref(verifier, "verifier") }?;
    // SAFETY: the caller's contract: readable (ptr, len).
    let code = unsafe { str_arg(code, code_len, "code") }?;
    let customer = if customer.is_null() && customer_len == 0 {
        None
    } else {
        // SAFETY: the caller's contract: readable (ptr, len).
        Some(unsafe { str_arg(customer, customer_len, "customer") }?)
    };
    let today = day::of_timestamp(now)
        .ok_or_else(|| Failure::arg("now", format!("{now} is not a representable time")))?;
    let verified = v
        .verifier
        .verify(code, today, customer)
        .map_err(|r: Rejection| {
            Failure::new(o2o_status::VoucherRejected, format!("{}: {r}", r.reason()))
        })?;
    Ok((v, verified))
}

/// Verify a voucher code offline (constant-time tag check, then expiry).
///
/// \param verifier a verifier from `o2o_verifier_new`.
/// \param code the code as typed or scanned (case-insensitive; `-` and spaces ignored;
///        `O`/`I`/`L` read as `0`/`1`/`1`), `code_len` bytes.
/// \param code_len its length in bytes.
/// \param now the current time, Unix seconds (the code is valid through its expiry day, UTC).
/// \param customer the customer's pseudonym for a personal code, `customer_len` bytes; may be
///        NULL (with `customer_len` 0) for an anonymous code.
/// \param customer_len its length in bytes.
/// \param[out] verified receives JSON `{"code": "…", "key_id": "…", "voucher": {"campaign": 3,
///        "voucher_type": 1, "expires": "2026-04-30", "serial": 7}}`; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` for a genuine, unexpired code; `O2O_STATUS_VOUCHER_REJECTED`
///         otherwise, with `o2o_last_error()` starting with the reason: `malformed`,
///         `bad_check_character` (a typo), `unknown_key`, `customer_required`, `bad_signature`,
///         `expired`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `now` is out of range.
/// \warning the caller owns `*verified` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_verify(
    verifier: *const o2o_verifier,
    code: *const c_char,
    code_len: usize,
    now: i64,
    customer: *const c_char,
    customer_len: usize,
    verified: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `verified` is NULL or writable.
        let out = unsafe { out_arg(verified, "verified", o2o_string::EMPTY) }?;
        // SAFETY: forwarded contract.
        let (_, v) = unsafe { verify_args(verifier, code, code_len, now, customer, customer_len) }?;
        let json = serde_json::to_string(&v).map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *out = o2o_string::from_string(json);
        Ok(())
    })
}

/// Verify a code offline and, when genuine, start the voucher-redemption check-in that records
/// it (method `voucher_redemption`, the campaign's name, the canonical code), to be completed
/// with `o2o_checkin_set_value`, `o2o_checkin_add_identifier`, … and written with
/// `o2o_checkin_to_ndjson`.
///
/// \param verifier a verifier from `o2o_verifier_new`.
/// \param code the code as typed, `code_len` bytes.
/// \param code_len its length in bytes.
/// \param now the current time, Unix seconds; also the check-in's timestamp.
/// \param customer the customer's pseudonym for a personal code, or NULL (length 0).
/// \param customer_len its length in bytes.
/// \param store the store id, `store_len` bytes.
/// \param store_len its length in bytes.
/// \param[out] out receives the new check-in; NULL on failure.
/// \return as `o2o_voucher_verify`.
/// \warning the caller owns `*out` and frees it with `o2o_checkin_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_redeem(
    verifier: *const o2o_verifier,
    code: *const c_char,
    code_len: usize,
    now: i64,
    customer: *const c_char,
    customer_len: usize,
    store: *const c_char,
    store_len: usize,
    out: *mut *mut o2o_checkin,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let store = unsafe { str_arg(store, store_len, "store") }?;
        // SAFETY: forwarded contract.
        let (v, verified) =
            unsafe { verify_args(verifier, code, code_len, now, customer, customer_len) }?;
        let checkin = redemption_checkin(&verified, &v.campaigns, store, now, None, Vec::new());
        *out = into_handle(o2o_checkin { checkin });
        Ok(())
    })
}

/// Free a verifier.
///
/// \param verifier the handle; NULL is a no-op.
/// \pre `verifier` came from `o2o_verifier_new` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_verifier_free(verifier: *mut o2o_verifier) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(verifier) })
}
