//! Writing a store from another engine (`o2o.spark.write_table`): many tasks write at once,
//! one process owns the store.
//!
//! The process that holds the store's lock ([`Store::create`]) numbers the sources to be written
//! ([`Store::task_seqs`]). Each task then writes its share of the records with
//! [`stage_task`]: the same Parquet parts, day partitions and columns as `o2o ingest` writes
//! (the same writer), under a holding directory, with the record keys of each source, dropping
//! records whose key the store or the task already has. When every task is done, the owner
//! moves the parts in and records one ingest per source in the manifest
//! ([`Store::commit_tasks`]): until then the store shows nothing of the write, and a failed
//! job leaves only its holding directory behind.
//!
//! Records keep the key they carry (`record_key`, a store's own), so that records read from
//! one store and written to another dedupe as they did; a record without one is keyed by its
//! source and content, as [`Store::append`] keys records made by a program.

use super::keys::{self, KeySet};
use super::schema::Cols;
use super::write::Staging;
use super::{FileReport, IngestRecord, Store, StoreError};
use crate::event::{Provenance, RecordKind};
use crate::ingest::FileStats;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one task wrote for one source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskPart {
    /// The source the records came from (their `source` column).
    pub source: String,
    /// The task that wrote them.
    pub task: u64,
    /// Parquet parts, relative to the task's holding directory (and to the store once moved).
    pub parts: Vec<PathBuf>,
    /// Records written.
    pub records: u64,
    /// Records dropped because the store or the task already had their key.
    pub duplicates: u64,
}

/// The holding directory of one task.
fn task_dir(holding: &Path, task: u64) -> PathBuf {
    holding.join(format!("t{task:05}"))
}

/// The key of row `row`: its `record_key` (fixed-size or plain binary of 16 bytes), or the
/// key of its source and content.
fn key_of(batch: &RecordBatch, row: usize, source: &str, r: &crate::event::Record) -> u128 {
    let stored = batch.column_by_name("record_key").and_then(|c| {
        if c.is_null(row) {
            return None;
        }
        let bytes = if let Some(f) = c.as_fixed_size_binary_opt() {
            f.value(row)
        } else if let Some(b) = c.as_binary_opt::<i32>() {
            b.value(row)
        } else {
            c.as_binary_opt::<i64>()?.value(row)
        };
        <[u8; 16]>::try_from(bytes).ok().map(u128::from_le_bytes)
    });
    stored.unwrap_or_else(|| keys::content_key(source, r))
}

/// The record keys of a batch of `kind` records (those they carry, else their content's), as
/// 16 little-endian bytes each: what a write dedupes on before [`stage_task`].
pub fn record_keys(
    kind: RecordKind,
    batch: &RecordBatch,
) -> Result<Vec<[u8; 16]>, super::DecodeError> {
    let cols = Cols(batch);
    (0..batch.num_rows())
        .map(|row| {
            let r = cols.record(kind, row)?.into_record();
            let p = cols.provenance(row);
            Ok(key_of(batch, row, &p.source, &r).to_le_bytes())
        })
        .collect()
}

/// One source's records in a task.
struct Open {
    staging: Staging,
    known: KeySet,
    pending: KeySet,
    duplicates: u64,
}

/// One task's share of a write: batches go in as they come ([`TaskWriter::write`]), memory
/// bounded as an ingest's, and [`TaskWriter::finish`] closes the parts under the holding
/// directory.
pub struct TaskWriter {
    store: PathBuf,
    dir: PathBuf,
    task: u64,
    kind: RecordKind,
    seqs: BTreeMap<String, u64>,
    key_files: BTreeMap<String, String>,
    tz: jiff::tz::TimeZone,
    open: BTreeMap<String, Open>,
    rows: u64,
}

impl TaskWriter {
    /// A writer of `kind` records into the store at `store` (opened for writing by its owner),
    /// staging under `holding`; `seqs` numbers each source ([`Store::task_seqs`]).
    pub fn new(
        store: &Path,
        holding: &Path,
        task: u64,
        kind: RecordKind,
        seqs: BTreeMap<String, u64>,
    ) -> Result<TaskWriter, StoreError> {
        let target = Store::open(store)?;
        Ok(TaskWriter {
            store: store.to_owned(),
            dir: task_dir(holding, task),
            task,
            kind,
            seqs,
            key_files: target.manifest.key_files.clone(),
            tz: target.timezone(),
            open: BTreeMap::new(),
            rows: 0,
        })
    }

