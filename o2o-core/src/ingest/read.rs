//! Reading one file under a compiled map: framing, decoding per format, the map applied to each
//! row, item rows grouped into their receipt, and a tally of everything kept, skipped and
//! rejected.

use super::assemble::{Assembler, Outcome, Reject};
use super::compile::{CompiledMap, Field};
use super::input::{Frame, Framer, Framing};
use super::map::Format;
use super::row::{CsvRow, JsonPath, JsonRow, Row};
use crate::event::{Event, IdKind, Record};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::BufRead;
use xxhash_rust::xxh3::xxh3_128;

/// A failure that stops reading a file (the rows already read stay counted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Reading failed.
    #[error("{file}: I/O error after line {line}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The last line read.
        line: u64,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not fit the map (a column the map names is missing, the header is empty).
    #[error("{file}: {message}")]
    Header {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A Parquet file could not be read.
    #[error("{file}: not a readable Parquet file: {message}")]
    Parquet {
        /// The file.
        file: String,
        /// The reader's message.
        message: String,
    },
}

/// One rejected row, as written to the rejects file: where it is and what is wrong. Never the
/// raw value (only its shape).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The file.
    pub file: String,
    /// The line the row starts on (for Parquet, the row number from 1).
    pub line: u64,
    /// The map key or column at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
    /// The shape of the value at fault (`99/99/9999`), when it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}", self.file, self.line)?;
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        match &self.shape {
            Some(s) => write!(f, ": `{s}` {}", self.reason),
            None => write!(f, ": {}", self.reason),
        }
    }
}

/// Counts of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FileStats {
    /// Rows read (not counting a header or blank lines).
    pub rows: u64,
    /// Records produced (item rows of one receipt make one record; an order collected in a
    /// store makes two).
    pub records: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows skipped by `skip_if` (or a consent row saying nothing).
    pub skipped: u64,
    /// Rejected rows by field and reason.
    pub by_reason: BTreeMap<String, u64>,
    /// Identifier values dropped because they are not valid values of their kind, by kind.
    pub dropped_identifiers: BTreeMap<String, u64>,
}

impl FileStats {
    /// The rejected share of rows, in percent.
    #[must_use]
    pub fn rejected_percent(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            100.0 * self.rejected as f64 / self.rows as f64
        }
    }
}

/// What the reader yields.
// Records are nearly every output: boxing them to shrink the rare rejection would allocate per row.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Output {
    /// A record, its dedupe key and the line it starts on.
    Record {
        /// The record.
        record: Record,
        /// Its key (source name and dedupe columns, or its content).
        key: u128,
        /// Its line.
        line: u64,
    },
    /// A rejected row.
    Rejected(RowError),
}

// One decoder per file: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Decoder<R> {
    Csv {
        framer: Framer<R>,
        core: csv_core::Reader,
        out: Vec<u8>,
        ends: Vec<usize>,
        binding: Vec<usize>,
    },
    Json {
        framer: Framer<R>,
        paths: Vec<JsonPath>,
        ga4: bool,
    },
    Rows {
        rows: Box<dyn Iterator<Item = Result<serde_json::Value, String>>>,
        paths: Vec<JsonPath>,
        ga4: bool,
        line: u64,
    },
}

/// A group of item rows waiting for their receipt's last row.
struct Pending {
    group: String,
    records: Vec<Record>,
    key: u128,
    line: u64,
    value_mapped: bool,
}

/// Reads one file's records under a map.
pub struct FileReader<'m, R> {
    map: &'m CompiledMap,
    file: String,
    decoder: Decoder<R>,
    asm: Assembler<'m>,
    pending: Option<Pending>,
    ready: std::collections::VecDeque<Output>,
    stats: FileStats,
    done: bool,
}

impl<'m, R: BufRead> FileReader<'m, R> {
    /// Read a text file (CSV, NDJSON, GA4 as NDJSON) from `input` (opened with
    /// [`super::open`]), naming it `file` in provenance and errors.
    pub fn text(map: &'m CompiledMap, file: &str, input: R) -> Result<Self, IngestError> {
        let cap = map.max_record_bytes;
        let decoder = match map.format() {
            Format::Csv => {
                let mut framer = Framer::new(input, Framing::Csv { quote: map.quote }, cap);
                let header = read_header(map, file, &mut framer)?;
                Decoder::Csv {
                    framer,
                    core: csv_core::ReaderBuilder::new()
                        .delimiter(map.delimiter)
                        .quote(map.quote)
                        .build(),
                    out: Vec::with_capacity(1024),
                    ends: Vec::with_capacity(64),
                    binding: header,
                }
            }
            Format::Ndjson | Format::Ga4 => Decoder::Json {
                framer: Framer::new(input, Framing::Lines, cap),
                paths: json_paths(map),
                ga4: map.format() == Format::Ga4,
            },
            Format::Parquet => {
                return Err(IngestError::Header {
                    file: file.to_owned(),
                    message: "a Parquet map reads Parquet files (this one is text)".to_owned(),
                });
            }
        };
        Ok(Self::with(map, file, decoder))
    }
}

