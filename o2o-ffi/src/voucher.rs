//! Vouchers from C: issue a signed code, and verify one **offline** at the till (no server:
//! the key ring and the campaign table are all a POS needs), turning a genuine code into a
//! voucher-redemption check-in.

use crate::args::{handle_mut, handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::o2o_string;
use crate::checkin::o2o_checkin;
use crate::handle::{free_handle, into_handle};
use crate::keys::o2o_key;
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::voucher::{
    BULK_CODE_LEN, CampaignTable, Issuer, MAX_BULK_SERIAL, MAX_CAMPAIGN, MAX_TYPE, Rejection,
    Verdict, Verified, Verifier, Voucher, VoucherError, day, redemption_checkin,
};
use std::ffi::c_char;

/// Verifies voucher codes offline against every key of a ring. Opaque.
///
/// Ownership: Box-owned; made by `o2o_verifier_new`, freed by `o2o_verifier_free`. Immutable:
/// one verifier may serve several tills' threads at once.
pub struct o2o_verifier {
    verifier: Verifier,
    /// The store's UTC offset in seconds (`o2o_verifier_set_utc_offset`), 0 by default.
    utc_offset_secs: i32,
}

/// Read a campaign table (JSON) for the C API.
fn campaigns_from(json: &str) -> FfiResult<CampaignTable> {
    serde_json::from_str(json).map_err(|e| Failure::input(format!("campaign table JSON: {e}")))
}

/// Issue a **serial** voucher code (21 characters, for single-use anonymous codes) signed with
/// the current key of `key`. Short codes (16 characters, the default elsewhere) are issued with
/// `o2o_voucher_issue_short`.
///
/// \param key the key ring (its first key signs).
/// \param voucher JSON `{"campaign": 3, "voucher_type": 1, "expires": "2026-04-30", "serial": 7,
///        "customer": "k1:…"}` (`customer`, a pseudonym, is optional: without it the code is
///        anonymous), `voucher_len` bytes.
/// \param voucher_len its length in bytes.
/// \param[out] code receives the code (21 Crockford base32 characters); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when the JSON is malformed, has no `serial`, or a field
///         is out of range (campaign 0–31, type 0–7, serial 0–511, expiry within the code's
///         range).
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
        if voucher.serial.is_none() {
            return Err(Failure::input(
                "voucher: no `serial`; short codes are issued with o2o_voucher_issue_short",
            ));
        }
        let text = Issuer::new(&key.ring, &CampaignTable::default())
            .issue(&voucher)
            .map_err(|e| Failure::input(format!("voucher: {e}")))?;
        *code = o2o_string::from_string(text);
        Ok(())
    })
}

/// Issue a **short** voucher code (16 characters) signed with the current key of `key`. Its
/// expiry is the campaign's last valid day in `campaigns`, which the tills need too. Without a
/// customer, the code is the one shared code of that campaign and type (issuing it again gives
/// the same code); with one, it is bound to that pseudonym.
///
/// \param key the key ring (its first key signs).
/// \param campaigns the campaign table, JSON (`[{"name": "zalo-spring", "expires":
///        "2026-04-30"}, "tet-2026"]`; position = campaign number), `campaigns_len` bytes.
/// \param campaigns_len its length in bytes.
/// \param campaign the campaign number (0–31); its entry must have an `expires`. Wider than a
///        code's 5 bits so that a number out of range is refused, never truncated.
/// \param voucher_type the voucher type (0–7).
/// \param customer the customer pseudonym to bind the code to, `customer_len` bytes (1–128:
///        what `o2o_pseudonym` returns fits); may be NULL (with `customer_len` 0) for a shared
///        anonymous code.
/// \param customer_len its length in bytes.
/// \param[out] code receives the code (16 Crockford base32 characters); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `campaign`, `voucher_type` or the customer's length
///         is out of range; `O2O_STATUS_INVALID_INPUT` when the table is malformed, or the
///         campaign is not in it or has no expiry.
/// \warning the caller owns `*code` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_issue_short(
    key: *const o2o_key,
    campaigns: *const c_char,
    campaigns_len: usize,
    campaign: u32,
    voucher_type: u32,
    customer: *const c_char,
    customer_len: usize,
    code: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `code` is NULL or writable.
        let code = unsafe { out_arg(code, "code", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let key = unsafe { handle_ref(key, "key") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let campaigns = campaigns_from(unsafe { str_arg(campaigns, campaigns_len, "campaigns") }?)?;
        // SAFETY: the caller's contract: readable (ptr, len) or (NULL, 0).
        let customer = unsafe { opt_customer(customer, customer_len) }?;
        let campaign = small_arg(campaign, MAX_CAMPAIGN, "campaign")?;
        let voucher_type = small_arg(voucher_type, MAX_TYPE, "voucher_type")?;
        let issued = Issuer::new(&key.ring, &campaigns)
            .issue_short(campaign, voucher_type, customer)
            .map_err(|e| match e {
                VoucherError::Customer { .. } => Failure::arg("customer", e),
                e => Failure::input(format!("voucher: {e}")),
            })?;
        *code = o2o_string::from_string(issued.code);
        Ok(())
    })
}

