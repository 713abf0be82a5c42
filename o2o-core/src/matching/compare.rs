//! Comparison levels: which level of each comparison a pair of records falls in.
//!
//! A pair's level for a comparison is a byte: 0 when either value is missing (the `null`
//! level, which weighs nothing), `1..=L` for the first of the `L` levels whose test passes,
//! `L + 1` for `else`. Dates and numbers are parsed once per distinct value, not per pair.

use super::MatchError;
use super::records::{NULL, Records};
use super::settings::{Comparison, Level};

/// The `null` level.
pub(crate) const NULL_LEVEL: u8 = 0;

/// A comparison ready to run on a set of records.
pub(crate) struct Compiled<'a> {
    pub column: usize,
    pub spec: &'a Comparison,
    /// Days since 1970-01-01 of each distinct value, when it is a date.
    dates: Vec<Option<i32>>,
    /// Each distinct value as a number, when it is one.
    numbers: Vec<Option<f64>>,
    /// Each distinct value's length in characters and character histogram (32 buckets), for
    /// comparisons with a string-similarity level: bounds that settle most pairs without
    /// computing the similarity.
    shapes: Vec<Shape>,
}

/// A value's length and character histogram.
#[derive(Clone, Copy)]
struct Shape {
    len: u32,
    hist: [u8; 32],
}

impl Shape {
    fn of(s: &str) -> Self {
        let mut hist = [0u8; 32];
        let mut len = 0u32;
        for c in s.chars() {
            let h = &mut hist[(c as u32 % 32) as usize];
            *h = h.saturating_add(1);
            len += 1;
        }
        Shape { len, hist }
    }

    /// At least as many as the characters the two strings have in common (as multisets):
    /// characters in one bucket count as equal, and a saturated bucket gives up (the shorter
    /// length).
    fn common(&self, other: &Shape) -> u32 {
        let mut n = 0u32;
        for (a, b) in self.hist.iter().zip(&other.hist) {
            if *a == u8::MAX || *b == u8::MAX {
                return self.len.min(other.len);
            }
            n += u32::from((*a).min(*b));
        }
        n.min(self.len).min(other.len)
    }
}

/// A pair's similarities, computed at most once each for all the levels of a comparison.
#[derive(Default)]
struct Metrics {
    jaro_winkler: Option<f64>,
    levenshtein: Option<usize>,
    damerau: Option<usize>,
}

impl<'a> Compiled<'a> {
    pub fn new(spec: &'a Comparison, records: &Records) -> Result<Self, MatchError> {
        let column = records
            .column(&spec.field)
            .ok_or_else(|| MatchError::MissingField(spec.field.clone()))?;
        if spec.levels.len() > 250 {
            return Err(MatchError::Settings {
                file: String::new(),
                message: format!("`{}`: more than 250 levels", spec.field),
            });
        }
        let values = &records.columns[column].values;
        let has = |f: fn(&Level) -> bool| spec.levels.iter().any(f);
        let dates = if has(|l| matches!(l, Level::Date { .. })) || spec.invalid_dates_as_null {
            values.iter().map(|v| parse_date(v)).collect()
        } else {
            Vec::new()
        };
        let numbers = if has(|l| matches!(l, Level::Numeric { .. } | Level::NumericPercent { .. }))
        {
            values.iter().map(|v| v.parse::<f64>().ok()).collect()
        } else {
            Vec::new()
        };
        let shapes = if has(|l| {
            matches!(
                l,
                Level::JaroWinkler { .. }
                    | Level::Levenshtein { .. }
                    | Level::DamerauLevenshtein { .. }
            )
        }) {
            values.iter().map(|v| Shape::of(v)).collect()
        } else {
            Vec::new()
        };
        Ok(Compiled {
            column,
            spec,
            dates,
            numbers,
            shapes,
        })
    }

