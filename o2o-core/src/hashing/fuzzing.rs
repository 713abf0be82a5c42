//! The invariants the `normalize` fuzz target checks, shared with the test that replays saved
//! fuzz inputs (`o2o-core/tests/fuzz_regressions.rs`), so both check exactly the same things.

use super::{Hasher, NormalizeOptions, Origin, Platform, is_prehashed, normalize};
use crate::event::IdKind;

/// Decode a fuzz input (byte 0: kind, byte 1: profile, byte 2: default country and IP
/// truncation, the rest: the value as UTF-8) and check: no panic; an `Ok` output is non-empty and
/// re-normalises to itself; a value that does not normalise is never hashed (only a pre-hashed
/// value passes through). Returns what was violated.
///
/// ```
/// assert!(o2o_core::hashing::fuzzing::check(b"\x02\x00\x00Ann@Example.com").is_ok());
/// ```
pub fn check(data: &[u8]) -> Result<(), String> {
    let [k, p, c, rest @ ..] = data else {
        return Ok(());
    };
    let Ok(value) = std::str::from_utf8(rest) else {
        return Ok(());
    };
    let kind = IdKind::ALL[usize::from(*k) % IdKind::ALL.len()];
    let profile = Platform::ALL[usize::from(*p) % Platform::ALL.len()];
    let countries = [
        None,
        Some("VN"),
        Some("US"),
        Some("GB"),
        Some("DE"),
        Some("zz"),
    ];
    let opts = NormalizeOptions {
        profile,
        default_country: countries[usize::from(*c & 0x7f) % countries.len()].map(str::to_owned),
        ip_truncate: *c & 0x80 != 0,
        phone: if *c & 0x40 != 0 {
            crate::hashing::PhoneCheck::Possible
        } else {
            crate::hashing::PhoneCheck::Valid
        },
    };
    let once = normalize(kind, value, &opts);
    if let Ok(s) = &once {
        if s.is_empty() {
            return Err(format!("{kind}: empty output for {value:?}"));
        }
        // Meta's phone form has no `+`. A number that is only *possible* (PhoneCheck::Possible)
        // can then read again as a valid national number of the default country, which the
        // reader rightly prefers for digits without a prefix; so that form is re-read as what it
        // is, E.164 digits, with the `+` given back (see hashing::normalize::phone).
        let again = if kind == IdKind::Phone
            && profile == Platform::Meta
            && opts.phone == crate::hashing::PhoneCheck::Possible
        {
            format!("+{s}")
        } else {
            s.clone()
        };
        let twice = normalize(kind, &again, &opts);
        if twice.as_ref() != Ok(s) {
            return Err(format!("{kind} {profile}: {value:?} -> {s:?} -> {twice:?}"));
        }
    }
    let mut d = [0u8; 32];
    match (Hasher::new(opts.clone()).digest(kind, value, &mut d), &once) {
        (Ok(Origin::Hashed), Err(e)) => {
            Err(format!("{kind}: hashed an invalid value {value:?} ({e})"))
        }
        (Ok(Origin::Prehashed), _) if !is_prehashed(value) => Err(format!(
            "{kind}: {value:?} passed through but is not a SHA-256"
        )),
        (Err(e), Ok(s)) if !is_prehashed(value) => Err(format!(
            "{kind}: {value:?} normalises to {s:?} but does not hash: {e}"
        )),
        _ => Ok(()),
    }
}
