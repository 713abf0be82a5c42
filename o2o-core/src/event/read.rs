//! Readers for event files: NDJSON (one event per line, what `o2o simulate` writes) and CSV
//! (a POS export, one check-in per row).
//!
//! Exports from real systems always contain some bad lines. A bad line must not cost the good
//! records around it, and the analyst must be told exactly what to fix, so every reader collects
//! a [`LineError`] (line number, field path, reason) and goes on. Only an I/O failure stops a read.

use super::{CheckIn, Event, ProductView, Touchpoint};
use serde::Serialize;
use std::io::BufRead;

/// One rejected line: where it was and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}{}: {message}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct LineError {
    /// 1-based line number in the input.
    pub line: u64,
    /// Path of the offending field (`identifiers[0].kind`), when the error is in one field.
    pub field: Option<String>,
    /// What was wrong.
    pub message: String,
}

/// A failure that stops reading: the input itself could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The underlying reader failed.
    #[error("I/O error after line {line}: {source}")]
    Io {
        /// The last line read successfully.
        line: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV header is unusable (a required column is missing).
    #[error("header: {0}")]
    Header(String),
    /// A line ran on far past the record cap without a line end: the input is not line-based
    /// text (a binary file, `/dev/zero`), and reading on would never yield a record.
    #[error(
        "line {line}: no line end within {bytes} bytes: this is not an NDJSON file (one event per line)"
    )]
    Runaway {
        /// The line that never ended.
        line: u64,
        /// How far it was read.
        bytes: usize,
    },
}

/// Counts of a read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReadSummary {
    /// Events read successfully.
    pub read: u64,
    /// Lines rejected with an error.
    pub rejected: u64,
}

impl std::fmt::Display for ReadSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} read, {} rejected", self.read, self.rejected)
    }
}

/// Everything a read produced: the good events, the errors, and the counts.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// The events that parsed, in input order.
    pub events: Vec<Event>,
    /// One error per rejected line, in input order.
    pub errors: Vec<LineError>,
    /// Counts.
    pub summary: ReadSummary,
}

impl ReadOutcome {
    fn collect(
        items: impl Iterator<Item = Result<Result<Event, LineError>, ReadError>>,
    ) -> Result<Self, ReadError> {
        let mut out = ReadOutcome::default();
        for item in items {
            match item? {
                Ok(ev) => out.events.push(ev),
                Err(e) => out.errors.push(e),
            }
        }
        out.summary = ReadSummary {
            read: out.events.len() as u64,
            rejected: out.errors.len() as u64,
        };
        Ok(out)
    }
}

/// Streaming NDJSON reader: yields `Ok(Ok(event))`, `Ok(Err(line error))` per non-blank line,
/// or `Err` once if the input cannot be read.
pub struct NdjsonReader<R> {
    input: R,
    line: u64,
    buf: Vec<u8>,
    failed: bool,
    max_record: usize,
}

/// The longest NDJSON line [`NdjsonReader`] keeps by default (1 MiB): an o2o event is a few
/// hundred bytes, and a reader without a cap grows until memory runs out on a file without
/// newlines (`/dev/zero`). A longer line is rejected, and reading goes on after it.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// How many times the record cap a rejected line may run on before reading stops with
/// [`ReadError::Runaway`]: a line of 64 MiB without a line end is no export's record, and an
/// endless one (`/dev/zero`) would otherwise be read forever.
pub const RUNAWAY_FACTOR: usize = 64;

impl<R: BufRead> NdjsonReader<R> {
    /// Read events from `input`.
    pub fn new(input: R) -> Self {
        NdjsonReader {
            input,
            line: 0,
            buf: Vec::with_capacity(512),
            failed: false,
            max_record: MAX_RECORD_BYTES,
        }
    }

    /// Reject lines longer than `bytes` (default [`MAX_RECORD_BYTES`]).
    pub fn with_max_record(mut self, bytes: usize) -> Self {
        self.max_record = bytes;
        self
    }

