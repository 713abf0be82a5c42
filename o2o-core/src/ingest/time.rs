//! Timestamps as exports write them: strftime formats in a local time zone, epoch numbers in a
//! declared unit, or ISO 8601.
//!
//! Local times are read in the source's IANA zone (jiff's bundled time-zone database, so every
//! machine reads them the same); a time that falls in a daylight-saving gap or fold is read as
//! jiff's "compatible" rule does (RFC 5545: the later instant in a gap, the earlier in a fold).
//!
//! Formats made only of numeric fields (`%Y %m %d %H %M %S %y %f` and literals), the common case
//! of POS exports, are parsed by a small compiled scanner instead of the general strftime parser,
//! and the zone's offset is cached per local hour (checked free of transitions), which keeps
//! a timestamp well under a microsecond.

use super::map::TimeUnit;
use crate::event::{MAX_TIMESTAMP, MIN_TIMESTAMP};
use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use std::cell::Cell;

/// One numeric piece of a compiled format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece {
    Literal(u8),
    /// Optional whitespace run (a space in the format).
    Space,
    Year4,
    Year2,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Fractional seconds (any number of digits, ignored).
    Fraction,
}

/// A strftime format compiled for the fast path, when it is all numeric.
#[derive(Clone, Debug)]
struct Compiled {
    pieces: Vec<Piece>,
}

impl Compiled {
    fn new(format: &str) -> Option<Compiled> {
        let mut pieces = Vec::new();
        let mut bytes = format.bytes();
        while let Some(b) = bytes.next() {
            if b == b'%' {
                pieces.push(match bytes.next()? {
                    b'Y' => Piece::Year4,
                    b'y' => Piece::Year2,
                    b'm' => Piece::Month,
                    b'd' => Piece::Day,
                    b'H' => Piece::Hour,
                    b'M' => Piece::Minute,
                    b'S' => Piece::Second,
                    b'f' => Piece::Fraction,
                    b'%' => Piece::Literal(b'%'),
                    _ => return None,
                });
            } else if b == b' ' {
                pieces.push(Piece::Space);
            } else if b.is_ascii() && !b.is_ascii_alphanumeric() {
                pieces.push(Piece::Literal(b));
            } else {
                return None;
            }
        }
        // Without a day the general parser decides (it rejects an incomplete date).
        let has = |p: Piece| pieces.contains(&p);
        ((has(Piece::Year4) || has(Piece::Year2)) && has(Piece::Month) && has(Piece::Day))
            .then_some(Compiled { pieces })
    }

    /// (year, month, day, hour, minute, second), or `None` when the text does not match.
    fn scan(&self, text: &[u8]) -> Option<[i32; 6]> {
        let mut v = [0i32, 1, 1, 0, 0, 0];
        let mut i = 0;
        let digits = |i: &mut usize, min: usize, max: usize| -> Option<i32> {
            let start = *i;
            let mut n: i32 = 0;
            while *i < text.len() && *i - start < max && text[*i].is_ascii_digit() {
                n = n * 10 + i32::from(text[*i] - b'0');
                *i += 1;
            }
            (*i - start >= min).then_some(n)
        };
        for p in &self.pieces {
            match *p {
                Piece::Literal(b) => {
                    if text.get(i) != Some(&b) {
                        return None;
                    }
                    i += 1;
                }
                Piece::Space => {
                    while text.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                        i += 1;
                    }
                }
                Piece::Year4 => v[0] = digits(&mut i, 4, 4)?,
                Piece::Year2 => {
                    // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
                    let y = digits(&mut i, 2, 2)?;
                    v[0] = if y >= 69 { 1900 + y } else { 2000 + y };
                }
                Piece::Month => v[1] = digits(&mut i, 1, 2)?,
                Piece::Day => v[2] = digits(&mut i, 1, 2)?,
                Piece::Hour => v[3] = digits(&mut i, 1, 2)?,
                Piece::Minute => v[4] = digits(&mut i, 1, 2)?,
                Piece::Second => v[5] = digits(&mut i, 1, 2)?,
                Piece::Fraction => {
                    digits(&mut i, 1, 9)?;
                }
            }
        }
        (i == text.len()).then_some(v)
    }
}

/// Reads one timestamp field.
#[derive(Clone, Debug)]
pub(crate) struct TimeParser {
    formats: Vec<String>,
    compiled: Vec<Option<Compiled>>,
    unit: Option<TimeUnit>,
    tz: TimeZone,
    /// The last local hour converted: (year, month, day, hour) and the instant of its start,
    /// when no offset transition falls inside that hour.
    hour: Cell<Option<([i32; 4], i64)>>,
}

/// Why a value is not a timestamp; the text is never echoed (it may be personal), only a
/// description of the expected form.
pub(crate) type TimeError = String;

