//! The path table: identical journeys aggregated into (path, conversions, value, nulls).
//!
//! This is ChannelAttribution's input format, so tables move freely between o2o and that tool:
//! a header `path;total_conversions;total_conversion_value;total_null` (`;` or `,` delimited,
//! detected from the header; the value and null columns optional) and paths such as
//! `facebook > email > youtube`. Every model runs on a [`PathTable`]; journeys become one through
//! [`PathTable::from_journeys`].

use super::error::{AttributionError, RowError};
use super::journey::Journey;
use super::{FastMap, fast_map};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One aggregated path: channel ids (indexes into [`PathTable::channels`]) in touch order, with
/// how many journeys along it converted, their value, and how many ended without converting.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRow {
    /// Channel ids in touch order (repeats kept; models collapse them where they need to).
    pub path: Vec<u32>,
    /// Journeys along this path that ended in a conversion.
    pub conversions: f64,
    /// Total conversion value of those journeys.
    pub value: f64,
    /// Journeys along this path that ended without a conversion.
    pub nulls: f64,
}

/// Aggregated paths over a fixed, sorted channel list.
///
/// Canonical: channels are sorted by name, each distinct path appears once, rows are sorted by
/// path. So the same journeys give the same table whatever their order, and every model's
/// output is byte-identical between runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PathTable {
    channels: Vec<String>,
    rows: Vec<PathRow>,
}

/// A parsed path table and the rows that were rejected.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedTable {
    /// The good rows, aggregated.
    pub table: PathTable,
    /// Every rejected row with its line and field.
    pub errors: Vec<RowError>,
}

/// Channel grouping: maps a raw channel or campaign name to the channel it is credited to
/// (`youtube-spring` → `youtube`, `fb` → `facebook`). Names without an entry map to themselves.
///
/// ```
/// use o2o_core::attribution::ChannelMap;
/// let map = ChannelMap::from_pairs([("fb", "facebook")]);
/// assert_eq!(map.group("fb"), "facebook");
/// assert_eq!(map.group("email"), "email");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelMap {
    map: BTreeMap<String, String>,
}

impl ChannelMap {
    /// An empty map (every name is its own channel).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A map from `(raw, channel)` pairs.
    pub fn from_pairs<I, A, B>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (A, B)>,
        A: Into<String>,
        B: Into<String>,
    {
        ChannelMap {
            map: pairs
                .into_iter()
                .map(|(a, b)| (a.into(), b.into()))
                .collect(),
        }
    }

    /// Add one mapping.
    pub fn insert(&mut self, raw: impl Into<String>, channel: impl Into<String>) {
        self.map.insert(raw.into(), channel.into());
    }

    /// The channel `raw` is credited to.
    pub fn group<'a>(&'a self, raw: &'a str) -> &'a str {
        self.map.get(raw).map_or(raw, String::as_str)
    }

    /// Whether no mapping is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Accumulates paths by channel name; [`PathTableBuilder::finish`] makes the canonical table.
#[derive(Clone, Debug)]
pub struct PathTableBuilder {
    index: FastMap<String, u32>,
    names: Vec<String>,
    rows: FastMap<Vec<u32>, [f64; 3]>,
    scratch: Vec<u32>,
}

impl Default for PathTableBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PathTableBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        PathTableBuilder {
            index: fast_map(),
            names: Vec::new(),
            rows: fast_map(),
            scratch: Vec::new(),
        }
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    /// Add `conversions`, `value` and `nulls` to the path of these channel names (in touch
    /// order). An empty path is ignored: it has nobody to credit.
    pub fn add<S: AsRef<str>>(&mut self, path: &[S], conversions: f64, value: f64, nulls: f64) {
        if path.is_empty() {
            return;
        }
        let mut ids = std::mem::take(&mut self.scratch);
        ids.clear();
        for s in path {
            let id = self.intern(s.as_ref());
            ids.push(id);
        }
        match self.rows.get_mut(ids.as_slice()) {
            Some(acc) => {
                acc[0] += conversions;
                acc[1] += value;
                acc[2] += nulls;
                self.scratch = ids;
            }
            None => {
                self.rows.insert(ids, [conversions, value, nulls]);
            }
        }
    }