    /// Read one line into `buf`, keeping at most `max_record` bytes of it: the bytes consumed
    /// and how the line ended (when too long, `buf` is empty).
    fn read_capped(&mut self) -> std::io::Result<(usize, Capped)> {
        let (mut total, mut capped) = (0usize, Capped::Kept);
        loop {
            let avail = match self.input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok((total, capped));
            }
            let (n, done) = match avail.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if capped == Capped::Kept {
                if self.buf.len() + n > self.max_record {
                    capped = Capped::TooLong;
                    self.buf = Vec::with_capacity(512);
                } else {
                    self.buf.extend_from_slice(&avail[..n]);
                }
            }
            self.input.consume(n);
            total += n;
            if done {
                return Ok((total, capped));
            }
            if total > self.max_record.saturating_mul(RUNAWAY_FACTOR) {
                return Ok((total, Capped::Runaway));
            }
        }
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<Result<Event, LineError>, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            self.buf.clear();
            let too_long = match self.read_capped() {
                Ok((0, _)) => return None,
                Ok((bytes, Capped::Runaway)) => {
                    self.failed = true;
                    return Some(Err(ReadError::Runaway {
                        line: self.line + 1,
                        bytes,
                    }));
                }
                Ok((_, capped)) => capped == Capped::TooLong,
                Err(source) => {
                    self.failed = true;
                    return Some(Err(ReadError::Io {
                        line: self.line,
                        source,
                    }));
                }
            };
            self.line += 1;
            if too_long {
                return Some(Ok(Err(LineError {
                    line: self.line,
                    field: None,
                    message: format!("longer than {} bytes", self.max_record),
                })));
            }
            let mut text = trim_ascii(&self.buf);
            if self.line == 1 {
                // A UTF-8 byte-order mark (as Windows tools write) is not part of the record.
                text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
            }
            if text.is_empty() {
                continue;
            }
            return Some(Ok(parse_line(text, self.line)));
        }
    }
}

/// How a capped line read ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capped {
    /// The line (or the input's last bytes) fit under the cap.
    Kept,
    /// The line was longer than the cap: rejected, and reading goes on after it.
    TooLong,
    /// The line ran on past [`RUNAWAY_FACTOR`] times the cap: reading stops.
    Runaway,
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Parse one NDJSON line. The fast path is a direct typed parse; only a line that fails is parsed
/// again, slowly, to find the path of the field at fault.
///
/// serde's internally tagged enums buffer the whole object before choosing the variant, which
/// halves parsing speed. Lines that start with the tag (as every line o2o writes does) are parsed
/// straight into the variant's struct, which ignores the `type` key like any unknown field.
pub(crate) fn parse_line(text: &[u8], line: u64) -> Result<Event, LineError> {
    let direct = if text.starts_with(br#"{"type":"touchpoint","#) {
        serde_json::from_slice::<Touchpoint>(text).map(Event::Touchpoint)
    } else if text.starts_with(br#"{"type":"checkin","#) {
        serde_json::from_slice::<CheckIn>(text).map(Event::CheckIn)
    } else if text.starts_with(br#"{"type":"product_view","#) {
        serde_json::from_slice::<ProductView>(text).map(Event::ProductView)
    } else {
        serde_json::from_slice::<Event>(text)
    };
    direct.map_err(|_| explain_bad_line(text, line))
}

fn explain_bad_line(text: &[u8], line: u64) -> LineError {
    let err = |field: Option<&str>, message: String| LineError {
        line,
        field: field.map(str::to_owned),
        message,
    };
    let value: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            return err(None, format!("invalid JSON at column {}: {e}", e.column()));
        }
    };
    let Some(obj) = value.as_object() else {
        return err(None, "expected a JSON object".to_owned());
    };
    let kind = match obj.get("type") {
        None => {
            return err(
                Some("type"),
                "missing field (expected \"touchpoint\", \"checkin\" or \"product_view\")"
                    .to_owned(),
            );
        }
        Some(serde_json::Value::String(s)) => s.as_str(),
        Some(_) => return err(Some("type"), "must be a string".to_owned()),
    };
    let typed = match kind {
        "touchpoint" => serde_path_to_error::deserialize::<_, Touchpoint>(&value).map(|_| ()),
        "checkin" => serde_path_to_error::deserialize::<_, CheckIn>(&value).map(|_| ()),
        "product_view" => serde_path_to_error::deserialize::<_, ProductView>(&value).map(|_| ()),
        other => {
            return err(
                Some("type"),
                format!(
                    "unknown event type `{other}` (expected \"touchpoint\", \"checkin\" or \"product_view\")"
                ),
            );
        }
    };
    match typed {
        Err(e) => {
            let path = e.path().to_string();
            let field = (path != ".").then_some(path);
            LineError {
                line,
                field,
                message: e.into_inner().to_string(),
            }
        }
        // The typed parse failed but both slow parses succeed: only possible for input that
        // serde_json accepts as a Value but not as the enum, e.g. duplicate keys.
        Ok(()) => err(
            None,
            "could not be read as an event (duplicate keys?)".to_owned(),
        ),
    }
}

/// Read a whole NDJSON input, keeping the good events and collecting the errors.
///
/// ```
/// let input = "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\",\"timestamp\":1}\nnot json\n";
/// let out = o2o_core::event::read_ndjson(input.as_bytes()).unwrap();
/// assert_eq!(out.summary.to_string(), "1 read, 1 rejected");
/// assert_eq!(out.errors[0].line, 2);
/// ```
pub fn read_ndjson<R: BufRead>(input: R) -> Result<ReadOutcome, ReadError> {
    ReadOutcome::collect(NdjsonReader::new(input))
}

