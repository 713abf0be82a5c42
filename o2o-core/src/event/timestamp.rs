//! Timestamps: Unix seconds inside o2o, Unix seconds or RFC 3339 on input.
//!
//! POS exports and browser tags rarely agree on a time format; accepting both forms at the edge
//! keeps every module downstream on one plain integer.

/// The earliest accepted timestamp: 1970-01-01T00:00:00Z. Marketing data is never older, and
/// a bound keeps time differences from overflowing.
pub const MIN_TIMESTAMP: i64 = 0;
/// The latest accepted timestamp: 9999-12-31T23:59:59Z.
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// A timestamp that is neither Unix seconds nor RFC 3339, or outside the years 1970–9999.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{value}` is not a timestamp between 1970 and 9999 (expected Unix seconds or RFC 3339 such as 2026-03-01T10:00:00Z)"
)]
pub struct TimestampError {
    /// The text that was given (cut to 40 characters).
    pub value: String,
}

impl TimestampError {
    fn new(text: &str) -> Self {
        TimestampError {
            value: text.chars().take(40).collect(),
        }
    }
}

/// Whether `ts` lies in the accepted range ([`MIN_TIMESTAMP`]..=[`MAX_TIMESTAMP`]).
pub(crate) fn in_range(ts: i64) -> bool {
    (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&ts)
}

/// Parse Unix seconds (`1772359200`) or RFC 3339 (`2026-03-01T10:00:00+07:00`) into Unix seconds.
///
/// ```
/// use o2o_core::event::parse_timestamp;
/// assert_eq!(parse_timestamp("1772359200").unwrap(), 1772359200);
/// assert_eq!(parse_timestamp("2026-03-01T17:00:00+07:00").unwrap(), 1772359200);
/// assert!(parse_timestamp("yesterday").is_err());
/// ```
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    let t = text.trim();
    let secs = match t.parse::<i64>() {
        Ok(secs) => secs,
        Err(_) => rfc3339(t.as_bytes()).ok_or_else(|| TimestampError::new(text))?,
    };
    if in_range(secs) {
        Ok(secs)
    } else {
        Err(TimestampError::new(text))
    }
}

