//! How many lines the `csv` crate sees in a file: it ends a line at `\n`, `\r\n` or a bare `\r`
//! (as old Mac exports do) and numbers its errors that way. The fuzz checks bound every error's
//! line by this count, so they must count exactly as the reader does.

/// The number of lines the `csv` reader numbers in `data` (at least 1, as for an empty file).
pub(crate) fn count(data: &[u8]) -> u64 {
    let newlines = data.iter().filter(|b| **b == b'\n').count();
    let bare_cr = data
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count()
        + usize::from(data.last() == Some(&b'\r'));
    (newlines + bare_cr + 1) as u64
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_every_line_ending_the_csv_reader_knows() {
        assert_eq!(count(b""), 1);
        assert_eq!(count(b"a"), 1);
        assert_eq!(count(b"a\nb"), 2);
        assert_eq!(count(b"a\r\nb\r\n"), 3);
        assert_eq!(count(b"a\rb\rc"), 3);
        assert_eq!(count(b"a\r"), 2);
        assert_eq!(count(b"a\r\r\n"), 3);
    }

    #[test]
    fn bounds_the_lines_the_csv_reader_reports() {
        let data = b"h1,h2\r1,2\r\n\"x\ry\",3\n4";
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&data[..]);
        let last = rdr
            .records()
            .filter_map(|r| r.ok())
            .filter_map(|r| r.position().map(|p| p.line()))
            .max()
            .unwrap();
        assert!(last <= count(data), "{last} > {}", count(data));
    }
}