/// Length in bytes of a bulk voucher code (`o2o_voucher_issue_bulk`): 19 Crockford base32 data
/// characters and one check character. `o2o_voucher_issue_bulk_range` writes codes of exactly
/// this length, one after the other.
pub const O2O_VOUCHER_BULK_CODE_LEN: usize = 20;

/// Number of serials of one campaign and voucher type in bulk codes (serials 0 to 1,048,575).
pub const O2O_VOUCHER_BULK_SERIALS: u32 = 1_048_576;

// The header's literals (cbindgen writes literals only) are the core's values.
const _: () = assert!(O2O_VOUCHER_BULK_CODE_LEN == BULK_CODE_LEN);
const _: () = assert!(O2O_VOUCHER_BULK_SERIALS == MAX_BULK_SERIAL + 1);

/// The issuer of `key` for the campaign table `campaigns` (JSON), and the campaign and type
/// checked against their ranges.
///
/// # Safety
/// The export's contract on `(key, campaigns, campaigns_len)`.
unsafe fn bulk_issuer(
    key: *const o2o_key,
    campaigns: *const c_char,
    campaigns_len: usize,
    campaign: u32,
    voucher_type: u32,
) -> FfiResult<(Issuer, u8, u8)> {
    // SAFETY: the caller's contract: a live handle.
    let key = unsafe { handle_ref(key, "key") }?;
    // SAFETY: the caller's contract: readable (ptr, len).
    let campaigns = campaigns_from(unsafe { str_arg(campaigns, campaigns_len, "campaigns") }?)?;
    let campaign = small_arg(campaign, MAX_CAMPAIGN, "campaign")?;
    let voucher_type = small_arg(voucher_type, MAX_TYPE, "voucher_type")?;
    Ok((Issuer::new(&key.ring, &campaigns), campaign, voucher_type))
}

/// A core refusal to issue, as a C failure: an argument out of range is the caller's argument
/// (`INVALID_ARGUMENT`), a campaign missing from the table (or without an expiry) is the
/// table's fault (`INVALID_INPUT`).
fn issue_failure(e: VoucherError) -> Failure {
    match e {
        VoucherError::Customer { .. } => Failure::arg("customer", e),
        VoucherError::Serial(_) => Failure::arg("serial", e),
        VoucherError::Campaign(_) => Failure::arg("campaign", e),
        VoucherError::Type(_) => Failure::arg("voucher_type", e),
        e => Failure::input(format!("voucher: {e}")),
    }
}

