//! Real exports in: a declarative [`SourceMap`] says how one kind of export (POS receipts, a
//! captive-portal Wi-Fi log, a GA4 BigQuery export, ad-platform exposure with hashed emails,
//! spend, holdout lists, CRM consent) becomes o2o [`Record`](crate::event::Record)s, and a
//! [`FileReader`] reads one file under it, keeping the good rows and naming the bad ones.
//!
//! The flow of one file: [`open`] (gzip, byte-order mark) → framing (CRLF, quoted newlines, a
//! cap on a record's size) → decoding (CSV, NDJSON, Parquet rows, GA4 rows flattened) → the
//! compiled map applied to each row (local times in the source's zone, locale numbers,
//! identifiers normalised, consent read) → records with a dedupe key. The event store
//! ([`crate::store`]) appends them; `docs/ingest.md` documents every key of a map.
//!
//! ```
//! use o2o_core::ingest::{CompiledMap, FileReader, Output, SourceMap, open};
//! let map = SourceMap::from_toml(r#"
//!     [source]
//!     name = "pos"
//!     format = "csv"
//!     produces = "checkin"
//!     timezone = "Asia/Ho_Chi_Minh"
//!     [fields]
//!     timestamp = { column = "ts", format = "%d/%m/%Y %H:%M" }
//!     store = "store_id"
//!     method = { value = "pos_purchase" }
//!     value = { column = "amount", decimal = ",", thousands = "." }
//!     [identifiers]
//!     phone = { column = "phone", default_country = "VN" }
//! "#).unwrap();
//! let map = CompiledMap::new(map).unwrap();
//! let csv = "ts,store_id,amount,phone\n01/03/2026 17:00,S1,\"1.250.000\",0912 345 678\n31/02/2026 10:00,S1,1,\n";
//! let mut reader = FileReader::text(&map, "pos.csv", open(csv.as_bytes()).unwrap()).unwrap();
//! let mut kept = 0;
//! while let Some(out) = reader.next_output().unwrap() {
//!     match out {
//!         Output::Record { record, .. } => { kept += 1; assert_eq!(record.timestamp(), Some(1772359200)); }
//!         Output::Rejected(e) => assert_eq!(e.to_string(), "pos.csv: line 3, fields.timestamp: `99/99/9999 99:99` not a valid date and time"),
//!     }
//! }
//! assert_eq!((kept, reader.stats().rejected), (1, 1));
//! ```

mod assemble;
mod compile;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod ga4;
mod input;
mod map;
mod number;
mod read;
mod row;
mod shape;
mod time;

pub use compile::{CompiledMap, DEFAULT_MAX_RECORD_BYTES};
pub use ga4::DEFAULT_EVENTS as GA4_DEFAULT_EVENTS;
pub use input::open;
pub use map::{
    ConsentColumn, ConsentSpec, FieldSpec, Format, MapError, OneOrMany, Produces, Scalar, SkipIf,
    SourceMap, SourceSpec, TimeUnit, When,
};
pub use read::{FileReader, FileStats, IngestError, Output, RowError};
