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
        Ok(Compiled {
            column,
            spec,
            dates,
            numbers,
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
        for (i, level) in self.spec.levels.iter().enumerate() {
            if self.passes(level, values, a, b) {
                return i as u8 + 1;
            }
        }
        self.else_level()
    }

    fn passes(&self, level: &Level, values: &[String], a: u32, b: u32) -> bool {
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
            Level::JaroWinkler { threshold } => strsim::jaro_winkler(x, y) >= *threshold,
            Level::Levenshtein { max } => {
                x.len().abs_diff(y.len()) <= *max * 4 && strsim::levenshtein(x, y) <= *max
            }
            Level::DamerauLevenshtein { max } => {
                if x.len().abs_diff(y.len()) > *max * 4 {
                    return false;
                }
                // A transposition is one Damerau edit and two Levenshtein ones, so
                // lev / 2 <= damerau <= lev: the full (slower) distance only in between.
                let lev = strsim::levenshtein(x, y);
                lev <= *max || (lev <= 2 * *max && strsim::damerau_levenshtein(x, y) <= *max)
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
