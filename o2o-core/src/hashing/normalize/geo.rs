//! Postal codes and countries.

use super::{NormalizeError, NormalizeOptions, country_by_alpha2, packed_lookup, tables};
use crate::event::IdKind;

/// Zip / postal code: lowercase, spaces and dashes removed; a US ZIP+4 (`94025-1234`, or nine
/// digits when the default country is the US) keeps its first five digits, as Meta documents.
pub(super) fn zip(
    v: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    let b = v.as_bytes();
    let zip_plus4 = b.len() == 10
        && b[5] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 5 || c.is_ascii_digit());
    for c in v.chars() {
        match c {
            ' ' | '-' | '\u{a0}' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => {
                return Err(NormalizeError::invalid(
                    IdKind::Zip,
                    "only letters, digits, spaces and dashes are allowed",
                ));
            }
        }
    }
    if out.len() < 2 || out.len() > 10 {
        return Err(NormalizeError::invalid(
            IdKind::Zip,
            "expected 2 to 10 letters or digits",
        ));
    }
    let us = opts
        .default_country
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("US"));
    if zip_plus4 || (us && out.len() == 9 && out.bytes().all(|c| c.is_ascii_digit())) {
        out.truncate(5);
    }
    Ok(())
}

/// Country: lowercase ISO 3166-1 alpha-2, from an alpha-2 or alpha-3 code or an English name
/// ("United States", "Viet Nam", "UK").
pub(super) fn country(v: &str, out: &mut String) -> Result<(), NormalizeError> {
    let found = lookup(v).ok_or(NormalizeError::invalid(
        IdKind::Country,
        "not an ISO 3166-1 code or a known country name",
    ))?;
    for b in found.bytes() {
        out.push(char::from(b.to_ascii_lowercase()));
    }
    Ok(())
}

fn lookup(v: &str) -> Option<&'static str> {
    if v.len() == 2
        && v.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some(c) = country_by_alpha2(v)
    {
        return Some(c.alpha2());
    }
    if v.len() == 3
        && v.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some(c) = tables::COUNTRIES
            .iter()
            .find(|c| c.alpha3().eq_ignore_ascii_case(v))
    {
        return Some(c.alpha2());
    }
    let key: String = v
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    packed_lookup(tables::COUNTRY_NAMES, tables::COUNTRY_NAME_ENDS, &key)
}