/// Issue a **bulk** voucher code (20 characters, single-use: up to 1,048,576 serials per
/// campaign and type) signed with the current key of `key`. Its expiry is the campaign's last
/// valid day in `campaigns`, as for short codes; the tills verify it with `o2o_voucher_verify`
/// or `o2o_voucher_check` against the same table.
///
/// \param key the key ring (its first key signs).
/// \param campaigns the campaign table, JSON (`[{"name": "zalo-spring", "expires":
///        "2026-04-30"}, "tet-2026"]`; position = campaign number), `campaigns_len` bytes.
/// \param campaigns_len its length in bytes.
/// \param campaign the campaign number (0–31); its entry must have an `expires`.
/// \param voucher_type the voucher type (0–7).
/// \param serial the serial, 0 to `O2O_VOUCHER_BULK_SERIALS - 1` (1,048,575): one per
///        voucher, so that each code is redeemed once.
/// \param customer the customer pseudonym to bind the code to, `customer_len` bytes (1–128);
///        may be NULL (with `customer_len` 0) for an anonymous code.
/// \param customer_len its length in bytes.
/// \param[out] code receives the code (`O2O_VOUCHER_BULK_CODE_LEN` = 20 Crockford base32
///        characters); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `campaign`, `voucher_type`, `serial` or the
///         customer's length is out of range; `O2O_STATUS_INVALID_INPUT` when the table is
///         malformed, or the campaign is not in it or has no expiry.
/// \warning the caller owns `*code` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_issue_bulk(
    key: *const o2o_key,
    campaigns: *const c_char,
    campaigns_len: usize,
    campaign: u32,
    voucher_type: u32,
    serial: u32,
    customer: *const c_char,
    customer_len: usize,
    code: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `code` is NULL or writable.
        let code = unsafe { out_arg(code, "code", o2o_string::EMPTY) }?;
        // SAFETY: forwarded contract.
        let (issuer, campaign, voucher_type) =
            unsafe { bulk_issuer(key, campaigns, campaigns_len, campaign, voucher_type) }?;
        // SAFETY: the caller's contract: readable (ptr, len) or (NULL, 0).
        let customer = unsafe { opt_customer(customer, customer_len) }?;
        let issued = issuer
            .issue_bulk(campaign, voucher_type, serial, customer)
            .map_err(issue_failure)?;
        *code = o2o_string::from_string(issued.code);
        Ok(())
    })
}

/// Issue the anonymous bulk codes of serials `first_serial` to `first_serial + count - 1` into
/// a buffer of the caller's, for a print run or a mailing: code `i` (serial `first_serial + i`)
/// is the 20 bytes at `buf + i * O2O_VOUCHER_BULK_CODE_LEN`, with no separator and no NUL. Each
/// is the code `o2o_voucher_issue_bulk` gives for that serial. Every argument is checked before
/// anything is written; the campaign's signing state is prepared once for the range.
///
/// \param key the key ring (its first key signs).
/// \param campaigns the campaign table, JSON, `campaigns_len` bytes (as `o2o_voucher_issue_bulk`).
/// \param campaigns_len its length in bytes.
/// \param campaign the campaign number (0–31); its entry must have an `expires`.
/// \param voucher_type the voucher type (0–7).
/// \param first_serial the first serial of the range.
/// \param count how many codes (0 is allowed and writes nothing); `first_serial + count` must
///        be at most `O2O_VOUCHER_BULK_SERIALS` (1,048,576).
/// \param[out] buf where the codes go: at least `count * O2O_VOUCHER_BULK_CODE_LEN` writable
///        bytes (20 MiB for a whole campaign and type).
/// \param buf_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT` (`key`, `campaigns` or `buf`);
///         `O2O_STATUS_INVALID_UTF8`; `O2O_STATUS_INVALID_ARGUMENT` when `campaign`,
///         `voucher_type` or the range is out of range, or `buf_len` is less than
///         `count * O2O_VOUCHER_BULK_CODE_LEN`; `O2O_STATUS_INVALID_INPUT` when the table is
///         malformed, or the campaign is not in it or has no expiry. On failure nothing is
///         written to `buf`.
/// \warning `buf` stays the caller's; the codes are not NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_issue_bulk_range(
    key: *const o2o_key,
    campaigns: *const c_char,
    campaigns_len: usize,
    campaign: u32,
    voucher_type: u32,
    first_serial: u32,
    count: usize,
    buf: *mut c_char,
    buf_len: usize,
) -> o2o_status {
    boundary(|| {
        if buf.is_null() {
            return Err(Failure::null("buf"));
        }
        if buf_len > isize::MAX as usize {
            return Err(Failure::arg(
                "buf_len",
                format!("length {buf_len} is not a buffer length"),
            ));
        }
        // SAFETY: forwarded contract.
        let (issuer, campaign, voucher_type) =
            unsafe { bulk_issuer(key, campaigns, campaigns_len, campaign, voucher_type) }?;
        let count32 = u32::try_from(count)
            .ok()
            .filter(|&c| c <= O2O_VOUCHER_BULK_SERIALS)
            .ok_or_else(|| {
                Failure::arg(
                    "count",
                    format!("{count} is more than the {O2O_VOUCHER_BULK_SERIALS} serials of a campaign and type"),
                )
            })?;
        // count ≤ 2²⁰, so the product fits a usize.
        let need = count * BULK_CODE_LEN;
        if buf_len < need {
            return Err(Failure::arg(
                "buf_len",
                format!("{buf_len} bytes, but {count} codes need {need}"),
            ));
        }
        let codes = issuer
            .issue_bulk_range(campaign, voucher_type, first_serial, count32, None)
            .map_err(|e| match e {
                VoucherError::Serial(_) => Failure::arg(
                    "first_serial",
                    format!(
                        "serials {first_serial} + {count} codes go beyond {MAX_BULK_SERIAL}, the last serial of a bulk code"
                    ),
                ),
                e => issue_failure(e),
            })?;
        // SAFETY: non-NULL, need ≤ buf_len ≤ isize::MAX checked above; writability of `buf_len`
        // bytes is the caller's contract.
        let out = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), need) };
        // Every bulk code is BULK_CODE_LEN ASCII characters (the core's encoding), so each
        // copy fills its slot exactly.
        for (slot, code) in out.chunks_exact_mut(BULK_CODE_LEN).zip(codes) {
            slot.copy_from_slice(code.as_bytes());
        }
        Ok(())
    })
}