/// Serde adapter: writes integers, reads integers or RFC 3339 strings.
/// An RFC 3339 date-time (`2026-03-01T17:00:00.25+07:00`) as Unix seconds (the fraction
/// dropped), read exactly as the `time` crate's `Rfc3339` parser reads it (a test compares the
/// two): any one character between date and time, `Z` or `z`, offsets up to ±23:59, and a leap
/// second (`:60`) only where one can occur, the last second of a month in UTC, read as the second
/// before it. Written here because that parser costs the web tag about 5 KB.
fn rfc3339(s: &[u8]) -> Option<i64> {
    /// `N` ASCII digits at `at`.
    fn num(s: &[u8], at: usize, n: usize) -> Option<i64> {
        let part = s.get(at..at + n)?;
        part.iter().try_fold(0i64, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
        })
    }
    let lit = |at: usize, c: u8| s.get(at) == Some(&c);
    let (year, month, day) = (num(s, 0, 4)?, num(s, 5, 2)?, num(s, 8, 2)?);
    let (hour, minute, second) = (num(s, 11, 2)?, num(s, 14, 2)?, num(s, 17, 2)?);
    // Position 10 is the date-time separator: any one byte.
    if !(lit(4, b'-') && lit(7, b'-') && s.len() > 10 && lit(13, b':') && lit(16, b':')) {
        return None;
    }
    let mut i = 19;
    if lit(i, b'.') {
        i += 1;
        let digits = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += digits;
    }
    let offset = match s.get(i)? {
        b'Z' | b'z' => {
            i += 1;
            0
        }
        &sign @ (b'+' | b'-') => {
            let (h, m) = (num(s, i + 1, 2)?, num(s, i + 4, 2)?);
            if !lit(i + 3, b':') || h > 23 || m > 59 {
                return None;
            }
            i += 6;
            let o = h * 3600 + m * 60;
            if sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let valid = i == s.len()
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !valid {
        return None;
    }
    let leap = second == 60;
    let second = if leap { 59 } else { second };
    let utc =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    if leap {
        // 23:59:59 UTC on the last day of a month: the next second starts a month.
        let (_, _, next_day) = civil_from_days((utc + 1).div_euclid(86_400));
        if utc.rem_euclid(86_400) != 86_399 || next_day != 1 {
            return None;
        }
    }
    Some(utc)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod rfc3339_tests {
    use super::{parse_timestamp, rfc3339};
    use proptest::prelude::*;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    /// The reference: the `time` crate's parser.
    fn time_crate(s: &str) -> Option<i64> {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .map(|dt| dt.unix_timestamp())
    }

    fn same(s: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(rfc3339(s.as_bytes()), time_crate(s), "{:?}", s);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Well-formed date-times of any field values (valid or not), every offset form.
        #[test]
        fn date_times_read_as_the_time_crate_reads_them(
            y in 0u32..=9999, mo in 0u32..=13, d in 0u32..=32, h in 0u32..=25, mi in 0u32..=60,
            s in prop::sample::select(vec![0u32, 1, 30, 59, 60, 61]),
            sep in prop::sample::select(vec!["T", "t", " ", "x", "5", "é"]),
            frac in prop::option::of("[0-9]{0,12}"),
            off in prop::sample::select(vec!["Z", "z", "+00:00", "-00:00", "+07:00", "-23:59", "+24:00", "+05:60", "+0700", "", "Z ", "+07:00:00"]),
        ) {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            same(&format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{off}"))?;
        }

        /// Leap seconds at the end of every month, in several offsets.
        #[test]
        fn leap_seconds_are_accepted_only_where_the_time_crate_accepts_them(
            y in 1969u32..=2100, mo in 1u32..=12, d in 26u32..=31,
            off in prop::sample::select(vec!["Z", "+01:00", "-01:00", "+00:30", "-13:45"]),
            h in prop::sample::select(vec![0u32, 12, 22, 23]), mi in prop::sample::select(vec![0u32, 14, 15, 59]),
        ) {
            same(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:60{off}"))?;
            same(&format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:60.5{off}"))?;
        }

        /// Any short text over the characters of date-times.
        #[test]
        fn other_texts_are_refused_as_the_time_crate_refuses_them(s in "[0-9T:.Zz+ -]{0,30}") {
            same(&s)?;
        }
    }

    #[test]
    fn examples() {
        assert_eq!(
            parse_timestamp("2026-03-01T17:00:00+07:00").unwrap(),
            1_772_359_200
        );
        assert_eq!(
            parse_timestamp("2016-12-31T23:59:60Z").unwrap(),
            1_483_228_799
        );
        assert!(parse_timestamp("2016-12-30T23:59:60Z").is_err());
        assert_eq!(
            parse_timestamp("9999-12-31T23:59:59Z").unwrap(),
            253_402_300_799
        );
        assert!(parse_timestamp("1969-12-31T23:59:59Z").is_err());
        for s in [
            "",
            "2026-03-01",
            "2026-03-01T17:00:00",
            "2026-02-29T00:00:00Z",
            "2026-03-01T17:00:00.Z",
        ] {
            assert_eq!(rfc3339(s.as_bytes()), None, "{s}");
        }
    }
}

pub(crate) mod serde_ts {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(ts: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*ts)
    }

    struct TsVisitor;

    impl Visitor<'_> for TsVisitor {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Unix seconds or an RFC 3339 string")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            if super::in_range(v) {
                Ok(v)
            } else {
                Err(E::custom("timestamp outside the years 1970-9999"))
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v)
                .map_err(|_| E::custom("timestamp outside the years 1970-9999"))
                .and_then(|v| self.visit_i64(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
                // Proof of exactness: |v| < 2^53, integral, so the cast is lossless.
                self.visit_i64(v as i64)
            } else {
                Err(E::custom("timestamp must be whole seconds"))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            super::parse_timestamp(v).map_err(E::custom)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(TsVisitor)
    }
}