/// [`read_ndjson`] over a string.
#[must_use]
pub fn read_ndjson_str(input: &str) -> ReadOutcome {
    // Reading from a byte slice cannot fail with an I/O error.
    read_ndjson(input.as_bytes()).unwrap_or_default()
}

#[cfg(feature = "csv")]
pub use pos_csv::{CsvReader, read_pos_csv};

#[cfg(feature = "csv")]
mod pos_csv {
    //! POS export as CSV: one check-in per row.
    //!
    //! Columns (header names, case-insensitive, any order): `timestamp` and `store` are required;
    //! `method` (default `pos_purchase`), `region`, `value`, `currency`, `campaign`, `voucher`,
    //! `id`, `items` (`sku:quantity:price` joined by `|`), `tcf` (a TC string) are optional; a
    //! column named after an identifier kind (`email`, `phone`, `loyalty_card`, `external_id`, …)
    //! adds that identifier when the cell is not empty. Other columns are ignored.

    use super::{LineError, ReadError, ReadOutcome};
    use crate::consent::ConsentSignals;
    use crate::event::{CheckIn, CheckInMethod, Event, IdKind, Identifier, Item, parse_timestamp};
    use std::io::Read;

    #[derive(Clone, Copy)]
    enum Col {
        Timestamp,
        Store,
        Method,
        Region,
        Value,
        Currency,
        Campaign,
        Voucher,
        Id,
        Items,
        Tcf,
        Ident(IdKind),
        Ignored,
    }

    /// Streaming POS-CSV reader; yields like [`super::NdjsonReader`].
    pub struct CsvReader<R> {
        rdr: csv::Reader<R>,
        cols: Vec<(String, Col)>,
        record: csv::StringRecord,
        done: bool,
    }

    impl<R: Read> CsvReader<R> {
        /// Read the header and prepare to read rows.
        pub fn new(input: R) -> Result<Self, ReadError> {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(input);
            let headers = rdr.headers().map_err(|e| csv_fatal(e, 1))?.clone();
            let cols: Vec<(String, Col)> = headers
                .iter()
                .map(|h| {
                    let name = h.to_ascii_lowercase();
                    let col = match name.as_str() {
                        "timestamp" | "time" | "datetime" => Col::Timestamp,
                        "store" | "store_id" => Col::Store,
                        "method" => Col::Method,
                        "region" => Col::Region,
                        "value" | "amount" | "total" => Col::Value,
                        "currency" => Col::Currency,
                        "campaign" => Col::Campaign,
                        "voucher" => Col::Voucher,
                        "id" | "receipt" | "receipt_id" => Col::Id,
                        "items" => Col::Items,
                        "tcf" | "tc_string" => Col::Tcf,
                        other => other
                            .parse::<IdKind>()
                            .map(Col::Ident)
                            .unwrap_or(Col::Ignored),
                    };
                    (name, col)
                })
                .collect();
            for required in ["timestamp", "store"] {
                let present = cols.iter().any(|(_, c)| match required {
                    "timestamp" => matches!(c, Col::Timestamp),
                    _ => matches!(c, Col::Store),
                });
                if !present {
                    return Err(ReadError::Header(format!(
                        "missing required column `{required}`"
                    )));
                }
            }
            Ok(CsvReader {
                rdr,
                cols,
                record: csv::StringRecord::new(),
                done: false,
            })
        }

