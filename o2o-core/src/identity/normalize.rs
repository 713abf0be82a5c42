//! The one place the identity graph normalises a raw identifier before interning it, so that
//! `" Ann@Example.com"` and `"ann@example.com"`, or `"0912 345 678"` and `"+84912345678"`, are
//! the same node.
//!
//! It calls the crate's shared normaliser ([`crate::hashing::normalize`], Meta profile, the rules'
//! default country, no IP truncation), so the graph and the ad-platform uploads agree on what a
//! value is. The small local fallback it replaced is kept for tests only.

use super::rules::ResolutionRules;
use crate::event::IdKind;

/// Normalise `value` of `kind` under the rules' default country and phone check; an error
/// when the value is not a usable identifier of that kind.
pub(crate) fn normalize_value(
    kind: IdKind,
    value: &str,
    rules: &ResolutionRules,
) -> Result<String, String> {
    let opts = crate::hashing::NormalizeOptions {
        profile: crate::hashing::Platform::Meta,
        default_country: rules.default_country.clone(),
        ip_truncate: false,
        phone: rules.phone,
    };
    crate::hashing::normalize(kind, value, &opts).map_err(|e| e.to_string())
}

/// [`normalize_value`] in a graph that holds keyed pseudonyms under `pseudonym_key` (restored
/// from a keyed snapshot, or built from a keyed store): a pseudonym of that key, for a kind kept
/// as one, is already the normalised form and passes unchanged.
pub(crate) fn normalize_in(
    kind: IdKind,
    value: &str,
    rules: &ResolutionRules,
    pseudonym_key: Option<&str>,
) -> Result<String, String> {
    if let Some(k) = pseudonym_key
        && kind.pseudonymised_at_rest()
        && is_pseudonym_of(k, value)
    {
        return Ok(value.to_owned());
    }
    normalize_value(kind, value, rules)
}

/// Whether `value` is a pseudonym's text (`KEY_ID:` and 64 lowercase hex digits) under `key_id`.
pub(crate) fn is_pseudonym_of(key_id: &str, value: &str) -> bool {
    value.len() == key_id.len() + 65
        && value.starts_with(key_id)
        && value.as_bytes()[key_id.len()] == b':'
        && value[key_id.len() + 1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The stand-in used before the shared normaliser landed; kept for comparison in tests.
#[cfg(test)]
pub(crate) fn fallback_value(
    kind: IdKind,
    value: &str,
    default_country: Option<&str>,
) -> Result<String, String> {
    fallback::normalize(kind, value, default_country)
}

#[cfg(test)]
mod fallback {
    //! Local stand-in for `crate::hashing::normalize` (same canonical forms).
    use crate::event::IdKind;

    /// Calling codes of the default countries the fallback knows.
    fn calling_code(country: &str) -> Option<&'static str> {
        Some(match country.to_ascii_uppercase().as_str() {
            "VN" => "84",
            "TH" => "66",
            "ID" => "62",
            "MY" => "60",
            "SG" => "65",
            "PH" => "63",
            "US" | "CA" => "1",
            "GB" => "44",
            "FR" => "33",
            "DE" => "49",
            _ => return None,
        })
    }

    pub(super) fn normalize(
        kind: IdKind,
        value: &str,
        default_country: Option<&str>,
    ) -> Result<String, String> {
        let v = value.trim();
        match kind {
            IdKind::Email => {
                let e = v.to_lowercase();
                match e.split_once('@') {
                    Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@') => Ok(e),
                    _ => Err(format!("`{v}` is not an email address")),
                }
            }
            IdKind::Phone => {
                let plus = v.starts_with('+') || v.starts_with("(+");
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                let international = if plus {
                    digits
                } else if let Some(rest) = digits.strip_prefix("00") {
                    rest.to_owned()
                } else if let Some(rest) = digits.strip_prefix('0') {
                    let cc = default_country.and_then(calling_code).ok_or_else(|| {
                        format!("`{v}` has no country code and no default country is set")
                    })?;
                    format!("{cc}{rest}")
                } else {
                    digits
                };
                if !(8..=15).contains(&international.len()) {
                    return Err(format!("`{v}` is not a phone number"));
                }
                Ok(format!("+{international}"))
            }
            IdKind::Mac => {
                let hex: String = v
                    .chars()
                    .filter(|c| !matches!(c, ':' | '-' | '.'))
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(format!("`{v}` is not a MAC address"));
                }
                let b = hex.as_bytes();
                let mut out = String::with_capacity(17);
                for (i, pair) in b.chunks(2).enumerate() {
                    if i > 0 {
                        out.push(':');
                    }
                    out.extend(pair.iter().map(|&c| c as char));
                }
                Ok(out)
            }
            IdKind::DeviceId | IdKind::Ip => Ok(v.to_ascii_lowercase()),
            _ => Ok(v.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulators_noise_collapses() {
        let vn = &ResolutionRules::default();
        let want = normalize_value(IdKind::Phone, "0912345678", vn).unwrap();
        for s in [
            "+84 91 234 5678",
            "0084912345678",
            "(+84) 91-234-5678",
            "091.234.5678",
        ] {
            assert_eq!(normalize_value(IdKind::Phone, s, vn).unwrap(), want, "{s}");
        }
        let m = |s| normalize_value(IdKind::Mac, s, vn).unwrap();
        assert_eq!(m("AA-BB-CC-00-11-22"), m("aabb.cc00.1122"));
        let e = |s| normalize_value(IdKind::Email, s, vn).unwrap();
        assert_eq!(e(" Ann.Le1@Gmail.com  "), e("ann.le1@gmail.com"));
    }

    #[test]
    fn the_fallback_agrees_on_the_simulators_noise() {
        let vn = Some("VN");
        let p = |s| fallback_value(IdKind::Phone, s, vn).unwrap();
        for s in [
            "0912345678",
            "091 234 5678",
            "+84912345678",
            "+84 91 234 5678",
            "0084912345678",
            "(+84) 91-234-5678",
            "091.234.5678",
        ] {
            assert_eq!(p(s), "+84912345678", "{s}");
        }
        let m = |s| fallback_value(IdKind::Mac, s, vn).unwrap();
        assert_eq!(m("AA-BB-CC-00-11-22"), "aa:bb:cc:00:11:22");
        assert_eq!(m("aabb.cc00.1122"), "aa:bb:cc:00:11:22");
        let e = |s| fallback_value(IdKind::Email, s, vn).unwrap();
        assert_eq!(e(" Ann.Le1@Gmail.com  "), "ann.le1@gmail.com");
        assert!(fallback_value(IdKind::Email, "null", vn).is_err());
    }
}