/// A small number argument checked against its range (`0..=max`) before narrowing.
fn small_arg(v: u32, max: u8, name: &str) -> FfiResult<u8> {
    u8::try_from(v)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| Failure::arg(name, format!("{v} is out of range 0..={max}")))
}

/// An optional customer pseudonym: (NULL, 0) is none.
///
/// # Safety
/// `(customer, customer_len)` is (NULL, 0) or readable.
unsafe fn opt_customer<'a>(
    customer: *const c_char,
    customer_len: usize,
) -> FfiResult<Option<&'a str>> {
    if customer.is_null() && customer_len == 0 {
        return Ok(None);
    }
    // SAFETY: the caller's contract: readable (ptr, len).
    Ok(Some(unsafe {
        str_arg(customer, customer_len, "customer")
    }?))
}

/// Make an offline verifier from the till's key ring and campaign table.
///
/// \param key the key ring; every key of it is accepted (so codes signed before a rotation
///        still verify). Its state is copied: `key` may be freed afterwards.
/// \param campaigns the campaign table, a JSON array, position = campaign number, of names
///        (`"tet-2026"`) or `{"name": "zalo-spring", "expires": "2026-04-30"}` objects. Short
///        codes need their campaign's entry with its `expires` (the tag covers name and
///        expiry); serial codes only take the name from it (`[]`: campaigns named `#N`).
///        `campaigns_len` bytes.
/// \param campaigns_len its length in bytes.
/// \param[out] out receives the new verifier; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_INPUT` when `campaigns` is not such an array (or lists a name
///         twice, or more than 32 campaigns).
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
        let campaigns = campaigns_from(campaigns)?;
        *out = into_handle(o2o_verifier {
            verifier: Verifier::new(&key.ring, &campaigns),
            utc_offset_secs: 0,
        });
        Ok(())
    })
}

