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
    if domain.contains('@') {
        return err("more than one `@`");
    }
    if domain.len() < 3 || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.')
    {
        return err("domain must contain a dot, e.g. example.com");
    }
    if domain.contains("..") {
        return err("empty label in domain");
    }
    if v.chars().any(char::is_whitespace) {
        return err("contains whitespace");
    }
    push_lower(local, out);
    if profile == Profile::Google {
        let dom_start = out.len();
        out.push('@');
        push_lower(domain, out);
        let is_gmail = matches!(&out[dom_start + 1..], "gmail.com" | "googlemail.com");
        if is_gmail {
            let dom = out.split_off(dom_start);
            let base = match out.find('+') {
                Some(p) => p,
                None => out.len(),
            };
            out.truncate(base);
            out.retain(|c| c != '.');
            if out.is_empty() {
                return err("nothing left of the Gmail local part");
            }
            out.push_str(&dom);
        }
    } else {
        out.push('@');
        push_lower(domain, out);
    }
    Ok(())
}

/// Lowercase `s` onto `out`: a byte loop for ASCII, Unicode lowercase otherwise.
pub(super) fn push_lower(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.reserve(s.len());
        for b in s.bytes() {
            out.push(char::from(b.to_ascii_lowercase()));
        }
    } else {
        for c in s.chars() {
            out.extend(c.to_lowercase());
        }
    }
}
