//! Recording a store check-in from C: build a `CheckIn` event field by field, then serialise it
//! as one NDJSON line, exactly the line every o2o reader and command accepts.

use crate::args::{finite_arg, handle_mut, handle_ref, out_arg, str_arg};
use crate::boundary::{boundary, boundary_or};
use crate::buffers::o2o_string;
use crate::consent::o2o_consent;
use crate::handle::{free_handle, into_handle};
use crate::status::{Failure, o2o_status};
use o2o_core::event::{CheckIn, CheckInMethod, Event, IdKind, Identifier, Item, write_ndjson};
use std::ffi::c_char;

/// A check-in being recorded. Opaque.
///
/// Ownership: Box-owned; made by `o2o_checkin_new`, freed by `o2o_checkin_free`. Not safe to
/// mutate from two threads at once.
#[derive(Debug)]
pub struct o2o_checkin {
    pub(crate) checkin: CheckIn,
}

/// Start a check-in.
///
/// \param method how the customer was recognised: `"qr_scan"`, `"wifi_join"`, `"pos_purchase"`,
///        `"crm_visit"`, `"product_qr"` or `"voucher_redemption"` (`method_len` bytes).
/// \param method_len its length in bytes.
/// \param store the store id (`store_len` bytes of UTF-8).
/// \param store_len its length in bytes.
/// \param timestamp when, in Unix seconds (UTC).
/// \param[out] out receives the new handle; NULL on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `method` is not a check-in method.
/// \warning the caller owns `*out` and frees it with `o2o_checkin_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_new(
    method: *const c_char,
    method_len: usize,
    store: *const c_char,
    store_len: usize,
    timestamp: i64,
    out: *mut *mut o2o_checkin,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `out` is NULL or writable.
        let out = unsafe { out_arg(out, "out", std::ptr::null_mut()) }?;
        // SAFETY: the caller's contract: each (ptr, len) pair is readable.
        let method = unsafe { str_arg(method, method_len, "method") }?;
        // SAFETY: as above.
        let store = unsafe { str_arg(store, store_len, "store") }?;
        let method: CheckInMethod = method.parse().map_err(|e| Failure::arg("method", e))?;
        *out = into_handle(o2o_checkin {
            checkin: CheckIn {
                id: None,
                method,
                store: store.to_owned(),
                region: None,
                timestamp,
                value: None,
                currency: None,
                items: Vec::new(),
                campaign: None,
                voucher: None,
                identifiers: Vec::new(),
                consent: None,
                channel: None,
                tracking: None,
            },
        });
        Ok(())
    })
}

/// Set one optional text field of a check-in: the body shared by the `o2o_checkin_set_*` text
/// setters (cbindgen does not expand macros, so each export is written out).
///
/// # Safety
/// The export's contract: `checkin` a live handle not used concurrently, `(text, text_len)`
/// readable.
unsafe fn set_text(
    checkin: *mut o2o_checkin,
    text: *const c_char,
    text_len: usize,
    field: fn(&mut CheckIn) -> &mut Option<String>,
) -> o2o_status {
    boundary(|| {
        // SAFETY: forwarded contract.
        let checkin = unsafe { handle_mut(checkin, "checkin") }?;
        // SAFETY: forwarded contract.
        let text = unsafe { str_arg(text, text_len, "text") }?;
        *field(&mut checkin.checkin) = Some(text.to_owned());
        Ok(())
    })
}

/// Set the event id from the source system (a POS receipt number).
///
/// \param checkin the check-in to change.
/// \param text the value, `text_len` bytes of UTF-8; replaces any previous value.
/// \param text_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_id(
    checkin: *mut o2o_checkin,
    text: *const c_char,
    text_len: usize,
) -> o2o_status {
    // SAFETY: the export's contract is `set_text`'s.
    unsafe { set_text(checkin, text, text_len, |c| &mut c.id) }
}

/// Set the region of the store.
///
/// \param checkin the check-in to change.
/// \param text the value, `text_len` bytes of UTF-8; replaces any previous value.
/// \param text_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_region(
    checkin: *mut o2o_checkin,
    text: *const c_char,
    text_len: usize,
) -> o2o_status {
    // SAFETY: the export's contract is `set_text`'s.
    unsafe { set_text(checkin, text, text_len, |c| &mut c.region) }
}

/// Set the campaign the check-in carries (a redeemed voucher names its campaign).
///
/// \param checkin the check-in to change.
/// \param text the value, `text_len` bytes of UTF-8; replaces any previous value.
/// \param text_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_campaign(
    checkin: *mut o2o_checkin,
    text: *const c_char,
    text_len: usize,
) -> o2o_status {
    // SAFETY: the export's contract is `set_text`'s.
    unsafe { set_text(checkin, text, text_len, |c| &mut c.campaign) }
}

