//! Unix seconds as text for people: the tables of the action modules show when, not a number.

/// `2026-03-01 10:00 UTC`, or the Unix seconds themselves when outside the calendar's range.
pub(crate) fn minute(ts: i64) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&f).ok())
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_to_the_minute_in_utc() {
        assert_eq!(super::minute(1_772_359_200), "2026-03-01 10:00 UTC");
        assert_eq!(super::minute(i64::MAX), i64::MAX.to_string());
    }
}
