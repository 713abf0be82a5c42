//! Date of birth as `YYYYMMDD` (Meta's documented format; Google and TikTok use the same).
//!
//! Accepted: `YYYYMMDD`, `YYYY-MM-DD` (also `/`, `.` or space as separator, one- or two-digit
//! month and day, an ISO time after `T` ignored), and day-month-year forms `DD/MM/YYYY`. A form
//! like `03/04/1990` is ambiguous: when one part is above 12 it must be the day; otherwise the
//! day comes first, except when the default country is the US, where month comes first.

use super::{NormalizeError, NormalizeOptions};
use crate::event::IdKind;
use std::fmt::Write as _;

const KIND: IdKind = IdKind::DateOfBirth;
const FIRST_YEAR: u32 = 1900;
const LAST_YEAR: u32 = 2100;

fn valid(y: u32, m: u32, d: u32) -> bool {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Write the date of birth as `YYYYMMDD`.
pub(super) fn normalize(
    v: &str,
    opts: &NormalizeOptions,
    out: &mut String,
) -> Result<(), NormalizeError> {
    let us_first = opts
        .default_country
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("US"));
    // Drop an ISO time part: `1990-05-01T00:00:00Z`.
    let v = match v.find(['T', 't']) {
        Some(p) if p >= 8 => &v[..p],
        _ => v,
    };
    let parts: Vec<&str> = v
        .split(['-', '/', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [one] if one.len() == 8 && one.is_ascii() => {
            let ymd = (num(&one[0..4]), num(&one[4..6]), num(&one[6..8]));
            match ymd {
                (Some(y), Some(m), Some(d)) if valid(y, m, d) => (y, m, d),
                _ => {
                    let (a, b, y) = (num(&one[0..2]), num(&one[2..4]), num(&one[4..8]));
                    match (a, b, y) {
                        (Some(a), Some(b), Some(y)) => day_month(a, b, y, us_first)?,
                        _ => return Err(NormalizeError::invalid(KIND, "not a date")),
                    }
                }
            }
        }
        [a, b, c] if a.len() == 4 => match (num(a), num(b), num(c)) {
            (Some(y), Some(m), Some(d)) if b.len() <= 2 && c.len() <= 2 => (y, m, d),
            _ => return Err(NormalizeError::invalid(KIND, "expected YYYY-MM-DD")),
        },
        [a, b, c] if c.len() == 4 && a.len() <= 2 && b.len() <= 2 => match (num(a), num(b), num(c))
        {
            (Some(a), Some(b), Some(y)) => day_month(a, b, y, us_first)?,
            _ => return Err(NormalizeError::invalid(KIND, "expected DD/MM/YYYY")),
        },
        _ => {
            return Err(NormalizeError::invalid(
                KIND,
                "expected YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY (four-digit year)",
            ));
        }
    };
    if !valid(y, m, d) {
        return Err(NormalizeError::invalid(
            KIND,
            "no such date (or year outside 1900-2100)",
        ));
    }
    // Writing to a String cannot fail.
    let _ = write!(out, "{y:04}{m:02}{d:02}");
    Ok(())
}

/// Resolve `a/b/yyyy` into (year, month, day).
fn day_month(a: u32, b: u32, y: u32, us_first: bool) -> Result<(u32, u32, u32), NormalizeError> {
    let (m, d) = if a > 12 {
        (b, a)
    } else if b > 12 || us_first {
        (a, b)
    } else {
        (b, a)
    };
    if !valid(y, m, d) {
        return Err(NormalizeError::invalid(
            KIND,
            "no such date (or year outside 1900-2100)",
        ));
    }
    Ok((y, m, d))
}
