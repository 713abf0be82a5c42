//! Identifiers that are not ad-platform customer information in the strict sense: CRM ids,
//! loyalty cards and device ids.

use super::email::push_lower;
use super::{NormalizeError, Platform};
use crate::event::IdKind;

/// External (CRM/POS) id: trimmed; under the Meta profile also lowercased, as the Meta SDK does
/// (Meta documents no other rule). Google and TikTok keep the case: an id is the advertiser's own.
pub(super) fn external_id(
    v: &str,
    profile: Platform,
    out: &mut String,
) -> Result<(), NormalizeError> {
    if profile == Platform::Meta {
        push_lower(v, out);
    } else {
        out.push_str(v);
    }
    Ok(())
}

/// Loyalty card number: spaces and dashes removed, ASCII letters uppercased (cards are printed in
/// uppercase and read back by staff in any case; `lc 0012-3456` and `LC00123456` are one card).
/// Only ASCII letters and digits are allowed.
pub(super) fn loyalty_card(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    printed_code(IdKind::LoyaltyCard, v, out)
}

/// Voucher code: as typed at a till, so spaces and dashes dropped and letters uppercased
/// (`zl-00ab 12cd` → `ZL00AB12CD`); anything else is an error.
pub(super) fn voucher_code(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    printed_code(IdKind::VoucherCode, v, out)
}

/// A code printed on a card or a voucher and read back by staff: ASCII letters and digits kept
/// (letters uppercased), spaces and dashes dropped, anything else an error naming `kind`.
fn printed_code(kind: IdKind, v: &str, out: &mut String) -> Result<(), NormalizeError> {
    for c in v.chars() {
        match c {
            ' ' | '-' | '\u{a0}' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => {
                return Err(NormalizeError::invalid(
                    kind,
                    "only letters A-Z, digits, spaces and dashes are allowed",
                ));
            }
        }
    }
    Ok(())
}

/// Device id: trimmed. A UUID (mobile ad id, IDFA/GAID, most cookie ids) is lowercased into the
/// canonical 8-4-4-4-12 hyphenated form; any other id (e.g. `_fbp` cookie values) is kept as is,
/// because its case may be significant. Whitespace inside the id is an error.
pub(super) fn device_id(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    if v.chars().any(char::is_whitespace) {
        return Err(NormalizeError::invalid(
            IdKind::DeviceId,
            "contains whitespace",
        ));
    }
    let b = v.as_bytes();
    let is_uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if is_uuid {
        push_lower(v, out);
    } else {
        out.push_str(v);
    }
    Ok(())
}

/// A hashed identifier (`email_sha256`, `phone_sha256`): 64 hex digits, lowercased. Nothing else
/// is accepted: a raw value in a hashed column is an error, never hashed here, because which
/// platform's normalisation made the hash is unknown.
pub(super) fn sha256_hex(kind: IdKind, v: &str, out: &mut String) -> Result<(), NormalizeError> {
    if v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NormalizeError::invalid(
            kind,
            "not a SHA-256 (64 hexadecimal digits)",
        ));
    }
    push_lower(v, out);
    Ok(())
}
