//! Writing one file's records into staged Parquet parts, partitioned by day, with memory bounded
//! whatever the input's size or order: rows are buffered per partition up to a batch and handed
//! to the partition's Parquet writer; when the buffered and encoded data of all partitions passes
//! a budget, the largest partitions end their row groups early; and at most a year and a bit of
//! partitions stay open (the least recently used is closed, and a later row of its day starts a
//! new part).

use super::StoreError;
use super::schema::{Builder, schema};
use crate::event::{Provenance, Record, RecordKind};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows buffered per open partition before they are written as a batch.
const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group.
const ROW_GROUP_ROWS: usize = 65_536;
/// Partitions open at once (more than a year of days).
const MAX_OPEN: usize = 400;
/// Memory that buffered rows and open row groups may take, in bytes.
const MEMORY_BUDGET: usize = 192 << 20;
/// A row of a builder, in bytes, for the budget (a generous average).
const ROW_BYTES: usize = 512;
/// Rows between two checks of the budget.
const CHECK_EVERY: u64 = 8192;

/// The directory of a table in the store.
pub(crate) fn table_dir(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Event => "events",
        RecordKind::Spend => "spend",
        RecordKind::Consent => "consent",
        RecordKind::Assignment => "assignments",
        RecordKind::Customer => "customers",
    }
}

/// Whether a table is partitioned by day.
pub(crate) fn partitioned(kind: RecordKind) -> bool {
    matches!(kind, RecordKind::Event | RecordKind::Spend)
}

struct Part {
    builder: Builder,
    writer: ArrowWriter<File>,
    staged: PathBuf,
    rel: PathBuf,
    last_used: u64,
    rows: u64,
}

/// The parts of one file's ingest, written under a staging directory until committed.
pub(crate) struct Staging {
    root: PathBuf,
    seq: u64,
    tz: jiff::tz::TimeZone,
    open: BTreeMap<(RecordKind, String), Part>,
    /// Closed parts: (staged path, path relative to the store).
    closed: Vec<(PathBuf, PathBuf)>,
    clock: u64,
    next_part: u32,
    /// The start of every part's file name (`p000012`, or `p000012-t00003` for a task of
    /// another engine's write, so that the parts of parallel tasks never share a name).
    prefix: String,
    props: WriterProperties,
}