impl TimeParser {
    /// A parser for `formats` (tried in order) or `unit`, in zone `tz`.
    pub(crate) fn new(
        formats: &[String],
        unit: Option<TimeUnit>,
        tz: TimeZone,
    ) -> Result<TimeParser, String> {
        if unit.is_some() && !formats.is_empty() {
            return Err("give `format` or `unit`, not both".to_owned());
        }
        for f in formats {
            if f.is_empty() {
                return Err("a format must not be empty".to_owned());
            }
            // A format jiff cannot parse anything with is a map error, found now.
            if !f.contains('%') {
                return Err(format!("`{f}` has no strftime directive (such as %Y)"));
            }
        }
        Ok(TimeParser {
            compiled: formats.iter().map(|f| Compiled::new(f)).collect(),
            formats: formats.to_vec(),
            unit,
            tz,
            hour: Cell::new(None),
        })
    }

    /// Unix seconds of `text` (already trimmed, not empty).
    pub(crate) fn parse(&self, text: &str) -> Result<i64, TimeError> {
        let ts = if let Some(unit) = self.unit {
            epoch(text, unit)?
        } else if self.formats.is_empty() {
            self.iso(text)?
        } else {
            self.formatted(text)?
        };
        if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&ts) {
            Ok(ts)
        } else {
            Err("outside the years 1970-9999".to_owned())
        }
    }

    fn formatted(&self, text: &str) -> Result<i64, TimeError> {
        for (format, compiled) in self.formats.iter().zip(&self.compiled) {
            if let Some(c) = compiled {
                if let Some(v) = c.scan(text.as_bytes()) {
                    return self.local(v);
                }
                continue;
            }
            if let Ok(ts) = self.general(format, text) {
                return Ok(ts);
            }
        }
        Err(format!(
            "does not match the format{} {}",
            if self.formats.len() > 1 { "s" } else { "" },
            self.formats
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    fn general(&self, format: &str, text: &str) -> Result<i64, ()> {
        let tm = BrokenDownTime::parse(format, text).map_err(|_| ())?;
        if tm.offset().is_some() || tm.timestamp().is_some() {
            return tm.to_timestamp().map(|t| t.as_second()).map_err(|_| ());
        }
        let date = tm.to_date().map_err(|_| ())?;
        let time = tm.to_time().unwrap_or(Time::midnight());
        self.zoned(date.to_datetime(time))
    }

    /// ISO 8601 / RFC 3339: with an offset (`Z`, `+07:00`), or local in the source's zone
    /// (`2026-03-01 10:15[:00[.000]]`, `2026-03-01T10:15`), or a date (`2026-03-01`: midnight).
    fn iso(&self, text: &str) -> Result<i64, TimeError> {
        if text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && !text.contains('-')
        {
            return Err(
                "a number, but the map declares no unit (add unit = \"s\", \"ms\", \"us\" or \"ns\")"
                    .to_owned(),
            );
        }
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(ts.as_second());
        }
        let dt = text
            .parse::<DateTime>()
            .or_else(|_| text.parse::<Date>().map(|d| d.to_datetime(Time::midnight())))
            .map_err(|_| {
                "not an ISO 8601 time (such as 2026-03-01T10:15:00+07:00 or 2026-03-01 10:15); give `format` for other forms"
                    .to_owned()
            })?;
        self.zoned(dt)
            .map_err(|()| "outside the years 1970-9999".to_owned())
    }

    /// Unix seconds of local fields `v`, through the one-hour cache.
    fn local(&self, v: [i32; 6]) -> Result<i64, TimeError> {
        let bad = || "not a valid date and time".to_owned();
        let (min, sec) = (v[4], v[5]);
        if !(0..60).contains(&min) || !(0..=60).contains(&sec) {
            return Err(bad());
        }
        let key = [v[0], v[1], v[2], v[3]];
        if let Some((k, start)) = self.hour.get()
            && k == key
        {
            return Ok(start + i64::from(min) * 60 + i64::from(sec.min(59)));
        }
        let y = i16::try_from(v[0]).map_err(|_| bad())?;
        let [mo, d, h] = [v[1], v[2], v[3]].map(|x| i8::try_from(x).unwrap_or(-1));
        let start = DateTime::new(y, mo, d, h, 0, 0, 0).map_err(|_| bad())?;
        let ts = self.zoned(start).map_err(|()| bad())?;
        // Cache the hour only when its offset does not change within it.
        let end = jiff::Timestamp::from_second(ts + 3599).map_err(|_| bad())?;
        let begin = jiff::Timestamp::from_second(ts).map_err(|_| bad())?;
        if self.tz.to_offset(begin) == self.tz.to_offset(end) {
            self.hour.set(Some((key, ts)));
        }
        Ok(ts + i64::from(min) * 60 + i64::from(sec.min(59)))
    }

    fn zoned(&self, dt: DateTime) -> Result<i64, ()> {
        self.tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .map(|t| t.as_second())
            .map_err(|_| ())
    }
}

/// Seconds of an epoch number in `unit` (a fraction is cut towards the past).
fn epoch(text: &str, unit: TimeUnit) -> Result<i64, TimeError> {
    let per = unit.per_second();
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n.div_euclid(per));
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() < 1e20 => {
            // Whole units first, then the division: exact for any integral part below 2^53.
            let secs = (x / per as f64).floor();
            if secs.abs() < 9.0e15 {
                Ok(secs as i64)
            } else {
                Err("out of range".to_owned())
            }
        }
        _ => Err(format!(
            "not a number of {}",
            match unit {
                TimeUnit::S => "seconds",
                TimeUnit::Ms => "milliseconds",
                TimeUnit::Us => "microseconds",
                TimeUnit::Ns => "nanoseconds",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn p(formats: &[&str], zone: &str) -> TimeParser {
        let f: Vec<String> = formats.iter().map(|s| (*s).to_owned()).collect();
        TimeParser::new(&f, None, tz(zone)).unwrap()
    }

    #[test]
    fn local_format_in_a_zone() {
        let t = p(&["%d/%m/%Y %H:%M"], "Asia/Ho_Chi_Minh");
        // 2026-03-01 17:00 +07:00 = 10:00Z = 1772359200.
        assert_eq!(t.parse("01/03/2026 17:00").unwrap(), 1_772_359_200);
        assert_eq!(t.parse("1/3/2026 17:05").unwrap(), 1_772_359_500);
        assert!(t.parse("31/02/2026 10:00").is_err());
        assert!(t.parse("01/03/2026").is_err());
    }

    #[test]
    fn fast_path_equals_general_parser() {
        let zone = "Europe/Berlin";
        let fast = p(&["%Y-%m-%d %H:%M:%S"], zone);
        // The general parser through a format the fast path does not take (%e is not compiled).
        for (text, general) in [
            ("2026-03-29 01:30:00", "2026-03-29T01:30:00+01:00"),
            ("2026-03-29 03:30:00", "2026-03-29T03:30:00+02:00"),
            ("2026-10-25 02:30:00", "2026-10-25T02:30:00+02:00"), // fold: earlier
            ("2026-03-29 02:30:00", "2026-03-29T03:30:00+02:00"), // gap: later
        ] {
            let want = general.parse::<jiff::Timestamp>().unwrap().as_second();
            assert_eq!(fast.parse(text).unwrap(), want, "{text}");
            let g = fast.general("%Y-%m-%d %H:%M:%S", text).unwrap();
            assert_eq!(g, want, "{text} general");
        }
    }

    #[test]
    fn the_hour_cache_never_spans_a_transition() {
        let t = p(&["%Y-%m-%d %H:%M"], "Europe/Berlin");
        let a = t.parse("2026-03-29 01:59").unwrap();
        let b = t.parse("2026-03-29 03:00").unwrap();
        assert_eq!(b - a, 60);
    }

    #[test]
    fn several_formats_in_order() {
        let t = p(&["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z"], "UTC");
        assert_eq!(t.parse("2026-03-01T17:00:00+0700").unwrap(), 1_772_359_200);
        assert_eq!(t.parse("01/03/2026 10:00").unwrap(), 1_772_359_200);
        let e = t.parse("March 1").unwrap_err();
        assert!(e.contains("%d/%m/%Y %H:%M"), "{e}");
    }

    #[test]
    fn epoch_units() {
        let us = TimeParser::new(&[], Some(TimeUnit::Us), TimeZone::UTC).unwrap();
        assert_eq!(us.parse("1772359200123456").unwrap(), 1_772_359_200);
        let ms = TimeParser::new(&[], Some(TimeUnit::Ms), TimeZone::UTC).unwrap();
        assert_eq!(ms.parse("1772359200999").unwrap(), 1_772_359_200);
        let s = TimeParser::new(&[], Some(TimeUnit::S), TimeZone::UTC).unwrap();
        assert_eq!(s.parse("1772359200.7").unwrap(), 1_772_359_200);
        // A microsecond timestamp read as seconds is out of range, not the year 57,000.
        assert!(s.parse("1772359200123456").is_err());
    }

    #[test]
    fn a_number_without_a_unit_is_an_error() {
        let t = p(&[], "UTC");
        let e = t.parse("1772359200").unwrap_err();
        assert!(e.contains("unit"), "{e}");
    }

    #[test]
    fn iso_forms() {
        let t = p(&[], "Asia/Ho_Chi_Minh");
        assert_eq!(t.parse("2026-03-01T10:00:00Z").unwrap(), 1_772_359_200);
        assert_eq!(t.parse("2026-03-01 17:00").unwrap(), 1_772_359_200);
        assert_eq!(t.parse("2026-03-01T17:00:00").unwrap(), 1_772_359_200);
        assert_eq!(t.parse("2026-03-02").unwrap(), 1_772_384_400);
        assert!(t.parse("1969-12-31T23:59:59Z").is_err());
    }
}
