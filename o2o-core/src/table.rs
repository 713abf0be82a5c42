//! Aligned plain-text tables: a header, a rule, rows; numbers right-aligned.
//!
//! At ground level, beside nothing it depends on, so that the report, attribution, survey and
//! loyalty modules all print tables without importing one another.

use std::fmt;

/// A text table. Cells are strings; a cell that starts like a number is right-aligned.
///
/// ```
/// use o2o_core::table::Table;
/// let mut t = Table::new(["channel", "visits"]);
/// t.row(["facebook", "120"]);
/// t.row(["zalo", "8"]);
/// assert_eq!(t.to_string(), "channel   visits\n----------------\nfacebook     120\nzalo           8\n");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Number of data rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no data rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Whether a cell is a number (right-aligned): digits after a sign (ASCII or the typographic
/// minus `−` the reports print), a currency sign or an opening bracket.
fn numeric(cell: &str) -> bool {
    let t = cell.trim_start_matches(['-', '\u{2212}', '+', '$', '(']);
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cols = self
            .rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.header.len()))
            .max()
            .unwrap_or(0);
        let mut width = vec![0usize; cols];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (i, c) in r.iter().enumerate() {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, r: &[String], header: bool| -> fmt::Result {
            let mut s = String::new();
            for (i, c) in r.iter().enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                let pad = " ".repeat(width[i] - c.chars().count());
                if !header && numeric(c) {
                    s.push_str(&pad);
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&pad);
                }
            }
            writeln!(f, "{}", s.trim_end())
        };
        line(f, &self.header, true)?;
        let total = width.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
        writeln!(f, "{}", "-".repeat(total))?;
        for r in &self.rows {
            line(f, r, false)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A negative number printed with the typographic minus lines up with the others.
    #[test]
    fn typographic_minus_is_right_aligned() {
        let mut t = Table::new(["campaign", "incremental"]);
        t.row(["banner", "\u{2212}8.7"]);
        t.row(["email", "10.9"]);
        let text = t.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "banner           \u{2212}8.7");
        assert_eq!(lines[3], "email            10.9");
    }
}
