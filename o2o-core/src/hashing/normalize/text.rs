//! Free-text attributes: names, city, state, gender.
//!
//! Meta: lowercase, no punctuation, no spaces, UTF-8 letters kept ("Lowercase only with no
//! punctuation. If using special characters, the text must be encoded in UTF-8"; Meta's own
//! Custom Audience normalisers also drop spaces). Google and TikTok: trimmed and lowercased.
//! Text is expected in NFC (precomposed) form; it is not re-composed here.

use super::email::push_lower;
use super::{NormalizeError, Platform, packed_lookup, tables};
use crate::event::IdKind;

/// Push the lowercase letters (and combining marks) of `v` onto `out`, dropping everything else.
fn push_letters(v: &str, out: &mut String) {
    for c in v.chars() {
        if c.is_alphabetic() || is_mark(c) {
            out.extend(c.to_lowercase());
        }
    }
}

/// Combining diacritical marks (decomposed Vietnamese, for instance) belong to the letter before.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}')
}

/// First or last name.
pub(super) fn name(
    kind: IdKind,
    v: &str,
    profile: Platform,
    out: &mut String,
) -> Result<(), NormalizeError> {
    if v.chars().any(|c| c.is_numeric()) {
        return Err(NormalizeError::invalid(kind, "a name has no digits"));
    }
    if !v.chars().any(char::is_alphabetic) {
        return Err(NormalizeError::invalid(kind, "no letters"));
    }
    match profile {
        Platform::Meta => push_letters(v, out),
        Platform::Google | Platform::Tiktok => push_lower(v, out),
    }
    Ok(())
}

/// City: lowercase letters only (no punctuation, digits or spaces), all profiles.
pub(super) fn city(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    push_letters(v, out);
    if out.is_empty() {
        return Err(NormalizeError::invalid(IdKind::City, "no letters"));
    }
    Ok(())
}

/// State: US state names become their two-letter code; otherwise lowercase letters only.
pub(super) fn state(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    push_letters(v, out);
    if out.is_empty() {
        return Err(NormalizeError::invalid(IdKind::State, "no letters"));
    }
    if let Some(code) = packed_lookup(tables::US_STATES, tables::US_STATE_ENDS, out) {
        out.clear();
        push_lower(code, out);
    }
    Ok(())
}

/// Gender: `f` or `m` from the usual words (English, Vietnamese, French, German, Spanish).
pub(super) fn gender(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    let mut buf = String::with_capacity(v.len());
    push_letters(v, &mut buf);
    let g = match buf.as_str() {
        "f" | "female" | "woman" | "w" | "girl" | "nữ" | "nu" | "femme" | "frau" | "weiblich"
        | "mujer" | "femenino" => "f",
        "m" | "male" | "man" | "boy" | "nam" | "homme" | "mann" | "männlich" | "hombre"
        | "masculino" => "m",
        _ => {
            return Err(NormalizeError::invalid(
                IdKind::Gender,
                "expected f/female or m/male",
            ));
        }
    };
    out.push_str(g);
    Ok(())
}