impl<'m> FileReader<'m, std::io::Empty> {
    /// Read rows given as JSON objects (a Parquet file's rows, from `store::parquet_rows`).
    #[must_use]
    pub fn rows(
        map: &'m CompiledMap,
        file: &str,
        rows: Box<dyn Iterator<Item = Result<serde_json::Value, String>>>,
    ) -> Self {
        let decoder = Decoder::Rows {
            rows,
            paths: json_paths(map),
            ga4: map.format() == Format::Ga4,
            line: 0,
        };
        Self::with(map, file, decoder)
    }
}

fn json_paths(map: &CompiledMap) -> Vec<JsonPath> {
    map.columns.iter().map(|c| JsonPath::new(c)).collect()
}

fn read_header<R: BufRead>(
    map: &CompiledMap,
    file: &str,
    framer: &mut Framer<R>,
) -> Result<Vec<usize>, IngestError> {
    let bad = |message: String| IngestError::Header {
        file: file.to_owned(),
        message,
    };
    let names: Vec<String> = loop {
        match framer.next_frame().map_err(|source| IngestError::Io {
            file: file.to_owned(),
            line: 0,
            source,
        })? {
            None => return Err(bad("empty file: no header row".to_owned())),
            Some(Frame::TooLarge { .. }) => {
                return Err(bad(format!(
                    "the header row is larger than {} bytes (is this a CSV file?)",
                    map.max_record_bytes
                )));
            }
            Some(Frame::Record { bytes, .. }) if bytes.iter().all(u8::is_ascii_whitespace) => {}
            Some(Frame::Record { bytes, .. }) => {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .delimiter(map.delimiter)
                    .quote(map.quote)
                    .from_reader(bytes);
                let mut rec = csv::ByteRecord::new();
                r.read_byte_record(&mut rec)
                    .map_err(|e| bad(format!("header: {e}")))?;
                break rec
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                    .collect();
            }
        }
    };
    let mut binding = Vec::with_capacity(map.columns.len());
    for col in &map.columns {
        let i = names
            .iter()
            .position(|n| n == col)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(col)));
        match i {
            Some(i) => binding.push(i),
            None => {
                let shown: Vec<&str> = names.iter().take(40).map(String::as_str).collect();
                return Err(bad(format!(
                    "the map reads column `{col}`, which the header does not have (its columns: {}{}; delimiter `{}`)",
                    shown.join(", "),
                    if names.len() > 40 { ", …" } else { "" },
                    char::from(map.delimiter).escape_default()
                )));
            }
        }
    }
    Ok(binding)
}

impl<'m, R: BufRead> FileReader<'m, R> {
    fn with(map: &'m CompiledMap, file: &str, decoder: Decoder<R>) -> Self {
        FileReader {
            map,
            file: file.to_owned(),
            decoder,
            asm: Assembler::new(map),
            pending: None,
            ready: std::collections::VecDeque::new(),
            stats: FileStats::default(),
            done: false,
        }
    }

    /// The file's name as given (kept as every record's provenance).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The counts so far (complete once [`FileReader::next_output`] returned `None`).
    pub fn stats(&self) -> &FileStats {
        &self.stats
    }

    /// The file's counts, with the identifier values dropped.
    pub fn into_stats(mut self) -> FileStats {
        self.fill_dropped();
        self.stats
    }

    fn fill_dropped(&mut self) {
        for (kind, n) in IdKind::ALL.iter().zip(self.asm.dropped) {
            if n > 0 {
                self.stats
                    .dropped_identifiers
                    .insert(kind.as_str().to_owned(), n);
            }
        }
    }

    /// Bytes of the (decompressed) input consumed so far.
    pub fn consumed(&self) -> u64 {
        match &self.decoder {
            Decoder::Csv { framer, .. } | Decoder::Json { framer, .. } => framer.consumed(),
            Decoder::Rows { .. } => 0,
        }
    }