/// Set the UTC offset of the store whose tills use `verifier`: a code is valid through the end
/// of its last day in local time, so a till at UTC+7 (`25200`) refuses a code that expired on
/// the 31st from 00:00 local on the 1st. The default is 0 (UTC). Call it again when the store's
/// offset changes (daylight saving time).
///
/// \param verifier a verifier from `o2o_verifier_new`.
/// \param utc_offset_secs seconds east of UTC, -93599 to 93599 (±25:59:59).
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_ARGUMENT` when the
///         offset is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_verifier_set_utc_offset(
    verifier: *mut o2o_verifier,
    utc_offset_secs: i32,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used by another thread meanwhile.
        let v = unsafe { handle_mut(verifier, "verifier") }?;
        if day::local(0, utc_offset_secs).is_none() {
            return Err(Failure::arg(
                "utc_offset_secs",
                format!("{utc_offset_secs} s is not a UTC offset (at most ±25:59:59)"),
            ));
        }
        v.utc_offset_secs = utc_offset_secs;
        Ok(())
    })
}

/// The failure of a refused code: `O2O_STATUS_VOUCHER_REJECTED` with the stable reason first in
/// the message, or `O2O_STATUS_INVALID_ARGUMENT` for a customer pseudonym no code can carry.
fn rejected(r: &Rejection) -> Failure {
    match r {
        Rejection::InvalidCustomer { .. } => Failure::arg("customer", r),
        r => Failure::new(o2o_status::VoucherRejected, format!("{}: {r}", r.reason())),
    }
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
    // SAFETY: the caller's contract: readable (ptr, len) or (NULL, 0).
    let customer = unsafe { opt_customer(customer, customer_len) }?;
    let today = day::local(now, v.utc_offset_secs)
        .ok_or_else(|| Failure::arg("now", format!("{now} is not a representable time")))?;
    let verified = v
        .verifier
        .verify(code, today, customer)
        .map_err(|r: Rejection| rejected(&r))?;
    Ok((v, verified))
}

/// Verify a voucher code offline, any format: 16-character short codes and 20-character bulk
/// codes (expiry from the verifier's campaign table) and 21-character serial codes
/// (constant-time tag check, then expiry).
///
/// \param verifier a verifier from `o2o_verifier_new`.
/// \param code the code as typed or scanned (case-insensitive; `-` and spaces ignored;
///        `O`/`I`/`L` read as `0`/`1`/`1`), `code_len` bytes.
/// \param code_len its length in bytes.
/// \param now the current time, Unix seconds (the code is valid through its expiry day at the
///        store's UTC offset, `o2o_verifier_set_utc_offset`; UTC by default).
/// \param customer the customer's pseudonym for a personal code, `customer_len` bytes; may be
///        NULL (with `customer_len` 0) for an anonymous code.
/// \param customer_len its length in bytes.
/// \param[out] verified receives the verdict as JSON, the shape `o2o voucher verify` prints:
///        `{"campaign_name": "zalo-spring", "code": "…", "format": "short", "key_id": "…",
///        "valid": true, "voucher": {"campaign": 3, "voucher_type": 1, "expires": "2026-04-30",
///        "customer": "…"}}` (`"format": "bulk"` and `"serial"` codes also have `"serial": 7`;
///        `campaign_name` is null when the table does not name the campaign); `{NULL, 0}` on
///        failure. `o2o_voucher_check` gives the same verdict as a struct.
/// \return `O2O_STATUS_OK` for a genuine, unexpired code; `O2O_STATUS_VOUCHER_REJECTED`
///         otherwise, with `o2o_last_error()` starting with the reason: `malformed`,
///         `bad_check_character` (a typo), `unknown_key`, `unknown_campaign` (a short code whose
///         campaign has no entry with an expiry in the table), `customer_required`,
///         `bad_signature` (also: a short code issued under another campaign name or expiry than
///         the table says), `expired`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `now` is out of range or the customer pseudonym is
///         empty or longer than 128 bytes.
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
        let (h, v) = unsafe { verify_args(verifier, code, code_len, now, customer, customer_len) }?;
        let verdict = Verdict::new(Ok(v), h.verifier.campaigns());
        let json =
            serde_json::to_string(&verdict).map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *out = o2o_string::from_string(json);
        Ok(())
    })
}

/// Why a code was refused, as `o2o_voucher_verdict.reason` holds it: the stable reasons of
/// `o2o_voucher_verify`'s message, as numbers a till can `switch` on.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum o2o_voucher_reason {
    /// Genuine and unexpired.
    Valid = 0,
    /// Wrong length or a character outside Crockford base32.
    Malformed = 1,
    /// The check character does not match: a typo.
    BadCheckCharacter = 2,
    /// No key of the verifier has the code's key slot.
    UnknownKey = 3,
    /// A short code whose campaign has no entry with an expiry in the verifier's table.
    UnknownCampaign = 4,
    /// A personal code presented without the customer's pseudonym.
    CustomerRequired = 5,
    /// Forged, altered, bound to another customer, or issued under another campaign table.
    BadSignature = 6,
    /// Genuine but past its last valid day.
    Expired = 7,
}

/// The verdict on a code, for a till that branches on it without reading JSON.
///
/// Ownership: a plain value the caller allocates (on the stack); nothing to free.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct o2o_voucher_verdict {
    /// Whether the code is genuine and unexpired (`reason` is `O2O_VOUCHER_REASON_VALID`).
    pub valid: bool,
    /// An `o2o_voucher_reason` value.
    pub reason: u32,
    /// The campaign number (0–31) of a genuine code (valid or expired); 0 otherwise.
    pub campaign: u32,
    /// The voucher type (0–7) of a genuine code; 0 otherwise.
    pub voucher_type: u32,
    /// Last valid day of a genuine code as `YYYYMMDD` (e.g. 20260430); 0 otherwise.
    pub expires: u32,
    /// The serial of a genuine serial or bulk code; -1 for a short code or when not genuine.
    pub serial: i32,
}

