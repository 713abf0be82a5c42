//! The event store: a directory of Parquet files that every analysis reads.
//!
//! ```text
//! STORE/
//!   o2o-store.json                          the manifest: schema version, time zone, what was ingested
//!   events/day=2026-03-01/p000001-0001.parquet   touchpoints and check-ins, by local day
//!   spend/day=2026-03-01/…                  spend per day
//!   consent/…  assignments/…  customers/…    consent records, holdouts, CRM customers
//!   keys/…                                   record keys per source, for deduplication
//!   resolution/…                             the people, resolved once (`o2o resolve --store`)
//! ```
//!
//! Any Parquet reader opens it (`docs/data-model.md` shows DuckDB, polars, pandas and Spark).
//! Appending is per file and atomic: a file's records are staged and moved in only when the file
//! is accepted, so a refused file leaves nothing behind. Records whose key is already in the
//! store (the same export ingested again) are dropped and counted.
//!
//! This is the one module of `o2o-core` that owns files: a store is a directory by definition.

mod erase;
mod external;
mod keys;
mod people;
mod pseudonyms;
pub mod resolution;
mod rows;
mod schema;
mod write;

pub use erase::StoreErasure;
pub use external::{TaskPart, TaskWriter, record_keys, stage_task};
pub use people::{
    Keyed, People, PeopleError, PeopleStats, Unlinked, click_keys, hash_forms, pseudonym_key,
    resolve as resolve_people, resolve_records,
};
pub use pseudonyms::{PseudonymSettings, PseudonymStats, StoreKey, aliases_of_batch};
pub use resolution::{ResolutionError, ResolutionInfo, Staleness, StoreFingerprint, Stored};
pub use rows::parquet_rows;
pub use schema::{
    DecodeError, MIN_SCHEMA_VERSION, SCHEMA_VERSION, StoredRecord, decode_events, decode_records,
    schema,
};

use crate::event::{Event, Provenance, RecordKind};
use crate::ingest::{CompiledMap, FileReader, FileStats, IngestError, Output, RowError};
use crate::keys::KeyRing;
use keys::KeySet;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use write::{Staging, table_dir};

/// What a keyed ingest did to one file: counts, and the platform hashes kept.
#[derive(Default)]
pub(crate) struct Pseudonymised {
    stats: PseudonymStats,
    aliases: pseudonyms::Aliases,
}

/// The directory of a table in the store (`events`, `spend`, `consent`, `assignments`,
/// `customers`): the name Spark and other readers open it by.
#[must_use]
pub fn table_name(kind: RecordKind) -> &'static str {
    table_dir(kind)
}

/// The manifest's file name.
pub const MANIFEST: &str = "o2o-store.json";
const LOCK: &str = ".lock";

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file of the store could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The directory is not an o2o store, or one of another version.
    #[error("{path}: {message}")]
    NotAStore {
        /// The directory.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Another process is writing the store.
    #[error(
        "{path}: locked by another o2o process (remove {LOCK} if no o2o command is running on it)"
    )]
    Locked {
        /// The store.
        path: String,
    },
    /// A Parquet file of the store is damaged.
    #[error("Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Arrow refused a batch (a bug: the builders follow the schema).
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A stored row could not be read back.
    #[error("{file}: {source}")]
    Decode {
        /// The Parquet file.
        file: String,
        /// What is wrong.
        #[source]
        source: DecodeError,
    },
    /// Reading an input file failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The store keeps keyed pseudonyms and no key was given.
    #[error(
        "the store keeps identifiers as keyed pseudonyms under key `{key_id}`: give the key file \
         holding it (--hmac-key-file)"
    )]
    KeyNeeded {
        /// The store's key id.
        key_id: String,
    },
    /// The key given is not the store's.
    #[error(
        "the store keeps identifiers as keyed pseudonyms under key `{key_id}`, which the key \
         file given does not hold"
    )]
    WrongKey {
        /// The store's key id.
        key_id: String,
    },
    /// A key was given for a store that already holds plain identifiers.
    #[error(
        "the store holds identifiers as given (it was ingested without a key): a keyed ingest \
         into it would mix pseudonyms with values that can never join them; ingest into a new \
         store"
    )]
    PlainStore,
    /// The key's settings do not match the store's pseudonyms.
    #[error("the store's pseudonyms: {message}")]
    KeySettings {
        /// What differs.
        message: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// One file ingested, as the manifest keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IngestRecord {
    /// Sequence number of the ingest in this store.
    pub seq: u64,
    /// The source map's name.
    pub source: String,
    /// The file, as given.
    pub file: String,
    /// Rows, records, rejections and duplicates.
    pub stats: FileStats,
    /// Records dropped because their key was already in the store.
    pub duplicates: u64,
    /// The Parquet parts written, relative to the store.
    pub parts: Vec<PathBuf>,
}