    /// The next record or rejected row; `None` at the end of the file.
    pub fn next_output(&mut self) -> Result<Option<Output>, IngestError> {
        loop {
            if let Some(o) = self.ready.pop_front() {
                return Ok(Some(o));
            }
            if self.done {
                if let Some(p) = self.pending.take() {
                    self.emit(p.records, p.key, p.line);
                    continue;
                }
                self.fill_dropped();
                return Ok(None);
            }
            self.step()?;
        }
    }

    /// Read one row (or reach the end) and queue what it gives.
    fn step(&mut self) -> Result<(), IngestError> {
        let file = &self.file;
        let io = |line: u64| {
            let file = file.clone();
            move |source| IngestError::Io { file, line, source }
        };
        let (outcome, line) = match &mut self.decoder {
            Decoder::Csv {
                framer,
                core,
                out,
                ends,
                binding,
            } => {
                let frame = framer.next_frame().map_err(io(0))?;
                match frame {
                    None => {
                        self.done = true;
                        return Ok(());
                    }
                    Some(Frame::TooLarge { line }) => (too_large(self.map), line),
                    Some(Frame::Record { bytes, line }) => {
                        if bytes.iter().all(u8::is_ascii_whitespace) {
                            return Ok(());
                        }
                        match split_csv(core, bytes, out, ends) {
                            Ok(()) => {
                                let row = CsvRow {
                                    bytes: out,
                                    ends,
                                    binding,
                                };
                                (self.asm.row(&row), line)
                            }
                            Err(reason) => (Outcome::Rejected(Reject::new("row", reason)), line),
                        }
                    }
                }
            }
            Decoder::Json { framer, paths, ga4 } => {
                let frame = framer.next_frame().map_err(io(0))?;
                match frame {
                    None => {
                        self.done = true;
                        return Ok(());
                    }
                    Some(Frame::TooLarge { line }) => (too_large(self.map), line),
                    Some(Frame::Record { bytes, line }) => {
                        if bytes.iter().all(u8::is_ascii_whitespace) {
                            return Ok(());
                        }
                        let outcome = match json_object(bytes) {
                            Ok(v) => json_outcome(&mut self.asm, v, paths, *ga4),
                            Err(r) => Outcome::Rejected(r),
                        };
                        (outcome, line)
                    }
                }
            }
            Decoder::Rows {
                rows,
                paths,
                ga4,
                line,
            } => match rows.next() {
                None => {
                    self.done = true;
                    return Ok(());
                }
                Some(Err(message)) => {
                    return Err(IngestError::Parquet {
                        file: self.file.clone(),
                        message,
                    });
                }
                Some(Ok(v)) => {
                    *line += 1;
                    (json_outcome(&mut self.asm, v, paths, *ga4), *line)
                }
            },
        };
        self.stats.rows += 1;
        match outcome {
            Outcome::Skipped => self.stats.skipped += 1,
            Outcome::Rejected(r) => self.reject(r, line),
            Outcome::Records {
                records,
                key,
                group,
            } => self.group(records, key, group, line),
        }
        Ok(())
    }

    fn reject(&mut self, r: Reject, line: u64) {
        self.stats.rejected += 1;
        let class = match &r.field {
            Some(f) => format!("{f}: {}", r.reason),
            None => r.reason.clone(),
        };
        *self.stats.by_reason.entry(class).or_default() += 1;
        self.ready.push_back(Output::Rejected(RowError {
            file: self.file.clone(),
            line,
            field: r.field,
            reason: r.reason,
            shape: r.shape,
        }));
    }

    /// Item rows sharing an id (consecutive) become one record; anything else passes through.
    fn group(&mut self, records: Vec<Record>, key: u128, group: Option<String>, line: u64) {
        let Some(group) = group else {
            if let Some(p) = self.pending.take() {
                self.emit(p.records, p.key, p.line);
            }
            self.emit(records, key, line);
            return;
        };
        match &mut self.pending {
            Some(p) if p.group == group => {
                let mut both = [0u8; 32];
                both[..16].copy_from_slice(&p.key.to_le_bytes());
                both[16..].copy_from_slice(&key.to_le_bytes());
                // With dedupe columns the receipt's key is its first row's (its id); without,
                // the content of all its rows.
                if self.map.dedupe.is_empty() {
                    p.key = xxh3_128(&both);
                }
                merge_items(&mut p.records, records, p.value_mapped);
            }
            _ => {
                if let Some(p) = self.pending.take() {
                    self.emit(p.records, p.key, p.line);
                }
                self.pending = Some(Pending {
                    group,
                    records,
                    key,
                    line,
                    value_mapped: self.map.field(Field::Value).is_some(),
                });
            }
        }
    }