/// Set the voucher code redeemed (for `voucher_redemption`).
///
/// \param checkin the check-in to change.
/// \param text the value, `text_len` bytes of UTF-8; replaces any previous value.
/// \param text_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_voucher(
    checkin: *mut o2o_checkin,
    text: *const c_char,
    text_len: usize,
) -> o2o_status {
    // SAFETY: the export's contract is `set_text`'s.
    unsafe { set_text(checkin, text, text_len, |c| &mut c.voucher) }
}

/// Set the purchase value and its ISO 4217 currency.
///
/// \param checkin the check-in to change.
/// \param value the order value; must be finite.
/// \param currency e.g. `"VND"`, `currency_len` bytes of UTF-8.
/// \param currency_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `value` is NaN or infinite.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_value(
    checkin: *mut o2o_checkin,
    value: f64,
    currency: *const c_char,
    currency_len: usize,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let checkin = unsafe { handle_mut(checkin, "checkin") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let currency = unsafe { str_arg(currency, currency_len, "currency") }?;
        let value = finite_arg(value, "value")?;
        checkin.checkin.value = Some(value);
        checkin.checkin.currency = Some(currency.to_owned());
        Ok(())
    })
}

/// Add a purchase line.
///
/// \param checkin the check-in to change.
/// \param sku the stock-keeping unit, `sku_len` bytes of UTF-8.
/// \param sku_len its length in bytes.
/// \param quantity units bought.
/// \param price unit price; must be finite.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `price` is NaN or infinite.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_add_item(
    checkin: *mut o2o_checkin,
    sku: *const c_char,
    sku_len: usize,
    quantity: u32,
    price: f64,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let checkin = unsafe { handle_mut(checkin, "checkin") }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let sku = unsafe { str_arg(sku, sku_len, "sku") }?;
        let price = finite_arg(price, "price")?;
        checkin.checkin.items.push(Item {
            sku: sku.to_owned(),
            quantity,
            price,
        });
        Ok(())
    })
}

/// Add an identifier seen with the check-in, raw as captured (normalising and hashing happen
/// downstream, under consent).
///
/// \param checkin the check-in to change.
/// \param kind the identifier kind: `"email"`, `"phone"`, `"loyalty_card"`, `"external_id"`,
///        `"device_id"`, `"mac"`, `"ip"`, … (`kind_len` bytes).
/// \param kind_len its length in bytes.
/// \param value the value as typed or scanned, `value_len` bytes of UTF-8.
/// \param value_len its length in bytes.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when `kind` is not an identifier kind.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_add_identifier(
    checkin: *mut o2o_checkin,
    kind: *const c_char,
    kind_len: usize,
    value: *const c_char,
    value_len: usize,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: a live handle, not used concurrently.
        let checkin = unsafe { handle_mut(checkin, "checkin") }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let kind = unsafe { str_arg(kind, kind_len, "kind") }?;
        // SAFETY: as above.
        let value = unsafe { str_arg(value, value_len, "value") }?;
        let kind: IdKind = kind.parse().map_err(|e| Failure::arg("kind", e))?;
        checkin
            .checkin
            .identifiers
            .push(Identifier::new(kind, value));
        Ok(())
    })
}

/// Attach (a copy of) the customer's consent signals to the check-in.
///
/// \param checkin the check-in to change.
/// \param consent the signals; copied, so it may be freed right after.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_set_consent(
    checkin: *mut o2o_checkin,
    consent: *const o2o_consent,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: live handles, `checkin` not used concurrently.
        let checkin = unsafe { handle_mut(checkin, "checkin") }?;
        // SAFETY: as above.
        let consent = unsafe { handle_ref(consent, "consent") }?;
        checkin.checkin.consent = Some(consent.signals.clone());
        Ok(())
    })
}

/// The check-in as one NDJSON line (`{"type":"checkin",…}` followed by `\n`), ready to append
/// to an events file that `o2o` reads.
///
/// \param checkin the check-in.
/// \param[out] line receives the line, newline included; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`.
/// \warning the caller owns `*line` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_to_ndjson(
    checkin: *const o2o_checkin,
    line: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `line` is NULL or writable.
        let line = unsafe { out_arg(line, "line", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: a live handle.
        let checkin = unsafe { handle_ref(checkin, "checkin") }?;
        let event = Event::CheckIn(checkin.checkin.clone());
        let mut buf = Vec::new();
        write_ndjson([&event], &mut buf).map_err(|e| Failure::new(o2o_status::Internal, e))?;
        let text = String::from_utf8(buf).map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *line = o2o_string::from_string(text);
        Ok(())
    })
}

/// Free a check-in.
///
/// \param checkin the handle; NULL is a no-op.
/// \pre `checkin` came from `o2o_checkin_new` and was not freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_checkin_free(checkin: *mut o2o_checkin) {
    // SAFETY: the caller's contract (\pre).
    boundary_or((), || unsafe { free_handle(checkin) })
}
