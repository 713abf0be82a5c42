//! Phone numbers: E.164 digits. Meta wants them without `+` ("digits only with country code"),
//! Google and TikTok with it (`+84912345678`).
//!
//! The input may carry separators (spaces, `-`, `.`, `/`, parentheses), an international prefix
//! (`+` or `00`), a trunk prefix (`0912…` in Vietnam, `(0)` after `+44` in the UK). A number with no
//! international prefix is read as a national number of the default country when it starts with
//! that country's trunk prefix, otherwise first as an international number (Meta's own output is
//! digits with the country code and no `+`, so it must re-normalise to itself), then as a
//! national one. Under [`PhoneCheck::Possible`](crate::hashing::PhoneCheck) a number that is
//! only possible (not valid) for its country code comes after every valid reading, so Meta's
//! `+`-less form of such a number may read again as a valid national number of the default
//! country: give it back with its `+` to re-read it as E.164.
//!
//! Validation: with the `phone` feature, libphonenumber's metadata (the `phonenumber` crate) says
//! whether the number is valid for its country (junk like `0000000000` is rejected). Without it (the
//! WASM web tag), a compact table of calling codes, trunk prefixes and national-number lengths is
//! used: it checks the country code and the length, not the number ranges, so it accepts some
//! numbers libphonenumber rejects (e.g. an unassigned range of the right length).

#[cfg(feature = "phone")]
mod compiled;
#[cfg(all(test, feature = "phone"))]
mod tests;

use super::tables::{COUNTRIES, Country, PHONE_PREFIXES, PREFIX_ROW};
use super::{NormalizeError, NormalizeOptions, PhoneCheck, Platform, default_country};
use crate::event::IdKind;
use std::borrow::Cow;
use std::sync::LazyLock;

const KIND: IdKind = IdKind::Phone;
/// E.164 allows 15 digits; with a trunk or `00` prefix the raw input may have a few more.
const MAX_DIGITS: usize = 18;

fn err(reason: &'static str) -> NormalizeError {
    NormalizeError::invalid(KIND, reason)
}

/// The digits of a phone number and whether it had an international prefix.
struct Digits {
    buf: [u8; MAX_DIGITS],
    len: usize,
    international: bool,
}

impl Digits {
    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so the bytes are valid UTF-8.
        std::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

fn clean(v: &str) -> Result<Digits, NormalizeError> {
    let mut d = Digits {
        buf: [0; MAX_DIGITS],
        len: 0,
        international: false,
    };
    let bytes = v.as_bytes();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' => {
                if d.len >= MAX_DIGITS {
                    return Err(err("too many digits"));
                }
                d.buf[d.len] = c;
                d.len += 1;
            }
            b'+' if d.len == 0 && !d.international => d.international = true,
            b'+' => return Err(err("`+` is only allowed before the country code")),
            // `(0)`: the UK-style trunk prefix written inside an international number.
            b'(' if d.len > 0
                && bytes.get(i + 1) == Some(&b'0')
                && bytes.get(i + 2) == Some(&b')') =>
            {
                let intl = d.international || d.bytes().starts_with(b"00");
                if !intl {
                    if d.len + 1 > MAX_DIGITS {
                        return Err(err("too many digits"));
                    }
                    d.buf[d.len] = b'0';
                    d.len += 1;
                }
                i += 2;
            }
            b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'\t' => {}
            _ if c.is_ascii_alphabetic() => return Err(err("contains letters")),
            _ if !c.is_ascii() => {
                // U+00A0 and other Unicode spaces are separators; anything else is not a phone.
                let ch = v.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
                if !ch.is_whitespace() && ch != '\u{2011}' && ch != '\u{2013}' {
                    return Err(err("unexpected character"));
                }
                i += ch.len_utf8() - 1;
            }
            _ => return Err(err("unexpected character")),
        }
        i += 1;
    }
    if !d.international && d.bytes().starts_with(b"00") {
        d.international = true;
        d.buf.copy_within(2..d.len, 0);
        d.len -= 2;
    }
    if d.len < 4 {
        return Err(err("too few digits"));
    }
    Ok(d)
}

/// Write the normalised phone number.
pub(super) fn normalize(
    v: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    normalize_with::<true>(v, opts, out)
}

