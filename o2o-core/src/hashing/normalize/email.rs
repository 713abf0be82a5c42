//! Email: trimmed and lowercased (all profiles); for Google, Gmail addresses also lose the dots
//! and any `+suffix` of their local part, as Google documents for Enhanced Conversions.

use super::{NormalizeError, Profile};
use crate::event::IdKind;

const KIND: IdKind = IdKind::Email;

/// Write the normalised email into `out` (empty on entry). `v` is trimmed and non-empty.
pub(super) fn normalize(v: &str, profile: Profile, out: &mut String) -> Result<(), NormalizeError> {
    let err = |reason| Err(NormalizeError::invalid(KIND, reason));
    let Some(at) = v.find('@') else {
        return err("no `@`");
    };
    let (local, domain) = (&v[..at], &v[at + 1..]);
    if local.is_empty() {
        return err("empty local part before `@`");
    }
    // One pass over the domain: no second `@`, at least one dot, no empty label.
    let db = domain.as_bytes();
    let (mut dots, mut prev_dot) = (0usize, true);
    for &b in db {
        match b {
            b'@' => return err("more than one `@`"),
            b'.' if prev_dot => return err("empty label in domain"),
            b'.' => {
                dots += 1;
                prev_dot = true;
            }
            _ => prev_dot = false,
        }
    }
    if dots == 0 || prev_dot || db.len() < 3 {
        return err("domain must contain a dot, e.g. example.com");
    }
    if v.is_ascii() {
        if v.bytes().any(|b| b.is_ascii_whitespace()) {
            return err("contains whitespace");
        }
    } else if v.chars().any(char::is_whitespace) {
        return err("contains whitespace");
    }
    let gmail =
        domain.eq_ignore_ascii_case("gmail.com") || domain.eq_ignore_ascii_case("googlemail.com");
    if profile == Profile::Google && gmail {
        push_lower(local, out);
        if let Some(p) = out.find('+') {
            out.truncate(p);
        }
        out.retain(|c| c != '.');
        if out.is_empty() {
            return err("nothing left of the Gmail local part");
        }
        out.push('@');
        push_lower(domain, out);
    } else {
        // `@` is its own lowercase, so the whole address lowercases in one go.
        out.clear();
        push_lower(v, out);
    }
    Ok(())
}

/// Lowercase `s` onto `out`: a byte loop for ASCII, Unicode lowercase otherwise.
pub(super) fn push_lower(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        // `start` is the old length, a char boundary; ASCII lowercasing keeps the length.
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
    } else {
        for c in s.chars() {
            out.extend(c.to_lowercase());
        }
    }
}