impl Staging {
    pub(crate) fn new(root: PathBuf, seq: u64, tz: jiff::tz::TimeZone) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&root).map_err(StoreError::io(&root))?;
        Ok(Staging {
            root,
            seq,
            tz,
            open: BTreeMap::new(),
            closed: Vec::new(),
            clock: 0,
            next_part: 0,
            prefix: format!("p{seq:06}"),
            props: WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                .set_created_by(format!("o2o {}", crate::VERSION))
                .build(),
        })
    }

    /// Name the parts of this staging `p{seq}-t{task}-{n}.parquet`: one task's share of a
    /// write by another engine (`external`).
    pub(crate) fn for_task(mut self, task: u64) -> Self {
        self.prefix = format!("p{:06}-t{task:05}", self.seq);
        self
    }

    /// The day partition of a record (`day=YYYY-MM-DD` in the store's zone), or `""`.
    fn partition(&self, kind: RecordKind, r: &Record) -> String {
        if !partitioned(kind) {
            return String::new();
        }
        if let Record::Spend(s) = r {
            return format!("day={}", s.day);
        }
        let ts = r.timestamp().unwrap_or_default();
        match jiff::Timestamp::from_second(ts) {
            Ok(t) => format!("day={}", self.tz.to_datetime(t).date()),
            Err(_) => "day=unknown".to_owned(),
        }
    }

    pub(crate) fn push(&mut self, r: &Record, p: &Provenance, key: u128) -> Result<(), StoreError> {
        let kind = r.kind();
        let part = self.partition(kind, r);
        self.clock += 1;
        let k = (kind, part);
        if !self.open.contains_key(&k) {
            if self.open.len() >= MAX_OPEN {
                self.close_oldest()?;
            }
            let opened = self.open_part(kind, &k.1)?;
            self.open.insert(k.clone(), opened);
        }
        let clock = self.clock;
        let Some(part) = self.open.get_mut(&k) else {
            return Ok(());
        };
        part.last_used = clock;
        part.builder.push(r, p, key);
        part.rows += 1;
        if part.builder.len() >= BATCH_ROWS {
            let batch = part.builder.finish()?;
            part.writer.write(&batch)?;
        }
        if self.clock.is_multiple_of(CHECK_EVERY) {
            self.keep_to_budget()?;
        }
        Ok(())
    }

    /// When the partitions' buffered rows and open row groups pass the budget, end the largest
    /// ones' row groups until half the budget is left.
    fn keep_to_budget(&mut self) -> Result<(), StoreError> {
        let size = |p: &Part| p.builder.len() * ROW_BYTES + p.writer.in_progress_size();
        let mut total: usize = self.open.values().map(size).sum();
        if total <= MEMORY_BUDGET {
            return Ok(());
        }
        let mut by_size: Vec<(usize, (RecordKind, String))> = self
            .open
            .iter()
            .map(|(k, p)| (size(p), k.clone()))
            .collect();
        by_size.sort_by_key(|b| std::cmp::Reverse(b.0));
        for (n, k) in by_size {
            if total <= MEMORY_BUDGET / 2 {
                break;
            }
            if let Some(p) = self.open.get_mut(&k) {
                if p.builder.len() > 0 {
                    let batch = p.builder.finish()?;
                    p.writer.write(&batch)?;
                }
                p.writer.flush()?;
                total = total.saturating_sub(n);
            }
        }
        Ok(())
    }

    fn open_part(&mut self, kind: RecordKind, partition: &str) -> Result<Part, StoreError> {
        self.next_part += 1;
        let name = format!("{}-{:04}.parquet", self.prefix, self.next_part);
        let mut rel = PathBuf::from(table_dir(kind));
        if !partition.is_empty() {
            rel.push(partition);
        }
        rel.push(name);
        let staged = self.root.join(&rel);
        if let Some(dir) = staged.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        let file = File::create(&staged).map_err(StoreError::io(&staged))?;
        let writer = ArrowWriter::try_new(file, schema(kind), Some(self.props.clone()))?;
        Ok(Part {
            builder: Builder::new(kind),
            writer,
            staged,
            rel,
            last_used: self.clock,
            rows: 0,
        })
    }

    fn close_oldest(&mut self) -> Result<(), StoreError> {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, p)| p.last_used)
            .map(|(k, _)| k.clone());
        if let Some(k) = oldest
            && let Some(p) = self.open.remove(&k)
        {
            self.close(p)?;
        }
        Ok(())
    }

    fn close(&mut self, mut p: Part) -> Result<(), StoreError> {
        if p.builder.len() > 0 {
            let batch = p.builder.finish()?;
            p.writer.write(&batch)?;
        }
        p.writer.close()?;
        if p.rows > 0 {
            self.closed.push((p.staged, p.rel));
        }
        Ok(())
    }

    /// Close every part and move them into the store; returns their paths in the store.
    pub(crate) fn commit(mut self, store: &Path) -> Result<Vec<PathBuf>, StoreError> {
        let open = std::mem::take(&mut self.open);
        for (_, p) in open {
            self.close(p)?;
        }
        let mut out = Vec::with_capacity(self.closed.len());
        for (staged, rel) in std::mem::take(&mut self.closed) {
            let dest = store.join(&rel);
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
            }
            std::fs::rename(&staged, &dest).map_err(StoreError::io(&dest))?;
            out.push(rel);
        }
        remove_staging(&self.root);
        out.sort();
        Ok(out)
    }

    /// Drop everything staged.
    pub(crate) fn abort(self) {
        let root = self.root.clone();
        drop(self);
        remove_staging(&root);
    }
}

/// Remove a staging directory, and the store's `.staging` folder when no other is left in it.
fn remove_staging(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
    if let Some(parent) = root.parent() {
        // Fails, as it should, while another ingest's staging is still there.
        let _ = std::fs::remove_dir(parent);
    }
}