/// [`normalize`], with the compiled-metadata fast path (`FAST`) or through the full
/// libphonenumber parse only (the reference the equivalence tests compare with). Without the
/// `phone` feature there is one path and `FAST` is ignored.
fn normalize_with<const FAST: bool>(
    v: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    let country = country_of(opts)?;
    let d = clean(v)?;
    let digits = d.as_str();
    let e164 = if d.international {
        match international::<FAST>(digits) {
            Some(f) => f,
            None => possible_fallback(&d, None, opts)
                .ok_or(err("not a valid number for its country code"))?,
        }
    } else {
        match country {
            None => {
                if digits.starts_with('0') {
                    return Err(err("no country code and no default country"));
                }
                match international::<FAST>(digits) {
                    Some(f) => f,
                    None => possible_fallback(&d, None, opts).ok_or(err(
                        "no valid country code (and no default country to read it as a national number)",
                    ))?,
                }
            }
            Some(c) => {
                let trunk_first = !c.trunk().is_empty() && digits.starts_with(c.trunk());
                let found = if trunk_first {
                    national::<FAST>(digits, c).or_else(|| international::<FAST>(digits))
                } else {
                    international::<FAST>(digits).or_else(|| national::<FAST>(digits, c))
                };
                match found {
                    Some(f) => f,
                    None => possible_fallback(&d, Some(c), opts).ok_or(err(
                        "not a valid number, neither national for the default country nor international",
                    ))?,
                }
            }
        }
    };
    if opts.profile != Platform::Meta {
        out.push('+');
    }
    e164.push_to(out);
    Ok(())
}

/// Under [`PhoneCheck::Possible`], a number the validity check refused, read again by length
/// alone (`None` under [`PhoneCheck::Valid`]). Valid numbers never come here, so the valid path
/// costs what it did.
fn possible_fallback<'a>(
    d: &'a Digits,
    country: Option<&Country>,
    opts: &NormalizeOptions,
) -> Option<Found<'a>> {
    if opts.phone != PhoneCheck::Possible {
        return None;
    }
    let digits = d.as_str();
    let found = match country {
        Some(c) if !d.international => {
            let trunk_first = !c.trunk().is_empty() && digits.starts_with(c.trunk());
            if trunk_first {
                possible::national(digits, c).or_else(|| possible::international(digits))
            } else {
                possible::international(digits).or_else(|| possible::national(digits, c))
            }
        }
        _ => possible::international(digits),
    };
    found.map(Found::owned)
}

/// Possible numbers: the country code and the national number's length (libphonenumber's
/// possible lengths over the country's number types), not the ranges in use.
mod possible {
    use super::{COUNTRIES, Country};

    /// (shortest, longest) national significant number over the countries sharing `code`.
    fn lengths(code: u16) -> Option<(usize, usize)> {
        COUNTRIES
            .iter()
            .filter(|c| c.calling_code == code)
            .map(|c| (usize::from(c.min_len), usize::from(c.max_len)))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }

    /// The trunk prefix of the countries sharing `code` (`""` when they dial none).
    fn trunk(code: u16) -> &'static str {
        COUNTRIES
            .iter()
            .find(|c| c.calling_code == code && !c.trunk().is_empty())
            .map_or("", |c| c.trunk())
    }

    /// Whether `nsn` is a possible national number under calling code `code`: its length, and
    /// no leading trunk digit where the country dials one (`+84 0…` is a typo, not a number).
    fn fits(code: u16, nsn: &str) -> bool {
        let Some((lo, hi)) = lengths(code) else {
            return false;
        };
        let t = trunk(code);
        nsn.len() >= lo && nsn.len() <= hi && (t.is_empty() || !nsn.starts_with(t))
    }

    /// E.164 digits of a possible international number (calling code + national number).
    pub(super) fn international(digits: &str) -> Option<String> {
        if digits.starts_with('0') || digits.len() > 16 {
            return None;
        }
        // Calling codes are prefix-free (ITU E.164), so at most one of 1..=3 digits matches.
        (1..=3).find_map(|n| {
            let (cc, rest) = (digits.get(..n)?, digits.get(n..)?);
            let code: u16 = cc.parse().ok()?;
            lengths(code)?;
            if fits(code, rest) && digits.len() <= 15 {
                return Some(digits.to_owned());
            }
            // A trunk prefix written after the country code (`+84 0912…`) is dropped.
            let t = trunk(code);
            let nsn = rest.strip_prefix(t).filter(|_| !t.is_empty())?;
            (fits(code, nsn) && cc.len() + nsn.len() <= 15).then(|| format!("{cc}{nsn}"))
        })
    }

    /// E.164 digits of a possible national number of `country`, trunk prefix removed.
    pub(super) fn national(digits: &str, country: &Country) -> Option<String> {
        if country.calling_code == 0 {
            return None;
        }
        let nsn = if country.trunk().is_empty() {
            digits
        } else {
            digits.strip_prefix(country.trunk()).unwrap_or(digits)
        };
        let ok = nsn.len() >= usize::from(country.min_len)
            && nsn.len() <= usize::from(country.max_len)
            && (country.trunk().is_empty() || !nsn.starts_with(country.trunk()))
            && usize::from(country.calling_code).to_string().len() + nsn.len() <= 15;
        ok.then(|| format!("{}{nsn}", country.calling_code))
    }
}