    /// Levels, `else` included (the highest level byte).
    pub fn else_level(&self) -> u8 {
        // At most 250 levels (checked in `new`).
        self.spec.levels.len() as u8 + 1
    }

    /// The level of a pair of value numbers.
    pub fn level(&self, records: &Records, a: u32, b: u32) -> u8 {
        if a == NULL || b == NULL {
            return NULL_LEVEL;
        }
        if self.spec.invalid_dates_as_null
            && (self.dates[a as usize].is_none() || self.dates[b as usize].is_none())
        {
            return NULL_LEVEL;
        }
        let values = &records.columns[self.column].values;
        let mut metrics = Metrics::default();
        for (i, level) in self.spec.levels.iter().enumerate() {
            if self.passes(level, values, a, b, &mut metrics) {
                return i as u8 + 1;
            }
        }
        self.else_level()
    }

    /// Jaro–Winkler of values `a` and `b`, or an upper bound of it when that bound is below
    /// `at_least` (then the exact value cannot pass).
    fn jaro_winkler(
        &self,
        values: &[String],
        a: u32,
        b: u32,
        at_least: f64,
        m: &mut Metrics,
    ) -> f64 {
        if let Some(v) = m.jaro_winkler {
            return v;
        }
        let (x, y) = (&self.shapes[a as usize], &self.shapes[b as usize]);
        // Jaro's matching characters are common characters, and no transposition can raise
        // it: jaro <= (c/|a| + c/|b| + 1) / 3; Winkler's bonus adds at most 0.4 (1 − jaro).
        let c = f64::from(x.common(y));
        let bound = if c == 0.0 {
            0.0
        } else {
            let jaro = (c / f64::from(x.len) + c / f64::from(y.len) + 1.0) / 3.0;
            jaro + 0.4 * (1.0 - jaro)
        };
        if bound < at_least {
            // Not cached: a later level with a lower threshold may need the exact value.
            return bound;
        }
        let v = strsim::jaro_winkler(&values[a as usize], &values[b as usize]);
        m.jaro_winkler = Some(v);
        v
    }

    /// A lower bound of both edit distances from the characters the values do not share
    /// (each must be inserted, deleted or substituted).
    fn edit_floor(&self, a: u32, b: u32) -> usize {
        let (x, y) = (&self.shapes[a as usize], &self.shapes[b as usize]);
        (x.len.max(y.len) - x.common(y)) as usize
    }

    fn passes(&self, level: &Level, values: &[String], a: u32, b: u32, m: &mut Metrics) -> bool {
        if a == b {
            // Equal values pass every test that a value passes against itself.
            return match level {
                Level::Date { .. } => self.dates[a as usize].is_some(),
                Level::Numeric { .. } | Level::NumericPercent { .. } => {
                    self.numbers[a as usize].is_some()
                }
                _ => true,
            };
        }
        let (x, y) = (values[a as usize].as_str(), values[b as usize].as_str());
        match level {
            Level::Exact { .. } => false,
            Level::JaroWinkler { threshold } => {
                self.jaro_winkler(values, a, b, *threshold, m) >= *threshold
            }
            Level::Levenshtein { max } => {
                if self.edit_floor(a, b) > *max {
                    return false;
                }
                *m.levenshtein
                    .get_or_insert_with(|| strsim::levenshtein(x, y))
                    <= *max
            }
            Level::DamerauLevenshtein { max } => {
                if self.edit_floor(a, b) > *max {
                    return false;
                }
                // A transposition is one Damerau edit and two Levenshtein ones, so
                // lev / 2 <= damerau <= lev: the full (slower) distance only in between.
                let lev = *m
                    .levenshtein
                    .get_or_insert_with(|| strsim::levenshtein(x, y));
                lev <= *max
                    || (lev <= 2 * *max
                        && *m
                            .damerau
                            .get_or_insert_with(|| strsim::damerau_levenshtein(x, y))
                            <= *max)
            }
            Level::Date { within_days } => match (self.dates[a as usize], self.dates[b as usize]) {
                (Some(p), Some(q)) => f64::from((p - q).abs()) <= *within_days,
                _ => false,
            },
            Level::Numeric { within } => {
                match (self.numbers[a as usize], self.numbers[b as usize]) {
                    (Some(p), Some(q)) => (p - q).abs() <= *within,
                    _ => false,
                }
            }
            Level::NumericPercent { within_percent } => {
                match (self.numbers[a as usize], self.numbers[b as usize]) {
                    (Some(p), Some(q)) => {
                        (p - q).abs() <= within_percent / 100.0 * p.abs().max(q.abs())
                    }
                    _ => false,
                }
            }
        }
    }