    fn emit(&mut self, records: Vec<Record>, key: u128, line: u64) {
        for (i, record) in records.into_iter().enumerate() {
            self.stats.records += 1;
            // A record derived from the row (an order's pickup) has a key of its own.
            let key = if i == 0 {
                key
            } else {
                xxh3_128(&[&key.to_le_bytes()[..], &[i as u8]].concat())
            };
            self.ready.push_back(Output::Record { record, key, line });
        }
    }
}

fn too_large(map: &CompiledMap) -> Outcome {
    Outcome::Rejected(Reject::new(
        "row",
        format!(
            "record larger than {} bytes (source.max_record_bytes)",
            map.max_record_bytes
        ),
    ))
}

/// Parse a JSON line into an object.
fn json_object(bytes: &[u8]) -> Result<serde_json::Value, Reject> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Reject {
        field: None,
        reason: format!(
            "invalid JSON at column {}: {}",
            e.column(),
            e.classify_text()
        ),
        shape: None,
    })?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(Reject::new("row", "expected a JSON object"))
    }
}

trait ClassifyText {
    fn classify_text(&self) -> &'static str;
}

impl ClassifyText for serde_json::Error {
    fn classify_text(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "unexpected end",
        }
    }
}

fn json_outcome(
    asm: &mut Assembler<'_>,
    v: serde_json::Value,
    paths: &[JsonPath],
    ga4: bool,
) -> Outcome {
    let v = if ga4 {
        match super::ga4::flatten(v, &asm.map().ga4_events) {
            Ok(Some(v)) => v,
            Ok(None) => return Outcome::Skipped,
            Err(r) => return Outcome::Rejected(r),
        }
    } else {
        v
    };
    let row = JsonRow { value: &v, paths };
    asm.row(&row as &dyn Row)
}

/// Split one framed CSV record into unescaped fields.
fn split_csv(
    core: &mut csv_core::Reader,
    bytes: &[u8],
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Result<(), String> {
    core.reset();
    out.clear();
    out.resize(bytes.len() + 1, 0);
    ends.clear();
    ends.resize(bytes.len() + 2, 0);
    let mut input = bytes;
    let (mut nout, mut nends) = (0, 0);
    loop {
        let (res, nin, o, e) = core.read_record(input, &mut out[nout..], &mut ends[nends..]);
        input = &input[nin..];
        nout += o;
        nends += e;
        match res {
            csv_core::ReadRecordResult::InputEmpty => {
                if input.is_empty() {
                    // Signal the end of the record.
                    let (res, _, o, e) =
                        core.read_record(&[], &mut out[nout..], &mut ends[nends..]);
                    nout += o;
                    nends += e;
                    if matches!(
                        res,
                        csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End
                    ) {
                        break;
                    }
                    return Err("could not be split into fields".to_owned());
                }
            }
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2 + 16, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2 + 16, 0),
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
        }
    }
    out.truncate(nout);
    ends.truncate(nends);
    // Field ends are offsets into `out`, as CsvRow reads them.
    Ok(())
}

/// Append a later item row's items to the receipt (and its value, when the map gives none and
/// the value is the sum of the items).
fn merge_items(into: &mut [Record], from: Vec<Record>, value_mapped: bool) {
    let (Some(first), Some(next)) = (into.first_mut(), from.into_iter().next()) else {
        return;
    };
    match (first, next) {
        (Record::Event(Event::CheckIn(a)), Record::Event(Event::CheckIn(b))) => {
            a.items.extend(b.items);
            if !value_mapped {
                a.value = sum_items(&a.items).or(a.value);
            }
        }
        (Record::Event(Event::Touchpoint(a)), Record::Event(Event::Touchpoint(b))) => {
            if let (Some(oa), Some(ob)) = (a.order.as_mut(), b.order) {
                oa.items.extend(ob.items);
                if !value_mapped {
                    a.value = sum_items(&oa.items).or(a.value);
                }
            }
        }
        _ => {}
    }
}

fn sum_items(items: &[crate::event::Item]) -> Option<f64> {
    items
        .iter()
        .any(|i| i.price > 0.0)
        .then(|| items.iter().map(|i| f64::from(i.quantity) * i.price).sum())
}