/// The manifest: what the store is and what went into it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `"o2o-store"`.
    pub format: String,
    /// The table layout version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The IANA zone whose local days partition the store and in which periods are read.
    pub timezone: String,
    /// The next ingest's sequence number.
    pub next_seq: u64,
    /// Every file ingested, in order.
    pub ingests: Vec<IngestRecord>,
    /// Source name → its key file (under `keys/`).
    #[serde(default)]
    pub key_files: BTreeMap<String, String>,
    /// Erasures (`o2o forget`) that rewrote the store: a stored resolution made before one is
    /// out of date.
    #[serde(default)]
    pub erasures: u64,
    /// Set when the store keeps identifiers as keyed pseudonyms: the key's id and how values
    /// were normalised (`docs/privacy.md`, "At rest").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonyms: Option<PseudonymSettings>,
}

/// Options of an ingest.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestOptions {
    /// A file with more than this percentage of bad rows is refused: nothing of it is stored.
    pub max_rejected_percent: f64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_rejected_percent: 5.0,
        }
    }
}

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    /// The file.
    pub file: String,
    /// The source map's name.
    pub source: String,
    /// Rows read, kept, rejected, skipped.
    #[serde(flatten)]
    pub stats: FileStats,
    /// Records already in the store (or earlier in the file), dropped.
    pub duplicates: u64,
    /// Records added to the store.
    pub stored: u64,
    /// Why nothing of the file was stored, when it was refused.
    pub refused: Option<String>,
    /// In a store with a key: identifiers written as pseudonyms, and those dropped.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub pseudonyms: Option<PseudonymStats>,
}