    /// The canonical table: channels sorted by name, rows sorted by path.
    #[must_use]
    pub fn finish(self) -> PathTable {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        // remap[old] = new; every old id < names.len() by construction of `intern`.
        let mut remap = vec![0u32; self.names.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        let channels: Vec<String> = order
            .iter()
            .map(|&o| self.names[o as usize].clone())
            .collect();
        let mut rows: Vec<PathRow> = self
            .rows
            .into_iter()
            .map(|(p, [c, v, n])| PathRow {
                path: p.iter().map(|&o| remap[o as usize]).collect(),
                conversions: c,
                value: v,
                nulls: n,
            })
            .collect();
        rows.sort_by(|a, b| a.path.cmp(&b.path));
        PathTable { channels, rows }
    }
}

const COLUMNS: [&str; 4] = [
    "path",
    "total_conversions",
    "total_conversion_value",
    "total_null",
];

/// Split one delimited line, honouring double quotes (`""` inside quotes is a quote).
fn split_fields(line: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == delim {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

impl PathTable {
    /// Start building a table from channel names.
    #[must_use]
    pub fn builder() -> PathTableBuilder {
        PathTableBuilder::new()
    }

    /// [`PathTable::parse_str`] on bytes as read from a file: a line that is not UTF-8 is
    /// rejected on its own line (field `path`, without echoing it) instead of refusing the file,
    /// so the good rows around it are kept.
    ///
    /// ```
    /// use o2o_core::attribution::PathTable;
    /// let parsed = PathTable::parse_bytes(
    ///     b"path,total_conversions\na > b,1\n\xff > b,2\nb,3\n", ">").unwrap();
    /// assert_eq!(parsed.table.rows().len(), 2);
    /// assert_eq!(parsed.errors[0].line, 3);
    /// assert!(parsed.errors[0].message.contains("UTF-8"));
    /// ```
    pub fn parse_bytes(bytes: &[u8], sep: &str) -> Result<ParsedTable, AttributionError> {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Self::parse_str(text, sep);
        }
        // Keep the line count: a bad line becomes a blank one (skipped), and its error is added.
        let mut text = String::with_capacity(bytes.len());
        let mut bad = Vec::new();
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                text.push('\n');
            }
            match std::str::from_utf8(line) {
                Ok(l) => text.push_str(l),
                Err(e) => bad.push(RowError {
                    line: i as u64 + 1,
                    field: COLUMNS[0].to_owned(),
                    message: format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                }),
            }
        }
        let mut parsed = Self::parse_str(&text, sep)?;
        parsed.errors.extend(bad);
        parsed.errors.sort_by_key(|e| e.line);
        Ok(parsed)
    }

