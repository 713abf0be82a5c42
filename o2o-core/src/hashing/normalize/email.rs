//! Email: trimmed and lowercased (all profiles); for Google, Gmail addresses also lose the dots
//! and any `+suffix` of their local part, as Google documents for Enhanced Conversions.

use super::{NormalizeError, Platform};
use crate::event::IdKind;

const KIND: IdKind = IdKind::Email;

/// Write the normalised email into `out` (empty on entry). `v` is trimmed and non-empty.
pub(super) fn normalize(
    v: &str,
    profile: Platform,
    out: &mut String,
) -> Result<(), NormalizeError> {
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
    if profile == Platform::Google && is_gmail(domain) {
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

/// The common case in one pass: a plain ASCII address (no whitespace or control characters
/// inside, one `@`, a well-formed domain) that needs only trimming and lowercasing. Writes the
/// result into `out` (cleared) and returns `true`; returns `false`, leaving `out` untouched,
/// for anything else, which [`normalize`] then handles (and explains). Only an
/// input `normalize` would turn into the same output takes this path, so the two agree by
/// construction; a test checks it.
pub(super) fn fast_ascii(value: &str, profile: Platform, out: &mut String) -> bool {
    let v = value.trim_ascii();
    let Some(at) = only_at(v.as_bytes()) else {
        return false;
    };
    // `at` is the position of the only `@` (ASCII, a character boundary).
    let (Some(local), Some(domain)) = (v.get(..at), v.get(at + 1..)) else {
        return false;
    };
    if local.is_empty()
        || !domain_ok(domain.as_bytes())
        || (profile == Platform::Google && is_gmail(domain))
    {
        return false;
    }
    out.clear();
    out.push_str(v);
    out.make_ascii_lowercase();
    true
}

/// The position of the only `@` in `v`, if every byte is printable ASCII (`!`..=`~`) and
/// there is exactly one `@`.
///
/// Eight bytes at a time in a `u64` (SWAR), because this scan is most of the normaliser's time
/// on the hot path of `o2o hash`. With the high bit of every byte cleared (`low`), each lane `b`
/// is at most 0x7f, so adding a constant below 0x81 to all lanes at once never carries into the
/// next lane; the lane's high bit then answers a comparison exactly:
/// `b + 0x5f ≥ 0x80 ⟺ b ≥ 0x21`, `b + 1 ≥ 0x80 ⟺ b ≥ 0x7f`, and for `y = b ^ '@'`,
/// `y + 0x7f ≥ 0x80 ⟺ y ≠ 0`. The tail is padded with `a`, which passes every test.
pub(super) fn only_at(v: &[u8]) -> Option<usize> {
    const LANES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = LANES * 0x80;
    let (mut bad, mut ats, mut at) = (0u64, 0u32, 0usize);
    for (i, chunk) in v.chunks(8).enumerate() {
        let mut word = [b'a'; 8];
        word.get_mut(..chunk.len())?.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let low = x & !HIGH;
        let below_bang = !(low + LANES * 0x5f) & HIGH;
        let del_or_above = (low + LANES) & HIGH;
        bad |= (x & HIGH) | below_bang | del_or_above;
        let y = low ^ (LANES * u64::from(b'@'));
        let is_at = !(y + LANES * 0x7f) & HIGH;
        if is_at != 0 && ats == 0 {
            // Little-endian: the lowest set lane is the first `@` of the chunk.
            at = i * 8 + (is_at.trailing_zeros() / 8) as usize;
        }
        ats += is_at.count_ones();
    }
    (bad == 0 && ats == 1).then_some(at)
}

/// A domain with at least one dot, no empty label and at least 3 characters (no `@`: the
/// caller saw exactly one).
fn domain_ok(d: &[u8]) -> bool {
    let mut prev_dot = true;
    let mut dots = 0usize;
    for &b in d {
        if b == b'.' {
            if prev_dot {
                return false;
            }
            dots += 1;
            prev_dot = true;
        } else {
            prev_dot = false;
        }
    }
    dots > 0 && !prev_dot && d.len() >= 3
}

fn is_gmail(domain: &str) -> bool {
    domain.eq_ignore_ascii_case("gmail.com") || domain.eq_ignore_ascii_case("googlemail.com")
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