        fn row(&self, line: u64) -> Result<Event, LineError> {
            let bad = |field: &str, message: String| LineError {
                line,
                field: Some(field.to_owned()),
                message,
            };
            let mut c = CheckIn {
                id: None,
                method: CheckInMethod::PosPurchase,
                store: String::new(),
                region: None,
                timestamp: i64::MIN,
                value: None,
                currency: None,
                items: Vec::new(),
                campaign: None,
                voucher: None,
                identifiers: Vec::new(),
                consent: None,
                channel: None,
                tracking: None,
            };
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            for (i, cell) in self.record.iter().enumerate() {
                let Some((name, col)) = self.cols.get(i) else {
                    return Err(LineError {
                        line,
                        field: None,
                        message: format!(
                            "row has {} cells, header has {}",
                            self.record.len(),
                            self.cols.len()
                        ),
                    });
                };
                match *col {
                    Col::Timestamp => {
                        c.timestamp =
                            parse_timestamp(cell).map_err(|e| bad(name, e.to_string()))?;
                    }
                    Col::Store => c.store = cell.to_owned(),
                    Col::Method => {
                        if !cell.is_empty() {
                            c.method = cell
                                .parse()
                                .map_err(|e: crate::event::UnknownName| bad(name, e.to_string()))?;
                        }
                    }
                    Col::Region => c.region = opt(cell),
                    Col::Value => {
                        if !cell.is_empty() {
                            let v: f64 = cell
                                .parse()
                                .map_err(|_| bad(name, format!("`{cell}` is not a number")))?;
                            if !v.is_finite() {
                                return Err(bad(name, format!("`{cell}` is not a finite number")));
                            }
                            c.value = Some(v);
                        }
                    }
                    Col::Currency => c.currency = opt(cell),
                    Col::Campaign => c.campaign = opt(cell),
                    Col::Voucher => c.voucher = opt(cell),
                    Col::Id => c.id = opt(cell),
                    Col::Items => c.items = parse_items(cell).map_err(|m| bad(name, m))?,
                    Col::Tcf => {
                        if !cell.is_empty() {
                            c.consent = Some(ConsentSignals {
                                tcf: Some(cell.to_owned()),
                                ..ConsentSignals::default()
                            });
                        }
                    }
                    Col::Ident(kind) => {
                        if !cell.is_empty() {
                            c.identifiers.push(Identifier::new(kind, cell));
                        }
                    }
                    Col::Ignored => {}
                }
            }
            if c.store.is_empty() {
                return Err(bad("store", "empty".to_owned()));
            }
            if c.timestamp == i64::MIN {
                return Err(bad("timestamp", "empty".to_owned()));
            }
            Ok(Event::CheckIn(c))
        }
    }

    fn parse_items(cell: &str) -> Result<Vec<Item>, String> {
        if cell.is_empty() {
            return Ok(Vec::new());
        }
        cell.split('|')
            .map(|part| {
                let mut f = part.split(':');
                let (Some(sku), Some(q), Some(p), None) = (f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(format!("item `{part}` is not sku:quantity:price"));
                };
                let quantity = q
                    .trim()
                    .parse()
                    .map_err(|_| format!("item `{part}`: quantity `{q}` is not a whole number"))?;
                let price: f64 = p
                    .trim()
                    .parse()
                    .map_err(|_| format!("item `{part}`: price `{p}` is not a number"))?;
                // A unit price is never infinite or below zero (a return is a negative receipt
                // value, not a negative price); NaN or inf would be written back as `null`,
                // which no reader takes.
                if !(price.is_finite() && price >= 0.0) {
                    return Err(format!(
                        "item `{part}`: price `{}` is not a finite non-negative number",
                        p.trim()
                    ));
                }
                Ok(Item {
                    sku: sku.trim().to_owned(),
                    quantity,
                    price,
                })
            })
            .collect()
    }

    fn csv_fatal(e: csv::Error, line: u64) -> ReadError {
        match e.into_kind() {
            csv::ErrorKind::Io(source) => ReadError::Io { line, source },
            other => ReadError::Header(format!("{other:?}")),
        }
    }

    impl<R: Read> Iterator for CsvReader<R> {
        type Item = Result<Result<Event, LineError>, ReadError>;

        fn next(&mut self) -> Option<Self::Item> {
            if self.done {
                return None;
            }
            let mut record = std::mem::take(&mut self.record);
            let res = self.rdr.read_record(&mut record);
            self.record = record;
            match res {
                Ok(false) => {
                    self.done = true;
                    None
                }
                Ok(true) => {
                    let line = self.record.position().map_or(0, |p| p.line());
                    Some(Ok(self.row(line)))
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    match e.into_kind() {
                        csv::ErrorKind::Io(source) => {
                            self.done = true;
                            Some(Err(ReadError::Io { line, source }))
                        }
                        csv::ErrorKind::Utf8 { err, .. } => Some(Ok(Err(LineError {
                            line,
                            field: Some(format!("column {}", err.field() + 1)),
                            message: "invalid UTF-8".to_owned(),
                        }))),
                        other => Some(Ok(Err(LineError {
                            line,
                            field: None,
                            message: format!("{other:?}"),
                        }))),
                    }
                }
            }
        }
    }

    /// Read a whole POS CSV export, keeping the good rows and collecting the errors.
    ///
    /// ```
    /// let csv = "timestamp,store,value,phone\n2026-03-01T10:00:00Z,S1,12.50,0912345678\n2026-03-01,S1,x,1\n";
    /// let out = o2o_core::event::read_pos_csv(csv.as_bytes()).unwrap();
    /// assert_eq!(out.summary.to_string(), "1 read, 1 rejected");
    /// assert_eq!(out.errors[0].line, 3);
    /// assert_eq!(out.errors[0].field.as_deref(), Some("timestamp"));
    /// ```
    pub fn read_pos_csv<R: Read>(input: R) -> Result<ReadOutcome, ReadError> {
        ReadOutcome::collect(CsvReader::new(input)?)
    }
}
