//! Money: currencies, exchange rates, rounding to a currency's minor unit and display with
//! thousands separators.
//!
//! A rates table is CSV with a header `currency,date,rate`: on `date` (`YYYY-MM-DD`), one unit
//! of a common base currency bought `rate` units of `currency` (the European Central Bank's
//! reference rates are written this way; list the base itself with rate 1). An amount converts
//! from A to B on a day with the latest rates of A and B at or before that day (markets close at
//! weekends); a currency with no rate at or before the day is an error, never a guess.

use super::MeasureError;
use std::collections::BTreeMap;
use std::io::Read;

/// Decimal places of a currency's minor unit (ISO 4217, <https://www.iso.org/iso-4217-currency-codes.html>);
/// 2 for currencies not listed here.
#[must_use]
pub fn minor_unit(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `x` rounded to the minor unit of `currency` (half away from zero): `169.86600000008298`
/// USD is `169.87`.
///
/// ```
/// use o2o_core::measure::round_money;
/// assert_eq!(round_money(169.866_000_000_082_98, "USD"), 169.87);
/// assert_eq!(round_money(1_250_000.4, "VND"), 1_250_000.0);
/// ```
#[must_use]
pub fn round_money(x: f64, currency: &str) -> f64 {
    let k = 10f64.powi(minor_unit(currency) as i32);
    let r = (x * k).round() / k;
    if r == 0.0 { 0.0 } else { r }
}

/// `x` with thousands separators, the currency's decimals and its code: `1,234,567.89 USD`.
///
/// ```
/// use o2o_core::measure::format_money;
/// assert_eq!(format_money(1_234_567.891, "USD"), "1,234,567.89 USD");
/// assert_eq!(format_money(-25_000_000.0, "VND"), "-25,000,000 VND");
/// ```
#[must_use]
pub fn format_money(x: f64, currency: &str) -> String {
    if !x.is_finite() {
        return "-".to_owned();
    }
    let d = minor_unit(currency) as usize;
    format!(
        "{} {}",
        group_thousands(&format!("{:.d$}", round_money(x, currency))),
        currency
    )
}

/// Insert `,` every three digits of the integer part of a formatted number.
#[must_use]
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Exchange rates per currency and day.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rates {
    /// currency → (day, units per base unit), days sorted.
    by: BTreeMap<String, Vec<(String, f64)>>,
}

impl Rates {
    /// An empty table.
    #[must_use]
    pub fn new() -> Rates {
        Rates::default()
    }

    /// Add a rate: one base unit bought `rate` units of `currency` on `day` (`YYYY-MM-DD`).
    pub fn insert(&mut self, currency: &str, day: &str, rate: f64) {
        let list = self.by.entry(currency.to_ascii_uppercase()).or_default();
        match list.binary_search_by(|(d, _)| d.as_str().cmp(day)) {
            Ok(i) => list[i].1 = rate,
            Err(i) => list.insert(i, (day.to_owned(), rate)),
        }
    }

    /// Read a `currency,date,rate` CSV; `file` names it in errors (with the line and field).
    pub fn read_csv(input: impl Read, file: &str) -> Result<Rates, MeasureError> {
        let bad = |line: u64, field: &str, message: String| MeasureError::Rates {
            file: file.to_owned(),
            line,
            field: field.to_owned(),
            message,
        };
        let mut r = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(input);
        let header = r
            .headers()
            .map_err(|e| bad(1, "header", e.to_string()))?
            .clone();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    bad(
                        1,
                        name,
                        "missing column (expected currency,date,rate)".into(),
                    )
                })
        };
        let (c, d, x) = (col("currency")?, col("date")?, col("rate")?);
        let mut rates = Rates::new();
        for row in r.records() {
            let row =
                row.map_err(|e| bad(e.position().map_or(0, |p| p.line()), "row", e.to_string()))?;
            let line = row.position().map_or(0, |p| p.line());
            let cur = row.get(c).unwrap_or_default();
            if cur.len() != 3 || !cur.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return Err(bad(
                    line,
                    "currency",
                    format!("`{cur}` is not an ISO 4217 code"),
                ));
            }
            let day = row.get(d).unwrap_or_default();
            if day.parse::<jiff::civil::Date>().is_err() {
                return Err(bad(
                    line,
                    "date",
                    format!("`{day}` is not a date YYYY-MM-DD"),
                ));
            }
            let rate: f64 = row
                .get(x)
                .unwrap_or_default()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v > 0.0)
                .ok_or_else(|| bad(line, "rate", "not a positive number".into()))?;
            rates.insert(cur, day, rate);
        }
        Ok(rates)
    }

    fn rate(&self, currency: &str, day: &str) -> Option<f64> {
        let list = self.by.get(&currency.to_ascii_uppercase())?;
        let i = list.partition_point(|(d, _)| d.as_str() <= day);
        i.checked_sub(1).map(|i| list[i].1)
    }

    /// `amount` of `from` in `to` on `day`.
    ///
    /// ```
    /// use o2o_core::measure::Rates;
    /// let mut r = Rates::new();
    /// r.insert("USD", "2026-03-01", 1.0);
    /// r.insert("VND", "2026-03-01", 25_000.0);
    /// assert_eq!(r.convert(50_000.0, "VND", "USD", "2026-03-02").unwrap(), 2.0);
    /// assert!(r.convert(1.0, "EUR", "USD", "2026-03-02").is_err());
    /// ```
    pub fn convert(
        &self,
        amount: f64,
        from: &str,
        to: &str,
        day: &str,
    ) -> Result<f64, MeasureError> {
        if from.eq_ignore_ascii_case(to) {
            return Ok(amount);
        }
        let missing = |c: &str| MeasureError::MissingRate {
            currency: c.to_ascii_uppercase(),
            day: day.to_owned(),
        };
        let a = self.rate(from, day).ok_or_else(|| missing(from))?;
        let b = self.rate(to, day).ok_or_else(|| missing(to))?;
        Ok(amount / a * b)
    }
}