impl o2o_voucher_verdict {
    const EMPTY: o2o_voucher_verdict = o2o_voucher_verdict {
        valid: false,
        reason: o2o_voucher_reason::Malformed as u32,
        campaign: 0,
        voucher_type: 0,
        expires: 0,
        serial: -1,
    };

    fn of(result: &Result<Verified, Rejection>) -> o2o_voucher_verdict {
        use o2o_voucher_reason as R;
        let (reason, voucher) = match result {
            Ok(v) => (R::Valid, Some(&v.voucher)),
            Err(Rejection::Expired { voucher, .. }) => (R::Expired, Some(voucher)),
            Err(Rejection::Malformed { .. } | Rejection::InvalidCustomer { .. }) => {
                (R::Malformed, None)
            }
            Err(Rejection::BadCheckCharacter) => (R::BadCheckCharacter, None),
            Err(Rejection::UnknownKey { .. }) => (R::UnknownKey, None),
            Err(Rejection::UnknownCampaign { .. }) => (R::UnknownCampaign, None),
            Err(Rejection::CustomerRequired) => (R::CustomerRequired, None),
            Err(Rejection::BadSignature) => (R::BadSignature, None),
            // A reason added to the core later: not a code this ABI version can name.
            Err(_) => (R::Malformed, None),
        };
        let mut out = o2o_voucher_verdict {
            valid: reason == R::Valid,
            reason: reason as u32,
            ..o2o_voucher_verdict::EMPTY
        };
        if let Some(v) = voucher {
            out.campaign = u32::from(v.campaign);
            out.voucher_type = u32::from(v.voucher_type);
            let (y, m, d) = v.expires.to_calendar_date();
            // A code's expiry is a year 2024–2035 date (serial) or a table date (short): four
            // digits; a negative year cannot occur, and would give 0 ("unknown").
            out.expires = u32::try_from(y).map_or(0, |y| {
                y * 10_000 + u32::from(u8::from(m)) * 100 + u32::from(d)
            });
            // A serial is at most 2²⁰ − 1 (bulk codes), so it fits an i32.
            out.serial = v.serial.and_then(|s| i32::try_from(s).ok()).unwrap_or(-1);
        }
        out
    }
}

/// Verify a code offline and return the verdict as a struct: the call a till makes to decide
/// (`if (verdict.valid)`, or `switch (verdict.reason)`). Same checks as `o2o_voucher_verify`,
/// but a refused code is a verdict, not a failure: the status is `O2O_STATUS_OK` whenever the
/// arguments were usable.
///
/// \param verifier a verifier from `o2o_verifier_new`.
/// \param code the code as typed or scanned, `code_len` bytes.
/// \param code_len its length in bytes.
/// \param now the current time, Unix seconds.
/// \param customer the customer's pseudonym for a personal code, or NULL (length 0).
/// \param customer_len its length in bytes.
/// \param[out] verdict receives the verdict; on a failure status it holds `valid` false,
///        reason `O2O_VOUCHER_REASON_MALFORMED` and zeros.
/// \return `O2O_STATUS_OK` (read `verdict->valid`); `O2O_STATUS_NULL_ARGUMENT`;
///         `O2O_STATUS_INVALID_UTF8`; `O2O_STATUS_INVALID_ARGUMENT` when `now` is out of range or
///         the customer pseudonym is empty or longer than 128 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_voucher_check(
    verifier: *const o2o_verifier,
    code: *const c_char,
    code_len: usize,
    now: i64,
    customer: *const c_char,
    customer_len: usize,
    verdict: *mut o2o_voucher_verdict,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `verdict` is NULL or writable.
        let out = unsafe { out_arg(verdict, "verdict", o2o_voucher_verdict::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let v = unsafe { handle_ref(verifier, "verifier") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let code = unsafe { str_arg(code, code_len, "code") }?;
        // SAFETY: the caller's contract: readable (ptr, len) or (NULL, 0).
        let customer = unsafe { opt_customer(customer, customer_len) }?;
        let today = day::local(now, v.utc_offset_secs)
            .ok_or_else(|| Failure::arg("now", format!("{now} is not a representable time")))?;
        let result = v.verifier.verify(code, today, customer);
        if let Err(r @ Rejection::InvalidCustomer { .. }) = &result {
            return Err(rejected(r));
        }
        *out = o2o_voucher_verdict::of(&result);
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
        let checkin = redemption_checkin(
            &verified,
            v.verifier.campaigns(),
            store,
            now,
            None,
            Vec::new(),
        );
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