    /// Write a batch of records in the table's columns (as Spark reads a store or builds
    /// them; columns the table lacks are ignored). A record of a source not numbered is an
    /// error; on an error the task's staged parts are dropped.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let r = self.write_inner(batch);
        if r.is_err() {
            for (_, o) in std::mem::take(&mut self.open) {
                o.staging.abort();
            }
        }
        r
    }

    fn write_inner(&mut self, batch: &RecordBatch) -> Result<(), StoreError> {
        let cols = Cols(batch);
        for row in 0..batch.num_rows() {
            self.rows += 1;
            let prov: Provenance = cols.provenance(row);
            let record = cols
                .record(self.kind, row)
                .map_err(|source| StoreError::Decode {
                    file: format!("task {}, row {}", self.task, self.rows),
                    source,
                })?
                .into_record();
            let key = key_of(batch, row, &prov.source, &record);
            if !self.open.contains_key(&prov.source) {
                let opened = self.open_source(&prov.source)?;
                self.open.insert(prov.source.clone(), opened);
            }
            let Some(o) = self.open.get_mut(&prov.source) else {
                continue;
            };
            if o.known.contains(key) || !o.pending.insert(key) {
                o.duplicates += 1;
                continue;
            }
            o.staging.push(&record, &prov, key)?;
        }
        Ok(())
    }

    fn open_source(&self, source: &str) -> Result<Open, StoreError> {
        let seq = *self.seqs.get(source).ok_or_else(|| StoreError::NotAStore {
            path: self.store.display().to_string(),
            message: format!(
                "task {}: source `{source}` was not numbered before the write",
                self.task
            ),
        })?;
        let file = self
            .key_files
            .get(source)
            .cloned()
            .unwrap_or_else(|| keys::file_name(source));
        Ok(Open {
            staging: Staging::new(self.dir.join(format!("s{seq:06}")), seq, self.tz.clone())?
                .for_task(self.task),
            known: KeySet::load(&self.store.join("keys").join(file))?,
            pending: KeySet::default(),
            duplicates: 0,
        })
    }

    /// Close the parts; what was written, per source.
    pub fn finish(self) -> Result<Vec<TaskPart>, StoreError> {
        let mut out = Vec::with_capacity(self.open.len());
        for (source, o) in self.open {
            let parts = o.staging.commit(&self.dir)?;
            o.pending
                .append_to(&self.dir.join("keys").join(keys::file_name(&source)))?;
            out.push(TaskPart {
                source,
                task: self.task,
                parts,
                records: o.pending.len() as u64,
                duplicates: o.duplicates,
            });
        }
        Ok(out)
    }
}

/// Write one task's `kind` records at once ([`TaskWriter`] for batches as they come).
pub fn stage_task(
    store: &Path,
    holding: &Path,
    task: u64,
    kind: RecordKind,
    seqs: &BTreeMap<String, u64>,
    batches: &[RecordBatch],
) -> Result<Vec<TaskPart>, StoreError> {
    let mut w = TaskWriter::new(store, holding, task, kind, seqs.clone())?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()
}

impl Store {
    /// Number `sources` for a write by tasks ([`stage_task`]), in the order given (a source
    /// named twice keeps its first number): the ingest sequence number each source's records
    /// will be recorded under, which orders their parts within a day.
    #[must_use]
    pub fn task_seqs(&self, sources: &[String]) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for s in sources {
            let next = self.manifest.next_seq + out.len() as u64;
            out.entry(s.clone()).or_insert(next);
        }
        out
    }

    /// Move the parts the tasks staged under `holding` into the store, add their keys to the
    /// sources' key files, and record one ingest per source (as the file `file`) in the
    /// manifest. Needs the store opened for writing ([`Store::create`]); `holding` is removed.
    /// A keyed store is refused: its identifiers are pseudonymised by `o2o ingest` with the key,
    /// and the tasks wrote values as given.
    pub fn commit_tasks(
        &mut self,
        holding: &Path,
        seqs: &BTreeMap<String, u64>,
        tasks: Vec<TaskPart>,
        file: &str,
    ) -> Result<Vec<FileReport>, StoreError> {
        if let Some(p) = self.pseudonyms() {
            return Err(StoreError::KeyNeeded {
                key_id: p.key_id.clone(),
            });
        }
        let mut by_source: BTreeMap<&str, Vec<&TaskPart>> = BTreeMap::new();
        for t in &tasks {
            by_source.entry(t.source.as_str()).or_default().push(t);
        }
        let mut reports = Vec::new();
        let mut next_seq = self.manifest.next_seq;
        for (source, seq) in seqs {
            let Some(parts) = by_source.get(source.as_str()) else {
                continue;
            };
            let (mut records, mut duplicates) = (0u64, 0u64);
            let mut moved = Vec::new();
            let key_file = self
                .manifest
                .key_files
                .get(source)
                .cloned()
                .unwrap_or_else(|| keys::file_name(source));
            let key_path = self.dir.join("keys").join(&key_file);
            for t in parts {
                let dir = task_dir(holding, t.task);
                for rel in &t.parts {
                    let from = dir.join(rel);
                    let to = self.dir.join(rel);
                    if let Some(d) = to.parent() {
                        std::fs::create_dir_all(d).map_err(StoreError::io(d))?;
                    }
                    std::fs::rename(&from, &to).map_err(StoreError::io(&to))?;
                    moved.push(rel.clone());
                }
                let keys = KeySet::load(&dir.join("keys").join(keys::file_name(source)))?;
                keys.append_to(&key_path)?;
                records += t.records;
                duplicates += t.duplicates;
            }
            let stats = FileStats {
                rows: records + duplicates,
                records: records + duplicates,
                ..FileStats::default()
            };
            reports.push(FileReport {
                file: file.to_owned(),
                source: source.clone(),
                stats: stats.clone(),
                duplicates,
                stored: records,
                refused: None,
                pseudonyms: None,
            });
            if records == 0 {
                // Nothing new (the same records written again): nothing to record, as an
                // ingest of an export already stored.
                continue;
            }
            self.keys.remove(source);
            moved.sort();
            self.manifest.key_files.insert(source.clone(), key_file);
            self.manifest.ingests.push(IngestRecord {
                seq: *seq,
                source: source.clone(),
                file: file.to_owned(),
                stats,
                duplicates,
                parts: moved,
            });
            next_seq = next_seq.max(seq + 1);
        }
        self.manifest.next_seq = next_seq;
        self.manifest.schema_version = super::SCHEMA_VERSION;
        self.write_manifest()?;
        let _ = std::fs::remove_dir_all(holding);
        Ok(reports)
    }
}
