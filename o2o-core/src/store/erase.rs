//! Erasure in the store: every Parquet file holding one of a person's identifiers is written
//! again without them ([`Store::rewrite_without`]). A record that held only the person's
//! identifiers is removed with everything it carried (its items, voucher, store); a record that
//! also held other people's identifiers keeps theirs and the rest of its columns. The record
//! keys of removed records leave the key files (a key is a hash of the record as ingested), and
//! the matched pairs of `o2o match --store` touching the person leave `links/match.parquet`.
//! Files are rewritten beside the original and renamed over it, so a crash leaves either file
//! whole.

use super::schema::{Builder, Cols};
use super::{Store, StoreError, StoredRecord, keys::KeySet};
use crate::event::{Identifier, Record, RecordKind};
use arrow_array::Array;
use arrow_array::cast::AsArray;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::collections::BTreeMap;
use std::path::Path;
use zeroize::Zeroize;

/// What [`Store::rewrite_without`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StoreErasure {
    /// Parquet files written again.
    pub files_rewritten: u64,
    /// Records removed (they held only erased identifiers).
    pub records_removed: u64,
    /// Records kept without the erased identifiers.
    pub records_rewritten: u64,
    /// Identifier occurrences removed.
    pub identifiers_removed: u64,
    /// Scored links of `o2o match --store` removed (`links/match.parquet`): one of their two
    /// identifiers was erased.
    pub links_removed: u64,
}

impl StoredRecord {
    pub(super) fn into_record(self) -> Record {
        match self {
            StoredRecord::Event(e) => Record::Event(e),
            StoredRecord::Consent(c) => Record::Consent(c),
            StoredRecord::Spend(s) => Record::Spend(s),
            StoredRecord::Assignment(a) => Record::Assignment(a),
            StoredRecord::Customer(c) => Record::Customer(c),
        }
    }
}

/// The identifiers of a record, to edit.
fn identifiers_mut(r: &mut Record) -> Option<&mut Vec<Identifier>> {
    match r {
        Record::Event(e) => Some(e.identity_mut().0),
        Record::Consent(c) => Some(&mut c.identifiers),
        Record::Assignment(a) => Some(&mut a.identifiers),
        Record::Customer(c) => Some(&mut c.identifiers),
        Record::Spend(_) => None,
    }
}

impl Store {
    /// Write every table file again without the identifiers `erase` says are the person's:
    /// see the module documentation. Needs the store opened for writing ([`Store::create`]).
    pub fn rewrite_without(
        &mut self,
        erase: impl Fn(&Identifier) -> bool,
    ) -> Result<StoreErasure, StoreError> {
        let mut out = StoreErasure::default();
        // A keyed store keeps the platform hashes of emails and phones beside their
        // pseudonyms: the person's go, and records holding them lose them.
        let hashes = if self.manifest.pseudonyms.is_some() {
            super::pseudonyms::erase_aliases(&self.dir, &erase)?
        } else {
            Default::default()
        };
        let erase = |id: &Identifier| {
            erase(id)
                || (id.kind.is_hashed()
                    && !hashes.is_empty()
                    && hashes.contains(&id.value.trim().to_ascii_lowercase()))
        };
        let mut dropped_keys: BTreeMap<String, Vec<u128>> = BTreeMap::new();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("o2o {}", crate::VERSION))
            .build();
        for kind in RecordKind::ALL {
            for path in self.files(kind)? {
                let changed =
                    rewrite_file(&path, kind, &erase, &props, &mut out, &mut dropped_keys)?;
                if changed {
                    out.files_rewritten += 1;
                }
            }
        }
        for (source, keys) in dropped_keys {
            let Some(file) = self.manifest.key_files.get(&source).cloned() else {
                continue;
            };
            let path = self.dir.join("keys").join(&file);
            let mut set = KeySet::load(&path)?;
            for k in keys {
                set.remove(k);
            }
            let tmp = path.with_extension("erasing");
            let _ = std::fs::remove_file(&tmp);
            set.append_to(&tmp)?;
            std::fs::rename(&tmp, &path).map_err(StoreError::io(&path))?;
            self.keys.remove(&source);
        }
        // Matched pairs name their two identifiers and carry weights derived from the
        // person's attributes: a pair with an erased end goes.
        out.links_removed = crate::matching::erase_links(&self.dir, &erase)?;
        if out.links_removed > 0 {
            out.files_rewritten += 1;
        }
        if out.files_rewritten > 0 {
            // A stored resolution holds the person's identifiers: its files go, and the count
            // tells the next run why it resolves afresh.
            self.drop_resolution_files()?;
            self.manifest.erasures += 1;
            // The rewritten files have this version's columns.
            self.manifest.schema_version = super::SCHEMA_VERSION;
            self.write_manifest()?;
        }
        Ok(out)
    }
}