/// An open event store.
///
/// ```
/// use o2o_core::ingest::{CompiledMap, FileReader, SourceMap, open};
/// use o2o_core::store::{IngestOptions, Store};
/// let dir = std::env::temp_dir().join(format!("o2o-store-doc-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// let map = CompiledMap::new(SourceMap::from_toml(r#"
///     [source]
///     name = "wifi"
///     format = "csv"
///     produces = "checkin"
///     [fields]
///     timestamp = "time"
///     store = "ap"
///     method = { value = "wifi_join" }
///     [identifiers]
///     mac = "mac"
/// "#).unwrap()).unwrap();
/// let csv = "time,ap,mac\n2026-03-01T10:00:00Z,S1,aa:bb:cc:dd:ee:ff\n";
/// let mut store = Store::create(&dir, "UTC").unwrap();
/// for _ in 0..2 {
///     let reader = FileReader::text(&map, "wifi.csv", open(csv.as_bytes()).unwrap()).unwrap();
///     store.ingest(&map, reader, &IngestOptions::default(), |_| {}, |_| {}).unwrap();
/// }
/// assert_eq!(store.events().unwrap().len(), 1); // the second ingest added nothing
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct Store {
    dir: PathBuf,
    manifest: Manifest,
    keys: BTreeMap<String, KeySet>,
    locked: bool,
    key: Option<StoreKey>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Open an existing store for reading.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StoreError::NotAStore {
                    path: dir.display().to_string(),
                    message: format!(
                        "not an o2o event store (no {MANIFEST}; create one with `o2o ingest --store`)"
                    ),
                }
            } else {
                StoreError::io(&path)(e)
            }
        })?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| StoreError::NotAStore {
                path: path.display().to_string(),
                message: format!("unreadable manifest: {e}"),
            })?;
        if manifest.format != "o2o-store"
            || !(MIN_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&manifest.schema_version)
        {
            return Err(StoreError::NotAStore {
                path: dir.display().to_string(),
                message: format!(
                    "store format `{}` version {} (this o2o reads o2o-store versions {MIN_SCHEMA_VERSION} to {SCHEMA_VERSION})",
                    manifest.format, manifest.schema_version
                ),
            });
        }
        Ok(Store {
            dir: dir.to_owned(),
            manifest,
            keys: BTreeMap::new(),
            locked: false,
            key: None,
        })
    }

    /// Open the store at `dir` for writing, creating it (with local days in `timezone`) when
    /// absent. Only one process writes a store at a time.
    pub fn create(dir: &Path, timezone: &str) -> Result<Store, StoreError> {
        let mut store = if dir.join(MANIFEST).exists() {
            Store::open(dir)?
        } else {
            jiff::tz::TimeZone::get(timezone).map_err(|_| StoreError::NotAStore {
                path: dir.display().to_string(),
                message: format!("`{timezone}` is not an IANA time zone"),
            })?;
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
            let s = Store {
                dir: dir.to_owned(),
                manifest: Manifest {
                    format: "o2o-store".to_owned(),
                    schema_version: SCHEMA_VERSION,
                    timezone: timezone.to_owned(),
                    next_seq: 1,
                    ingests: Vec::new(),
                    key_files: BTreeMap::new(),
                    erasures: 0,
                    pseudonyms: None,
                },
                keys: BTreeMap::new(),
                locked: false,
                key: None,
            };
            s.write_manifest()?;
            s
        };
        store.lock()?;
        Ok(store)
    }

    fn lock(&mut self) -> Result<(), StoreError> {
        let path = self.dir.join(LOCK);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => {
                self.locked = true;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::Locked {
                path: self.dir.display().to_string(),
            }),
            Err(e) => Err(StoreError::io(&path)(e)),
        }
    }

    /// The store's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// How the store's pseudonyms were made, when it keeps identifiers as keyed pseudonyms.
    #[must_use]
    pub fn pseudonyms(&self) -> Option<&PseudonymSettings> {
        self.manifest.pseudonyms.as_ref()
    }

    /// The platform hashes an upload sends for this store's pseudonymised emails and phones
    /// (its `aliases/`), for [`crate::activation::ExportOptions::stored_hashes`]; `Ok(None)` for
    /// a store that keeps identifiers as given.
    pub fn upload_hashes(&self) -> Result<Option<crate::activation::StoredHashes>, StoreError> {
        self.manifest
            .pseudonyms
            .as_ref()
            .map(|p| pseudonyms::upload_hashes(&self.dir, p))
            .transpose()
    }

    /// The key of `ring` for this store's pseudonyms, normalising under `rules`: for raw
    /// identifiers a user names ([`StoreKey::stored_form`]). `Ok(None)` for a store without
    /// pseudonyms; an error naming the store's key id when `ring` is missing or lacks it.
    pub fn lookup_key(
        &self,
        ring: Option<&KeyRing>,
        rules: &crate::identity::ResolutionRules,
    ) -> Result<Option<StoreKey>, StoreError> {
        let Some(settings) = &self.manifest.pseudonyms else {
            return Ok(None);
        };
        let ring = ring.ok_or_else(|| StoreError::KeyNeeded {
            key_id: settings.key_id.clone(),
        })?;
        StoreKey::for_store(ring, settings, rules).map(Some)
    }

    /// Ingest with `key`: identifiers are written as its keyed pseudonyms. A new (empty) store
    /// takes the key; a store with pseudonyms needs the same key and normalisation; a store
    /// that already holds plain identifiers refuses one.
    pub fn set_key(&mut self, key: StoreKey) -> Result<(), StoreError> {
        match &self.manifest.pseudonyms {
            Some(s) if s.key_id != key.settings().key_id => {
                return Err(StoreError::WrongKey {
                    key_id: s.key_id.clone(),
                });
            }
            Some(s) if key.check_against(s).is_err() => {
                return Err(StoreError::WrongKey {
                    key_id: s.key_id.clone(),
                });
            }
            Some(s)
                if s.default_country != key.settings().default_country
                    || s.phone != key.settings().phone =>
            {
                return Err(StoreError::KeySettings {
                    message: format!(
                        "made with default country {:?} and phone check {:?}, not {:?} and {:?}",
                        s.default_country,
                        s.phone,
                        key.settings().default_country,
                        key.settings().phone
                    ),
                });
            }
            Some(_) => {}
            None if !self.manifest.ingests.is_empty() => return Err(StoreError::PlainStore),
            None => {}
        }
        self.key = Some(key);
        Ok(())
    }

    /// The store's time zone.
    #[must_use]
    pub fn timezone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.manifest.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    fn write_manifest(&self) -> Result<(), StoreError> {
        let path = self.dir.join(MANIFEST);
        let tmp = self.dir.join(format!("{MANIFEST}.tmp"));
        let text = serde_json::to_string_pretty(&self.manifest).map_err(|e| StoreError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        std::fs::write(&tmp, text).map_err(StoreError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(StoreError::io(&path))
    }

    fn key_set(&mut self, source: &str) -> Result<&mut KeySet, StoreError> {
        if !self.keys.contains_key(source) {
            let file = self
                .manifest
                .key_files
                .get(source)
                .cloned()
                .unwrap_or_else(|| keys::file_name(source));
            let set = KeySet::load(&self.dir.join("keys").join(&file))?;
            self.keys.insert(source.to_owned(), set);
        }
        self.keys
            .get_mut(source)
            .ok_or_else(|| StoreError::NotAStore {
                path: self.dir.display().to_string(),
                message: "key set vanished".to_owned(),
            })
    }

    /// Append one file's records: duplicates of records already stored are dropped; when more
    /// than `opts.max_rejected_percent` of the file's rows are bad, nothing of it is stored.
    /// `on_reject` sees every rejected row; `progress` the bytes consumed so far.
    pub fn ingest<R: BufRead>(
        &mut self,
        map: &CompiledMap,
        mut reader: FileReader<'_, R>,
        opts: &IngestOptions,
        mut on_reject: impl FnMut(&RowError),
        mut progress: impl FnMut(u64),
    ) -> Result<FileReport, StoreError> {
        let source = map.name().to_owned();
        let file = reader.file().to_owned();
        let mut n = 0u64;
        let staged = self.stage(&source, &file, || {
            let out = reader.next_output()?;
            n += 1;
            if n.is_multiple_of(4096) {
                progress(reader.consumed());
            }
            Ok(match out {
                Some(Output::Rejected(e)) => {
                    on_reject(&e);
                    Some(None)
                }
                Some(Output::Record { record, key, line }) => Some(Some((record, key, line))),
                None => None,
            })
        });
        progress(reader.consumed());
        let stats = reader.into_stats();
        let (staging, pending, duplicates, done) = staged?;
        let refused = (stats.rows > 0 && stats.rejected_percent() > opts.max_rejected_percent)
            .then(|| {
                format!(
                    "{:.1} % of its rows are bad (more than {} %): is this the right file for map `{source}`?",
                    stats.rejected_percent(),
                    opts.max_rejected_percent
                )
            });
        self.finish_file(
            source, file, stats, staging, pending, duplicates, refused, done,
        )
    }

    /// Append records made by a program rather than read from a file (the simulator's), as the
    /// source `source`. A record's key is its source, its content and how many identical
    /// records came before it, so identical records in one call are all kept and the same call
    /// again adds nothing.
    pub fn append(
        &mut self,
        source: &str,
        file: &str,
        records: impl IntoIterator<Item = crate::event::Record>,
    ) -> Result<FileReport, StoreError> {
        let mut it = records.into_iter().enumerate();
        let mut stats = FileStats::default();
        let mut seen: std::collections::HashMap<u128, u64> = std::collections::HashMap::new();
        let staged = self.stage(source, file, || {
            Ok(it.next().map(|(i, r)| {
                stats.rows += 1;
                stats.records += 1;
                let content = keys::content_key(source, &r);
                let n = seen.entry(content).or_default();
                *n += 1;
                let key = xxhash_rust::xxh3::xxh3_128(
                    &[&content.to_le_bytes()[..], &n.to_le_bytes()[..]].concat(),
                );
                Some((r, key, i as u64 + 1))
            }))
        });
        let (staging, pending, duplicates, done) = staged?;
        self.finish_file(
            source.to_owned(),
            file.to_owned(),
            stats,
            staging,
            pending,
            duplicates,
            None,
            done,
        )
    }

    /// Stage what `next` yields (`Some(Some(record))`, `Some(None)` for a rejected row, `None`
    /// at the end), dropping records whose key is known.
    #[allow(clippy::type_complexity)]
    fn stage(
        &mut self,
        source: &str,
        file: &str,
        mut next: impl FnMut() -> Result<Option<Option<(crate::event::Record, u128, u64)>>, StoreError>,
    ) -> Result<(Staging, KeySet, u64, Option<Pseudonymised>), StoreError> {
        if let Some(s) = &self.manifest.pseudonyms
            && self.key.is_none()
        {
            return Err(StoreError::KeyNeeded {
                key_id: s.key_id.clone(),
            });
        }
        let mut key = self.key.take();
        let mut done = key.as_ref().map(|_| Pseudonymised::default());
        let seq = self.manifest.next_seq;
        let staging_root = self.dir.join(".staging").join(format!("{seq:06}"));
        let mut staging = Staging::new(staging_root, seq, self.timezone())?;
        let mut pending = KeySet::default();
        let mut duplicates = 0u64;
        let known = match self.key_set(source) {
            Ok(k) => k,
            Err(e) => {
                self.key = key;
                staging.abort();
                return Err(e);
            }
        };
        let result: Result<(), StoreError> = (|| {
            while let Some(item) = next()? {
                let Some((mut record, rkey, line)) = item else {
                    continue;
                };
                if known.contains(rkey) || !pending.insert(rkey) {
                    duplicates += 1;
                    continue;
                }
                if let (Some(k), Some(d)) = (key.as_mut(), done.as_mut()) {
                    k.apply_record(&mut record, &mut d.aliases, &mut d.stats);
                }
                let key = rkey;
                let prov = Provenance {
                    source: source.to_owned(),
                    file: file.to_owned(),
                    line,
                };
                staging.push(&record, &prov, key)?;
            }
            Ok(())
        })();
        self.key = key;
        match result {
            Ok(()) => Ok((staging, pending, duplicates, done)),
            Err(e) => {
                staging.abort();
                Err(e)
            }
        }
    }

    /// Commit a staged file (or drop it when refused or empty) and record it in the manifest.
    #[allow(clippy::too_many_arguments)]
    fn finish_file(
        &mut self,
        source: String,
        file: String,
        stats: FileStats,
        staging: Staging,
        pending: KeySet,
        duplicates: u64,
        refused: Option<String>,
        done: Option<Pseudonymised>,
    ) -> Result<FileReport, StoreError> {
        let stored = pending.len() as u64;
        if refused.is_some() || stored == 0 {
            staging.abort();
            return Ok(FileReport {
                file,
                source,
                stats,
                duplicates,
                stored: 0,
                refused,
                pseudonyms: None,
            });
        }
        let seq = self.manifest.next_seq;
        let parts = staging.commit(&self.dir)?;
        let mut pseudonyms = None;
        if let Some(d) = done {
            pseudonyms::write_aliases(&self.dir, seq, &d.aliases)?;
            pseudonyms = Some(d.stats);
            if let Some(k) = &self.key {
                self.manifest.pseudonyms = Some(k.settings().clone());
            }
        }
        let key_file = keys::file_name(&source);
        pending.append_to(&self.dir.join("keys").join(&key_file))?;
        self.key_set(&source)?.extend(&pending);
        self.manifest.key_files.insert(source.clone(), key_file);
        self.manifest.next_seq += 1;
        // The files just written have this version's columns (see [`SCHEMA_VERSION`]).
        self.manifest.schema_version = SCHEMA_VERSION;
        self.manifest.ingests.push(IngestRecord {
            seq,
            source: source.clone(),
            file: file.clone(),
            stats: stats.clone(),
            duplicates,
            parts,
        });
        self.write_manifest()?;
        Ok(FileReport {
            file,
            source,
            stats,
            duplicates,
            stored,
            refused: None,
            pseudonyms,
        })
    }

    /// The Parquet files of a table, in partition order.
    pub fn files(&self, kind: RecordKind) -> Result<Vec<PathBuf>, StoreError> {
        let root = self.dir.join(table_dir(kind));
        let mut out = Vec::new();
        if !root.exists() {
            return Ok(out);
        }
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).map_err(StoreError::io(&d))? {
                let entry = entry.map_err(StoreError::io(&d))?;
                let p = entry.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "parquet") {
                    out.push(p);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Batches of a table with only `columns` read (all when `None`).
    pub fn scan(
        &self,
        kind: RecordKind,
        columns: Option<&[&str]>,
    ) -> Result<
        impl Iterator<Item = Result<(PathBuf, arrow_array::RecordBatch), StoreError>>,
        StoreError,
    > {
        let files = self.files(kind)?;
        let columns: Option<Vec<String>> =
            columns.map(|c| c.iter().map(|s| (*s).to_owned()).collect());
        Ok(files.into_iter().flat_map(move |path| {
            let batches = (|| -> Result<_, StoreError> {
                let f = std::fs::File::open(&path).map_err(StoreError::io(&path))?;
                let mut b = ParquetRecordBatchReaderBuilder::try_new(f)?.with_batch_size(8192);
                if let Some(cols) = &columns {
                    let roots: Vec<usize> = b
                        .schema()
                        .fields()
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| cols.iter().any(|c| c == f.name()))
                        .map(|(i, _)| i)
                        .collect();
                    let mask = ProjectionMask::roots(b.parquet_schema(), roots);
                    b = b.with_projection(mask);
                }
                Ok(b.build()?)
            })();
            let path2 = path.clone();
            let it: Box<
                dyn Iterator<Item = Result<(PathBuf, arrow_array::RecordBatch), StoreError>>,
            > = match batches {
                Ok(r) => Box::new(
                    r.map(move |b| b.map(|b| (path2.clone(), b)).map_err(StoreError::Arrow)),
                ),
                Err(e) => Box::new(std::iter::once(Err(e))),
            };
            it
        }))
    }

    /// Every record of a table with its provenance, in storage order.
    pub fn records(&self, kind: RecordKind) -> Result<Vec<(StoredRecord, Provenance)>, StoreError> {
        let mut out = Vec::new();
        for batch in self.scan(kind, None)? {
            let (path, batch) = batch?;
            let cols = schema::Cols(&batch);
            for row in 0..batch.num_rows() {
                let r = cols
                    .record(kind, row)
                    .map_err(|source| StoreError::Decode {
                        file: path.display().to_string(),
                        source,
                    })?;
                out.push((r, cols.provenance(row)));
            }
        }
        Ok(out)
    }

    /// Every event (touchpoints and check-ins), in storage order.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .records(RecordKind::Event)?
            .into_iter()
            .filter_map(|(r, _)| match r {
                StoredRecord::Event(e) => Some(e),
                _ => None,
            })
            .collect())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if self.locked {
            let _ = std::fs::remove_file(self.dir.join(LOCK));
        }
    }
}

#[cfg(test)]
mod tests;