/// [`default_country`] through a table indexed by the two letters, falling back to it for
/// anything but two letters of a known country (so the same errors): its binary search with
/// string comparisons cost a third of a national number's normalisation.
fn country_of(opts: &NormalizeOptions) -> Result<Option<&'static Country>, NormalizeError> {
    /// `COUNTRIES` index + 1 by `(a - 'A') * 26 + (b - 'A')`; 0: no country.
    static BY_LETTERS: LazyLock<[u16; 676]> = LazyLock::new(|| {
        let mut t = [0u16; 676];
        for (i, c) in COUNTRIES.iter().enumerate() {
            if let (Some(slot), Ok(i)) = (letters_slot(c.alpha2().as_bytes()), u16::try_from(i + 1))
                && let Some(e) = t.get_mut(slot)
            {
                *e = i;
            }
        }
        t
    });
    let found = opts
        .default_country
        .as_deref()
        .and_then(|cc| letters_slot(cc.as_bytes()))
        .and_then(|slot| BY_LETTERS.get(slot))
        .and_then(|&i| COUNTRIES.get(usize::from(i).checked_sub(1)?));
    match found {
        Some(c) => Ok(Some(c)),
        None => default_country(opts),
    }
}

/// The table slot of a two-letter code in any case.
fn letters_slot(code: &[u8]) -> Option<usize> {
    let &[a, b] = code else { return None };
    let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
    (a.is_ascii_uppercase() && b.is_ascii_uppercase())
        .then(|| usize::from(a - b'A') * 26 + usize::from(b - b'A'))
}

/// E.164 digits (no `+`) found by a look-up: on the stack from the fast path, or a string
/// from the full parse or the compact tables.
enum Found<'a> {
    #[cfg(feature = "phone")]
    Fast(compiled::E164<'a>),
    Text(Cow<'a, str>),
}

impl Found<'_> {
    fn push_to(&self, out: &mut String) {
        match self {
            #[cfg(feature = "phone")]
            Found::Fast(e) => e.push_to(out),
            Found::Text(s) => out.push_str(s),
        }
    }

    fn owned(s: String) -> Self {
        Found::Text(Cow::Owned(s))
    }
}

/// E.164 digits (no `+`) of an international number, or `None` if not valid.
#[cfg(feature = "phone")]
fn international<const FAST: bool>(digits: &str) -> Option<Found<'_>> {
    if FAST {
        #[cfg(test)]
        tests::count_lookup();
        match compiled::international(digits) {
            compiled::Outcome::Valid(e) => return Some(Found::Fast(e)),
            compiled::Outcome::Invalid => return None,
            compiled::Outcome::Unsure => {}
        }
        #[cfg(test)]
        tests::count_fallback();
    }
    full_international(digits).map(Found::owned)
}

/// E.164 digits (no `+`) of a national number of `country`, or `None` if not valid.
#[cfg(feature = "phone")]
fn national<'a, const FAST: bool>(digits: &'a str, country: &Country) -> Option<Found<'a>> {
    if FAST {
        #[cfg(test)]
        tests::count_lookup();
        match compiled::national(digits, country.alpha2()) {
            compiled::Outcome::Valid(e) => return Some(Found::Fast(e)),
            compiled::Outcome::Invalid => return None,
            compiled::Outcome::Unsure => {}
        }
        #[cfg(test)]
        tests::count_fallback();
    }
    full_national(digits, country).map(Found::owned)
}

/// [`international`] through `phonenumber::parse` and `is_valid`.
#[cfg(feature = "phone")]
fn full_international(digits: &str) -> Option<String> {
    if digits.starts_with('0') {
        return None;
    }
    let mut s = String::with_capacity(digits.len() + 1);
    s.push('+');
    s.push_str(digits);
    let n = phonenumber::parse(None, &s).ok()?;
    e164_digits(&n)
}

/// [`national`] through `phonenumber::parse` and `is_valid`.
#[cfg(feature = "phone")]
fn full_national(digits: &str, country: &Country) -> Option<String> {
    let id: phonenumber::country::Id = country.alpha2().parse().ok()?;
    let n = phonenumber::parse(Some(id), digits).ok()?;
    e164_digits(&n)
}

