//! The records to match, as columns: each field's distinct values once (a dictionary), and per
//! record the number of its value, so an exact comparison is an integer comparison and a value's
//! frequency (for term-frequency adjustment) is a count.

use super::MatchError;
use super::settings::{LinkType, MatchSettings};
use ahash::AHashMap;

/// The value number meaning "missing".
pub(crate) const NULL: u32 = u32::MAX;

/// One field's values.
#[derive(Clone, Debug, Default)]
pub(crate) struct Column {
    /// Distinct values, by value number.
    pub values: Vec<String>,
    /// Each record's value number ([`NULL`] when missing).
    pub of: Vec<u32>,
    /// Records holding each value.
    pub counts: Vec<u32>,
    /// Records with a value.
    pub present: u32,
    index: AMap,
}

type AMap = AHashMap<String, u32>;

impl Column {
    fn push(&mut self, value: Option<&str>) {
        let v = value.map(str::trim).filter(|v| !v.is_empty());
        let Some(v) = v else {
            self.of.push(NULL);
            return;
        };
        let n = match self.index.get(v) {
            Some(&n) => n,
            None => {
                // A column has at most as many values as records, and records are counted in
                // u32 by `Records::push`.
                let n = self.values.len() as u32;
                self.values.push(v.to_owned());
                self.index.insert(v.to_owned(), n);
                self.counts.push(0);
                n
            }
        };
        self.counts[n as usize] += 1;
        self.present += 1;
        self.of.push(n);
    }

    /// The share of records with a value holding value `v`: its term frequency.
    pub fn frequency(&self, v: u32) -> f64 {
        f64::from(self.counts[v as usize]) / f64::from(self.present.max(1))
    }
}

/// Records to match: an id each, a source (for linking two data sets), and the fields the
/// settings read.
///
/// ```
/// use o2o_core::matching::{MatchSettings, Records};
/// let settings = MatchSettings::from_json(r#"{"unique_id_column": "id",
///   "blocking_rules": [{"on": ["zip"]}],
///   "comparisons": [{"field": "name", "levels": [{"kind": "exact"}]}]}"#).unwrap();
/// let csv = "id,name,zip\n1,Ann,10001\n2,Anne,10001\n";
/// let records = Records::from_csv(csv.as_bytes(), "people.csv", &settings).unwrap();
/// assert_eq!(records.len(), 2);
/// assert_eq!(records.id(1), "2");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Records {
    pub(crate) ids: Vec<String>,
    pub(crate) source: Vec<u8>,
    pub(crate) source_names: Vec<String>,
    pub(crate) fields: Vec<String>,
    pub(crate) columns: Vec<Column>,
    seen_ids: AHashMap<String, u64>,
}

impl Records {
    /// Empty records with these fields.
    #[must_use]
    pub fn new(fields: &[&str]) -> Self {
        Records {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            columns: vec![Column::default(); fields.len()],
            ..Records::default()
        }
    }

    /// Records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Record `i`'s id.
    #[must_use]
    pub fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    /// The fields, in column order.
    #[must_use]
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The column of `field`.
    pub(crate) fn column(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == field)
    }

    /// Add a record: its id (unique), its source name (ignored when deduplicating), and one
    /// value per field (`None` or blank when missing). `line` names it in errors.
    pub fn push(
        &mut self,
        id: &str,
        source: &str,
        values: &[Option<&str>],
        line: u64,
    ) -> Result<(), MatchError> {
        if values.len() != self.fields.len() {
            return Err(MatchError::Record {
                line,
                message: format!("{} values for {} fields", values.len(), self.fields.len()),
            });
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(MatchError::Record {
                line,
                message: "empty record id".to_owned(),
            });
        }
        if let Some(first) = self.seen_ids.get(id) {
            return Err(MatchError::Record {
                line,
                message: format!("record id already used on line {first}"),
            });
        }
        if self.ids.len() >= (NULL - 1) as usize {
            return Err(MatchError::Record {
                line,
                message: "more than 4 billion records".to_owned(),
            });
        }
        let s = match self.source_names.iter().position(|n| n == source) {
            Some(s) => s,
            None => {
                if self.source_names.len() == 2 {
                    return Err(MatchError::Record {
                        line,
                        message: "a third source: linking compares exactly two".to_owned(),
                    });
                }
                self.source_names.push(source.to_owned());
                self.source_names.len() - 1
            }
        };
        self.seen_ids.insert(id.to_owned(), line);
        self.ids.push(id.to_owned());
        self.source.push(s as u8);
        for (c, v) in self.columns.iter_mut().zip(values) {
            c.push(*v);
        }
        Ok(())
    }

    /// Read records from CSV with a header: the settings' id column, the source column when
    /// linking, and every field the settings read. A bad row is an error naming its line (no
    /// value is echoed).
    pub fn from_csv<R: std::io::Read>(
        reader: R,
        file: &str,
        settings: &MatchSettings,
    ) -> Result<Self, MatchError> {
        let in_file = |e: MatchError| MatchError::InFile {
            file: file.to_owned(),
            source: Box::new(e),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(reader);
        let header = rdr
            .headers()
            .map_err(|e| {
                in_file(MatchError::Record {
                    line: 1,
                    message: e.to_string(),
                })
            })?
            .clone();
        let col = |name: &str| {
            header.iter().position(|h| h.trim() == name).ok_or_else(|| {
                in_file(MatchError::Record {
                    line: 1,
                    message: format!("no column `{name}` in the header"),
                })
            })
        };
        let id_col = col(&settings.unique_id_column)?;
        let source_col = match settings.link_type {
            LinkType::LinkOnly => Some(col(&settings.source_column)?),
            LinkType::DedupeOnly => None,
        };
        let fields = settings.fields();
        let cols = fields
            .iter()
            .map(|f| col(f))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Records::new(&fields);
        let mut row = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut row) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(in_file(MatchError::Record {
                        line,
                        message: "unreadable CSV row (wrong number of fields or bad quoting)"
                            .to_owned(),
                    }));
                }
            }
            let line = row.position().map_or(0, |p| p.line());
            let values: Vec<Option<&str>> = cols.iter().map(|&c| row.get(c)).collect();
            let source = source_col.and_then(|c| row.get(c)).unwrap_or("");
            out.push(row.get(id_col).unwrap_or(""), source, &values, line)
                .map_err(in_file)?;
        }
        if settings.link_type == LinkType::LinkOnly && out.source_names.len() != 2 {
            return Err(in_file(MatchError::Record {
                line: 0,
                message: format!(
                    "`link_only` needs two sources in column `{}`, found {}",
                    settings.source_column,
                    out.source_names.len()
                ),
            }));
        }
        Ok(out)
    }
}