/// Rewrite one file if it holds an erased identifier; whether it did.
fn rewrite_file(
    path: &Path,
    kind: RecordKind,
    erase: &impl Fn(&Identifier) -> bool,
    props: &WriterProperties,
    out: &mut StoreErasure,
    dropped_keys: &mut BTreeMap<String, Vec<u128>>,
) -> Result<bool, StoreError> {
    let decode = |source| StoreError::Decode {
        file: path.display().to_string(),
        source,
    };
    let f = std::fs::File::open(path).map_err(StoreError::io(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)?.build()?;
    let mut rows: Vec<(Record, crate::event::Provenance, u128)> = Vec::new();
    let mut changed = false;
    for batch in reader {
        let batch = batch?;
        let cols = Cols(&batch);
        let keys = batch
            .column_by_name("record_key")
            .and_then(|c| c.as_fixed_size_binary_opt().cloned());
        for row in 0..batch.num_rows() {
            let mut record = cols.record(kind, row).map_err(decode)?.into_record();
            let prov = cols.provenance(row);
            let key = keys
                .as_ref()
                .filter(|k| !k.is_null(row))
                .and_then(|k| <[u8; 16]>::try_from(k.value(row)).ok())
                .map_or(0, u128::from_le_bytes);
            if let Some(ids) = identifiers_mut(&mut record) {
                let mut gone = 0usize;
                let mut kept = Vec::with_capacity(ids.len());
                for mut i in ids.drain(..) {
                    if erase(&i) {
                        // The decoded value is overwritten before its memory is released.
                        i.value.zeroize();
                        gone += 1;
                    } else {
                        kept.push(i);
                    }
                }
                *ids = kept;
                if gone > 0 {
                    changed = true;
                    out.identifiers_removed += gone as u64;
                    // Attributes (names, birth dates) say nothing alone: a record left with
                    // only attributes was the person's.
                    if ids.iter().all(|i| i.kind.is_attribute()) {
                        out.records_removed += 1;
                        dropped_keys
                            .entry(prov.source.clone())
                            .or_default()
                            .push(key);
                        continue;
                    }
                    out.records_rewritten += 1;
                }
            }
            rows.push((record, prov, key));
        }
    }
    if !changed {
        return Ok(false);
    }
    let tmp = path.with_extension("erasing");
    {
        let file = std::fs::File::create(&tmp).map_err(StoreError::io(&tmp))?;
        let mut writer = ArrowWriter::try_new(file, super::schema(kind), Some(props.clone()))?;
        let mut builder = Builder::new(kind);
        for chunk in rows.chunks(8192) {
            for (r, p, k) in chunk {
                builder.push(r, p, *k);
            }
            writer.write(&builder.finish()?)?;
        }
        writer.close()?;
    }
    if rows.is_empty() {
        std::fs::remove_file(&tmp).map_err(StoreError::io(&tmp))?;
        std::fs::remove_file(path).map_err(StoreError::io(path))?;
    } else {
        std::fs::rename(&tmp, path).map_err(StoreError::io(path))?;
    }
    Ok(true)
}