#[cfg(feature = "phone")]
fn e164_digits(n: &phonenumber::PhoneNumber) -> Option<String> {
    if !phonenumber::is_valid(n) {
        return None;
    }
    let s = n.format().mode(phonenumber::Mode::E164).to_string();
    let s = s.strip_prefix('+').unwrap_or(&s).to_owned();
    (s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// Fallback: calling code by longest prefix, national number length checked against the table.
#[cfg(not(feature = "phone"))]
fn international<const FAST: bool>(digits: &str) -> Option<Found<'_>> {
    fallback::international(digits).map(Found::owned)
}

#[cfg(not(feature = "phone"))]
fn national<'a, const FAST: bool>(digits: &'a str, country: &Country) -> Option<Found<'a>> {
    fallback::national(digits, country).map(Found::owned)
}

/// The compact built-in rules used without the `phone` feature (and tested against
/// libphonenumber with it).
#[cfg_attr(feature = "phone", allow(dead_code))]
pub(crate) mod fallback {
    use super::{COUNTRIES, Country, PHONE_PREFIXES, PREFIX_ROW};

    /// (shortest, longest) national significant number over the countries sharing `code`.
    fn lengths(code: u16) -> Option<(usize, usize)> {
        COUNTRIES
            .iter()
            .filter(|c| c.calling_code == code)
            .map(|c| (usize::from(c.min_len), usize::from(c.max_len)))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }

    /// Whether some valid number of `COUNTRIES[index]` starts with the first three digits of
    /// `nsn` (libphonenumber's number-type patterns, see `scripts/gen/hashing_tables.py`).
    /// Shorter numbers are not checked.
    fn prefix_in_use(index: usize, nsn: &str) -> bool {
        let Some(p) = nsn.get(..3).and_then(|p| p.parse::<usize>().ok()) else {
            return true;
        };
        let byte = index * PREFIX_ROW + p / 8;
        PHONE_PREFIXES
            .get(byte)
            .is_none_or(|b| b >> (p % 8) & 1 == 1)
    }

    /// Whether any country with calling code `code` has `nsn`'s prefix in use.
    fn prefix_in_use_for_code(code: u16, nsn: &str) -> bool {
        COUNTRIES
            .iter()
            .enumerate()
            .any(|(i, c)| c.calling_code == code && prefix_in_use(i, nsn))
    }

    /// E.164 digits of an international number (calling code + national number).
    pub(crate) fn international(digits: &str) -> Option<String> {
        if digits.starts_with('0') || digits.len() > 16 {
            return None;
        }
        // Calling codes are prefix-free (ITU E.164), so at most one of 1..=3 digits matches.
        (1..=3).find_map(|n| {
            let (cc, rest) = (digits.get(..n)?, digits.get(n..)?);
            let code: u16 = cc.parse().ok()?;
            let (lo, hi) = lengths(code)?;
            let ok =
                |nsn: &str| nsn.len() >= lo && nsn.len() <= hi && prefix_in_use_for_code(code, nsn);
            if ok(rest) && digits.len() <= 15 {
                return Some(digits.to_owned());
            }
            // A trunk prefix written after the country code (`+84 0912…`, `+44 020…`) is
            // dropped, as libphonenumber does.
            let trunk = COUNTRIES
                .iter()
                .find(|c| c.calling_code == code && !c.trunk().is_empty())
                .map(|c| c.trunk())?;
            let nsn = rest.strip_prefix(trunk)?;
            (ok(nsn) && cc.len() + nsn.len() <= 15).then(|| format!("{cc}{nsn}"))
        })
    }

    /// E.164 digits of a national number of `country`, trunk prefix removed.
    pub(crate) fn national(digits: &str, country: &Country) -> Option<String> {
        if country.calling_code == 0 {
            return None;
        }
        let nsn = if country.trunk().is_empty() {
            digits
        } else {
            digits.strip_prefix(country.trunk()).unwrap_or(digits)
        };
        // Valid for any country of the calling code, as libphonenumber's `is_valid` (a
        // Canadian number dialled with a US default is a valid +1 number).
        let ok = nsn.len() >= usize::from(country.min_len)
            && nsn.len() <= usize::from(country.max_len)
            && (country.trunk().is_empty() || !nsn.starts_with('0'))
            && prefix_in_use_for_code(country.calling_code, nsn);
        ok.then(|| format!("{}{nsn}", country.calling_code))
    }
}