    /// Whether `level` (a level byte) is an exact level with term-frequency adjustment.
    pub fn tf_level(&self, level: u8) -> bool {
        level >= 1
            && matches!(
                self.spec.levels.get(level as usize - 1),
                Some(Level::Exact {
                    term_frequency: true
                })
            )
    }

    /// How the waterfall names a level byte.
    pub fn label(&self, level: u8) -> String {
        match level {
            NULL_LEVEL => "null".to_owned(),
            l if l == self.else_level() => "else".to_owned(),
            l => self.spec.levels[l as usize - 1].label(),
        }
    }
}

/// Days since 1970-01-01 of `YYYYMMDD` or `YYYY-MM-DD` (also `/`), `None` if not a real date.
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let well_formed = match s.len() {
        8 => digits.len() == 8,
        10 => digits.len() == 8 && matches!(&s[4..5], "-" | "/") && s[4..5] == s[7..8],
        _ => false,
    };
    if !well_formed {
        return None;
    }
    let y: i32 = digits[0..4].parse().ok()?;
    let m: u8 = digits[4..6].parse().ok()?;
    let d: u8 = digits[6..8].parse().ok()?;
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, d).ok()?;
    Some(date.to_julian_day() - 2_440_588)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_both_layouts_and_refuse_impossible_days() {
        assert_eq!(parse_date("19700101"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("19000229"), None);
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        assert_eq!(parse_date("2000-0229"), None);
        assert_eq!(parse_date("abc"), None);
    }
}

#[cfg(test)]
mod bounds {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::matching::settings::Comparison;
    use proptest::prelude::*;

    proptest! {
        /// The bounds only skip similarities that could not pass: levels are those of the
        /// plain computation.
        #[test]
        fn bounded_levels_equal_plain_levels(x in "[a-eé]{0,9}", y in "[a-eé]{0,9}") {
            let spec = Comparison {
                field: "f".into(),
                levels: vec![
                    Level::JaroWinkler { threshold: 0.92 },
                    Level::DamerauLevenshtein { max: 1 },
                    Level::JaroWinkler { threshold: 0.8 },
                    Level::Levenshtein { max: 2 },
                    Level::JaroWinkler { threshold: 0.5 },
                ],
                invalid_dates_as_null: false,
            };
            let mut r = Records::new(&["f"]);
            r.push("1", "", &[Some(x.as_str())], 1).unwrap();
            r.push("2", "", &[Some(y.as_str())], 2).unwrap();
            let c = Compiled::new(&spec, &r).unwrap();
            let (a, b) = (r.columns[0].of[0], r.columns[0].of[1]);
            let got = c.level(&r, a, b);
            let (x, y) = (x.trim(), y.trim());
            let want = if x.is_empty() || y.is_empty() {
                NULL_LEVEL
            } else {
                let jw = strsim::jaro_winkler(x, y);
                let plain = [
                    jw >= 0.92,
                    strsim::damerau_levenshtein(x, y) <= 1,
                    jw >= 0.8,
                    strsim::levenshtein(x, y) <= 2,
                    jw >= 0.5,
                ];
                plain.iter().position(|p| *p).map_or(6, |i| i as u8 + 1)
            };
            prop_assert_eq!(got, want);
        }
    }
}
