//! One input row, as the map sees it: cells by the map's column numbers, whatever the format.

use std::borrow::Cow;

/// Access to the cells of one row.
pub(crate) trait Row {
    /// The text of the map's column `col`: `None` when the row has no such value (absent, null).
    /// An error says why the cell cannot be read (invalid UTF-8), never what it holds.
    fn cell(&self, col: usize) -> Result<Option<Cow<'_, str>>, &'static str>;

    /// A list value (NDJSON/Parquet `items`), when the column holds one.
    fn list(&self, _col: usize) -> Option<&[serde_json::Value]> {
        None
    }
}

/// A CSV row: the unescaped fields (concatenated) and their ends, as `csv_core` writes them.
pub(crate) struct CsvRow<'a> {
    pub bytes: &'a [u8],
    pub ends: &'a [usize],
    /// Map column → field index in the header.
    pub binding: &'a [usize],
}

impl Row for CsvRow<'_> {
    fn cell(&self, col: usize) -> Result<Option<Cow<'_, str>>, &'static str> {
        let Some(&i) = self.binding.get(col) else {
            return Ok(None);
        };
        let Some(&end) = self.ends.get(i) else {
            // A short row: the field is absent.
            return Ok(None);
        };
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let raw = self.bytes.get(start..end).unwrap_or_default();
        std::str::from_utf8(raw)
            .map(|s| Some(Cow::Borrowed(s)))
            .map_err(|_| "invalid UTF-8")
    }
}

/// A JSON row (NDJSON, Parquet and GA4 rows are read into JSON values).
pub(crate) struct JsonRow<'a> {
    pub value: &'a serde_json::Value,
    /// Map column → where it is in the object.
    pub paths: &'a [JsonPath],
}

impl<'a> JsonRow<'a> {
    fn at(&self, col: usize) -> Option<&'a serde_json::Value> {
        let path = self.paths.get(col)?;
        let obj = self.value.as_object()?;
        if let Some(v) = obj.get(&path.full) {
            return Some(v);
        }
        let mut v = self.value;
        for key in &path.parts {
            v = v.as_object()?.get(key)?;
        }
        Some(v)
    }
}

impl Row for JsonRow<'_> {
    fn cell(&self, col: usize) -> Result<Option<Cow<'_, str>>, &'static str> {
        Ok(match self.at(col) {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
            Some(serde_json::Value::Number(n)) => Some(Cow::Owned(n.to_string())),
            Some(serde_json::Value::Bool(b)) => {
                Some(Cow::Borrowed(if *b { "true" } else { "false" }))
            }
            Some(other) => Some(Cow::Owned(other.to_string())),
        })
    }

    fn list(&self, col: usize) -> Option<&[serde_json::Value]> {
        self.at(col)?.as_array().map(Vec::as_slice)
    }
}

/// A column name as a place in a JSON object: the whole name as one key first (so keys with
/// dots in their names work), then the name split on dots as a path into nested objects
/// (`traffic_source.source`).
pub(crate) struct JsonPath {
    full: String,
    parts: Vec<String>,
}

impl JsonPath {
    pub(crate) fn new(name: &str) -> Self {
        JsonPath {
            full: name.to_owned(),
            parts: name.split('.').map(str::to_owned).collect(),
        }
    }
}