    /// Parse ChannelAttribution's path-table format. `sep` separates channels inside a path
    /// (`">"` by default in that tool). Bad rows are reported in [`ParsedTable::errors`] with
    /// their line and column; the good rows are kept. Only an unusable header is fatal.
    ///
    /// ```
    /// use o2o_core::attribution::PathTable;
    /// let parsed = PathTable::parse_str(
    ///     "path,total_conversions,total_null\na > b,1,3\nb,x,1\n", ">").unwrap();
    /// assert_eq!(parsed.table.rows().len(), 1);
    /// assert_eq!(parsed.errors[0].line, 3);
    /// assert_eq!(parsed.errors[0].field, "total_conversions");
    /// ```
    pub fn parse_str(text: &str, sep: &str) -> Result<ParsedTable, AttributionError> {
        if sep.trim().is_empty() {
            return Err(AttributionError::Config {
                field: "sep".into(),
                message: "the path separator must not be blank".into(),
            });
        }
        let sep = sep.trim();
        let mut lines = text.lines().enumerate();
        let (header_line, header) = loop {
            match lines.next() {
                Some((_, l)) if l.trim().is_empty() => continue,
                Some((i, l)) => break (i as u64 + 1, l.trim_start_matches('\u{feff}')),
                None => return Err(AttributionError::Header("the input is empty".into())),
            }
        };
        let delim = if header.contains(';') { ';' } else { ',' };
        let names: Vec<String> = split_fields(header, delim)
            .into_iter()
            .map(|s| s.trim().to_owned())
            .collect();
        let col = |name: &str| names.iter().position(|n| n == name);
        let Some(path_col) = col(COLUMNS[0]) else {
            return Err(AttributionError::Header(format!(
                "no `path` column in `{header}` (line {header_line}; expected `path;total_conversions[;total_conversion_value][;total_null]`)"
            )));
        };
        let Some(conv_col) = col(COLUMNS[1]) else {
            return Err(AttributionError::Header(format!(
                "no `total_conversions` column in `{header}` (line {header_line})"
            )));
        };
        let value_col = col(COLUMNS[2]);
        let null_col = col(COLUMNS[3]);
        let mut b = PathTableBuilder::new();
        let mut errors = Vec::new();
        for (i, raw) in lines {
            let line = i as u64 + 1;
            let raw = raw.trim_end_matches('\r');
            if raw.trim().is_empty() {
                continue;
            }
            let fields = split_fields(raw, delim);
            let mut channels: Vec<&str> = Vec::new();
            let err = |field: &str, message: String| RowError {
                line,
                field: field.to_owned(),
                message,
            };
            let num = |idx: Option<usize>, field: &str| -> Result<f64, RowError> {
                let Some(idx) = idx else { return Ok(0.0) };
                let Some(s) = fields.get(idx) else {
                    return Err(err(
                        field,
                        format!("missing (the row has {} fields)", fields.len()),
                    ));
                };
                let s = s.trim();
                if s.is_empty() && field != COLUMNS[1] {
                    return Ok(0.0);
                }
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                    Ok(v) => Err(err(
                        field,
                        format!("{v} is not a finite non-negative number"),
                    )),
                    Err(_) => Err(err(field, format!("`{s}` is not a number"))),
                }
            };
            let parsed = (|| -> Result<(f64, f64, f64), RowError> {
                let path = fields
                    .get(path_col)
                    .ok_or_else(|| err(COLUMNS[0], "missing".into()))?;
                for (k, c) in path.split(sep).enumerate() {
                    let c = c.trim();
                    if c.is_empty() {
                        return Err(err(
                            COLUMNS[0],
                            format!("touch {} of `{path}` is an empty channel name", k + 1),
                        ));
                    }
                    channels.push(c);
                }
                let conv = num(Some(conv_col), COLUMNS[1])?;
                let value = num(value_col, COLUMNS[2])?;
                let nulls = num(null_col, COLUMNS[3])?;
                Ok((conv, value, nulls))
            })();
            match parsed {
                Ok((conv, value, nulls)) => b.add(&channels, conv, value, nulls),
                Err(e) => errors.push(e),
            }
        }
        Ok(ParsedTable {
            table: b.finish(),
            errors,
        })
    }

    /// Aggregate journeys into a table: each journey's channel sequence is one path; a converted
    /// journey adds one conversion and its value, an unconverted one adds one null. Journeys
    /// without touchpoints are left out (nobody to credit).
    pub fn from_journeys<K>(journeys: &[Journey<K>]) -> PathTable {
        let mut b = PathTableBuilder::new();
        let mut names: Vec<&str> = Vec::new();
        for j in journeys {
            names.clear();
            names.extend(j.touches.iter().map(|t| t.channel.as_str()));
            if j.converted {
                b.add(&names, 1.0, j.value, 0.0);
            } else {
                b.add(&names, 0.0, 0.0, 1.0);
            }
        }
        b.finish()
    }

    /// Channel names, sorted; a path's ids index this list.
    #[must_use]
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The rows, sorted by path.
    #[must_use]
    pub fn rows(&self) -> &[PathRow] {
        &self.rows
    }

    /// The id of a channel name.
    #[must_use]
    pub fn channel_id(&self, name: &str) -> Option<u32> {
        self.channels
            .binary_search_by(|c| c.as_str().cmp(name))
            .ok()
            .map(|i| i as u32)
    }

    /// Total conversions over all rows.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.rows.iter().map(|r| r.conversions).sum()
    }

    /// Total conversion value over all rows.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.rows.iter().map(|r| r.value).sum()
    }

    /// Total nulls over all rows.
    #[must_use]
    pub fn total_nulls(&self) -> f64 {
        self.rows.iter().map(|r| r.nulls).sum()
    }

    /// The same table with channels regrouped through `map` (paths that become identical merge).
    #[must_use]
    pub fn regroup(&self, map: &ChannelMap) -> PathTable {
        let mut b = PathTableBuilder::new();
        let mut names: Vec<&str> = Vec::new();
        for r in &self.rows {
            names.clear();
            // Every id in a row indexes `channels` (canonical table invariant).
            names.extend(
                r.path
                    .iter()
                    .map(|&c| map.group(&self.channels[c as usize])),
            );
            b.add(&names, r.conversions, r.value, r.nulls);
        }
        b.finish()
    }

    /// The path of a row as names joined by ` {sep} `.
    #[must_use]
    pub fn path_string(&self, row: &PathRow, sep: &str) -> String {
        let mut s = String::new();
        for (k, &c) in row.path.iter().enumerate() {
            if k > 0 {
                let _ = write!(s, " {sep} ");
            }
            s.push_str(&self.channels[c as usize]);
        }
        s
    }

    /// Write the table in ChannelAttribution's `;`-delimited format (with all four columns), so
    /// the same data can be run through that tool.
    #[must_use]
    pub fn to_csv(&self, sep: &str) -> String {
        let mut s = String::from("path;total_conversions;total_conversion_value;total_null\n");
        for r in &self.rows {
            let _ = writeln!(
                s,
                "{};{};{};{}",
                self.path_string(r, sep),
                r.conversions,
                r.value,
                r.nulls
            );
        }
        s
    }
}
