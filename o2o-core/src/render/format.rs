//! Numbers as people read them: thousands separators, money with its currency and minor unit,
//! percentages, intervals, and local dates.

/// Decimal digits of a currency's minor unit (ISO 4217): 0 for currencies without one in
/// practice, 3 for the dinars, 2 otherwise.
#[must_use]
pub fn minor_digits(currency: &str) -> usize {
    match currency {
        "VND" | "JPY" | "KRW" | "IDR" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// `x` with `digits` decimals and a thousands separator: `1234567.891, 2` → `1,234,567.89`.
///
/// ```
/// use o2o_core::render::format::thousands;
/// assert_eq!(thousands(1234567.891, 2), "1,234,567.89");
/// assert_eq!(thousands(-1234.0, 0), "−1,234");
/// ```
#[must_use]
pub fn thousands(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let s = format!("{:.*}", digits, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 2);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    // A value that rounds to zero shows no sign.
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '−');
    }
    out
}

/// Money in `currency`, rounded to its minor unit: `1234.5, "USD"` → `1,234.50 USD`.
///
/// ```
/// use o2o_core::render::format::money;
/// assert_eq!(money(1234.5, "USD"), "1,234.50 USD");
/// assert_eq!(money(25_000_000.0, "VND"), "25,000,000 VND");
/// ```
#[must_use]
pub fn money(x: f64, currency: &str) -> String {
    let s = thousands(x, minor_digits(currency));
    if currency.is_empty() {
        s
    } else {
        format!("{s} {currency}")
    }
}

/// A count or estimate with a sensible number of decimals: none at 100 or more, one below.
#[must_use]
pub fn count(x: f64) -> String {
    thousands(x, if x.abs() >= 100.0 { 0 } else { 1 })
}

/// Decimals `count` shows for `x` (the DOM carries them so a test can compare).
#[must_use]
pub fn count_digits(x: f64) -> usize {
    if x.abs() >= 100.0 { 0 } else { 1 }
}

/// A ratio as a percentage: `0.0812` → `+8.1 %` when `signed`, else `8.1 %`.
#[must_use]
pub fn percent(x: f64, signed: bool) -> String {
    let v = x * 100.0;
    let body = thousands(v.abs(), 1);
    let sign = if !signed || body == "0.0" {
        ""
    } else if v < 0.0 {
        "−"
    } else {
        "+"
    };
    let sign = if !signed && v < 0.0 && body != "0.0" {
        "−"
    } else {
        sign
    };
    format!("{sign}{body} %")
}

/// An interval: `[lo, hi]` formatted by `f`, joined with an en dash.
pub fn interval(ci: [f64; 2], f: impl Fn(f64) -> String) -> String {
    format!("{} to {}", f(ci[0]), f(ci[1]))
}

/// A Unix time as a local date and time in `tz` (IANA name): `2026-03-01 14:05`.
#[cfg(feature = "ingest")]
#[must_use]
pub fn local_datetime(ts: i64, tz: &str) -> String {
    let Ok(t) = jiff::Timestamp::from_second(ts) else {
        return ts.to_string();
    };
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    zone.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A Unix time's local date in `tz`: `2026-03-01`.
#[cfg(feature = "ingest")]
#[must_use]
pub fn local_date(ts: i64, tz: &str) -> String {
    let Ok(t) = jiff::Timestamp::from_second(ts) else {
        return ts.to_string();
    };
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    zone.to_datetime(t).strftime("%Y-%m-%d").to_string()
}

/// A local date (`YYYY-MM-DD`) in words: `1 Mar 2026`.
#[must_use]
pub fn date_words(d: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = d.splitn(3, '-');
    match (
        it.next(),
        it.next().and_then(|m| m.parse::<usize>().ok()),
        it.next(),
    ) {
        (Some(y), Some(m @ 1..=12), Some(day)) => {
            format!("{} {} {y}", day.trim_start_matches('0'), MONTHS[m - 1])
        }
        _ => d.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_and_signs() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(-0.004, 2), "0.00");
        assert_eq!(thousands(123456.789, 1), "123,456.8");
        assert_eq!(thousands(f64::NAN, 1), "–");
    }

    #[test]
    fn money_uses_the_minor_unit() {
        assert_eq!(money(12.345, "KWD"), "12.345 KWD");
        assert_eq!(money(1999.999, "EUR"), "2,000.00 EUR");
        assert_eq!(money(5.0, ""), "5.00");
    }

    #[test]
    fn percent_and_dates() {
        assert_eq!(percent(0.0812, true), "+8.1 %");
        assert_eq!(percent(-0.5, true), "−50.0 %");
        assert_eq!(percent(0.25, false), "25.0 %");
        assert_eq!(date_words("2026-03-01"), "1 Mar 2026");
        // 2026-01-01T00:00Z is 07:00 in Ho Chi Minh City.
        assert_eq!(local_date(1_767_225_600, "Asia/Ho_Chi_Minh"), "2026-01-01");
        assert_eq!(
            local_datetime(1_767_225_600, "Asia/Ho_Chi_Minh"),
            "2026-01-01 07:00"
        );
        assert_eq!(local_date(1_767_222_000, "Asia/Ho_Chi_Minh"), "2026-01-01");
        assert_eq!(local_date(1_767_222_000, "UTC"), "2025-12-31");
    }
}
