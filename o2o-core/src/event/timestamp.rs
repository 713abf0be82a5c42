//! Timestamps: Unix seconds inside o2o, Unix seconds or RFC 3339 on input.
//!
//! POS exports and browser tags rarely agree on a time format; accepting both forms at the edge
//! keeps every module downstream on one plain integer.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
        Err(_) => OffsetDateTime::parse(t, &Rfc3339)
            .map(|dt| dt.unix_timestamp())
            .map_err(|_| TimestampError::new(text))?,
    };
    if in_range(secs) {
        Ok(secs)
    } else {
        Err(TimestampError::new(text))
    }
}

/// Serde adapter: writes integers, reads integers or RFC 3339 strings.
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
