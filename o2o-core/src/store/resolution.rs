//! The stored resolution: the store's people, resolved once (`o2o resolve --store`) and read by
//! later analyses instead of resolving again.
//!
//! ```text
//! STORE/resolution/
//!   resolution.json              what was resolved: rules, their SHA-256, the store's fingerprint,
//!                                counts, and the names of the four files below
//!   events-TAG.parquet           one row per event, in storage order: source, record_key, profile,
//!                                identifiers (only where resolution changed them), consent
//!   profiles-TAG.parquet         one row per profile: profile, identifiers, members, first_seen,
//!                                last_seen, observations, sources
//!   identifiers-TAG.parquet      one row per linked identifier: kind, value (normalised), profile,
//!                                first_seen, last_seen, hub, split_sessions
//!   observations-TAG.parquet     the identity graph's observations: timestamp, source, identifiers
//! ```
//!
//! The Parquet files are written first under a new tag, then `resolution.json` is replaced
//! (written beside and renamed), then the previous files are removed: an interrupted write
//! leaves the previous resolution whole, or none. The resolution is *current* when the rules
//! given are the rules it was made under (same SHA-256 of their JSON) and the store's
//! fingerprint (what was ingested, erasures, the sizes of the table files, the scored links) is
//! the one it was made from; otherwise [`load`] says what changed and the caller resolves
//! afresh. An erasure (`o2o forget`) removes the Parquet files, which hold the person's
//! identifiers, and keeps `resolution.json`, which holds none, so the next run can say why.
//!
//! Times are Unix seconds (`Int64`), as the identity graph keeps them.

use super::people::{People, PeopleError, PeopleStats};
use super::schema::Cols;
use super::{Store, StoreError, StoredRecord};
use crate::consent::ConsentSignals;
use crate::event::{Event, IdKind, Identifier, RecordKind};
use crate::identity::{FrozenGraph, GraphStats, IdentityError, IdentityGraph, ResolutionRules};
use arrow_array::builder::{
    BooleanBuilder, FixedSizeBinaryBuilder, Int64Builder, ListBuilder, StringBuilder,
    StructBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The directory of the stored resolution, in the store.
pub const RESOLUTION_DIR: &str = "resolution";
/// The stored resolution's description, in [`RESOLUTION_DIR`].
pub const RESOLUTION_JSON: &str = "resolution.json";
const FORMAT: &str = "o2o-resolution";
const VERSION: u32 = 1;
/// Rows per written batch.
const CHUNK: usize = 65_536;

/// Why the stored resolution could not be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolutionError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Resolving the people failed.
    #[error(transparent)]
    People(#[from] PeopleError),
    /// A file of the resolution is damaged or does not fit the others.
    #[error("{file}: {message}")]
    Damaged {
        /// The file.
        file: String,
        /// What is wrong (column names, never values).
        message: String,
    },
    /// The store is not open for writing.
    #[error(
        "{0}: open the store for writing (Store::create or Store::open_writable) to store a resolution"
    )]
    ReadOnly(String),
}

fn damaged(file: &Path, message: impl std::fmt::Display) -> ResolutionError {
    ResolutionError::Damaged {
        file: file.display().to_string(),
        message: message.to_string(),
    }
}

/// What a store held when it was resolved: cheap to compute again (the manifest and a listing
/// of the table files), and precise enough to name what changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFingerprint {
    /// SHA-256 over everything below.
    pub sha256: String,
    /// Files ingested (manifest entries).
    pub ingests: u64,
    /// Erasures (`o2o forget`) applied to the store.
    pub erasures: u64,
    /// SHA-256 over the manifest's ingest entries.
    pub manifest_sha256: String,
    /// SHA-256 over the path and size of every table file.
    pub files_sha256: String,
    /// SHA-256 over the scored links (`o2o match --store`), when there are any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links_sha256: Option<String>,
}

/// The names of the resolution's files, in [`RESOLUTION_DIR`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionFiles {
    /// Profile per event.
    pub events: String,
    /// The profile table.
    pub profiles: String,
    /// The linked identifiers.
    pub identifiers: String,
    /// The graph's observations.
    pub observations: String,
}

/// `resolution.json`: what was resolved, under which rules, from which store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionInfo {
    /// Always `"o2o-resolution"`.
    pub format: String,
    /// The layout version.
    pub version: u32,
    /// The rules the people were resolved under.
    pub rules: ResolutionRules,
    /// SHA-256 of the rules' JSON (as written here).
    pub rules_sha256: String,
    /// The store it was resolved from.
    pub store: StoreFingerprint,
    /// Its files.
    pub files: ResolutionFiles,
    /// Events (rows of the events file).
    pub events: u64,
    /// Profiles.
    pub profiles: u64,
    /// Linked identifiers.
    pub identifiers: u64,
    /// Observations of the graph.
    pub observations: u64,
    /// What resolving the people counted.
    pub people: PeopleStats,
    /// The graph's totals.
    pub graph: GraphStats,
    /// The key of the pseudonyms, when the graph holds pseudonyms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym_key: Option<String>,
    /// Merges limits prevented: `[observation, identifier, kind]`.
    #[serde(default)]
    pub prevented: Vec<(u32, u32, IdKind)>,
}

/// Why a stored resolution is not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Staleness {
    /// It was made under other rules.
    Rules,
    /// Files were ingested since (how many).
    Ingested(u64),
    /// `o2o forget` erased records since.
    Erased,
    /// The scored links (`o2o match --store`) changed since.
    Links,
    /// The table files changed otherwise (removed, replaced, written by another tool).
    Files,
    /// It cannot be read (damaged, missing files, another version).
    Unreadable(String),
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::Rules => write!(f, "it was resolved under other rules"),
            Staleness::Ingested(1) => write!(f, "1 file was ingested since"),
            Staleness::Ingested(n) => write!(f, "{n} files were ingested since"),
            Staleness::Erased => write!(f, "`o2o forget` erased records since"),
            Staleness::Links => write!(f, "the scored links (`o2o match --store`) changed since"),
            Staleness::Files => write!(f, "the store's table files changed since"),
            Staleness::Unreadable(why) => write!(f, "it cannot be read: {why}"),
        }
    }
}

/// What [`load`] found.
pub enum Stored {
    /// The stored resolution is current: the people as resolving would give them.
    Current(Box<People>, Box<ResolutionInfo>),
    /// A resolution is stored but not current.
    Stale(Staleness),
    /// No resolution is stored.
    Absent,
}

fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the rules as JSON (the form `resolution.json` keeps).
#[must_use]
pub fn rules_sha256(rules: &ResolutionRules) -> String {
    // Plain maps, strings and numbers: serialising to memory cannot fail.
    sha256_hex(&serde_json::to_vec(rules).unwrap_or_default())
}

impl Store {
    /// Open an existing store for writing (its lock taken), without creating one.
    pub fn open_writable(dir: &Path) -> Result<Store, StoreError> {
        let mut s = Store::open(dir)?;
        s.lock()?;
        Ok(s)
    }

    /// The store's fingerprint as it is now (see [`StoreFingerprint`]).
    pub fn fingerprint(&self) -> Result<StoreFingerprint, StoreError> {
        let manifest_sha256 = sha256_hex(
            &serde_json::to_vec(&(&self.manifest.ingests, &self.manifest.timezone))
                .unwrap_or_default(),
        );
        let mut listing = String::new();
        for kind in RecordKind::ALL {
            for p in self.files(kind)? {
                let len = std::fs::metadata(&p).map_err(StoreError::io(&p))?.len();
                let rel = p.strip_prefix(&self.dir).unwrap_or(&p);
                listing.push_str(&format!("{}\t{len}\n", rel.display()));
            }
        }
        let files_sha256 = sha256_hex(listing.as_bytes());
        let links = self.dir.join("links");
        let links_sha256 = if links.is_dir() {
            let mut names: Vec<PathBuf> = std::fs::read_dir(&links)
                .map_err(StoreError::io(&links))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
                .collect();
            names.sort();
            let mut h = Sha256::new();
            for p in &names {
                h.update(p.file_name().map(|n| n.as_encoded_bytes()).unwrap_or(b""));
                h.update(std::fs::read(p).map_err(StoreError::io(p))?);
            }
            (!names.is_empty()).then(|| h.finalize().iter().map(|b| format!("{b:02x}")).collect())
        } else {
            None
        };
        let erasures = self.manifest.erasures;
        let ingests = self.manifest.ingests.len() as u64;
        let sha256 = sha256_hex(
            format!(
                "{ingests}\n{erasures}\n{manifest_sha256}\n{files_sha256}\n{}",
                links_sha256.as_deref().unwrap_or("")
            )
            .as_bytes(),
        );
        Ok(StoreFingerprint {
            sha256,
            ingests,
            erasures,
            manifest_sha256,
            files_sha256,
            links_sha256,
        })
    }

    /// Remove the stored resolution's Parquet files (they hold identifiers), keeping
    /// `resolution.json` so that the next run can say why it resolves afresh. Erasure calls it.
    pub(crate) fn drop_resolution_files(&self) -> Result<(), StoreError> {
        let dir = self.dir.join(RESOLUTION_DIR);
        if !dir.is_dir() {
            return Ok(());
        }
        for e in std::fs::read_dir(&dir).map_err(StoreError::io(&dir))? {
            let p = e.map_err(StoreError::io(&dir))?.path();
            if p.extension().is_some_and(|x| x == "parquet" || x == "tmp") {
                std::fs::remove_file(&p).map_err(StoreError::io(&p))?;
            }
        }
        Ok(())
    }
}

/// Resolve the store's people under `rules` and store the resolution; the people and what was
/// written. The store must be open for writing ([`Store::open_writable`]).
pub fn resolve_and_store(
    store: &Store,
    rules: ResolutionRules,
) -> Result<(People, ResolutionInfo), ResolutionError> {
    if !store.locked {
        return Err(ResolutionError::ReadOnly(store.dir.display().to_string()));
    }
    let fingerprint = store.fingerprint()?;
    let people = super::people::resolve(store, rules)?;
    let info = write(store, &people, fingerprint)?;
    Ok((people, info))
}

fn props() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("o2o {}", crate::VERSION))
        .build()
}

/// Write batches to `path` under `schema`.
fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    mut batches: impl FnMut(
        &mut dyn FnMut(RecordBatch) -> Result<(), ResolutionError>,
    ) -> Result<(), ResolutionError>,
) -> Result<(), ResolutionError> {
    let file = std::fs::File::create(path).map_err(StoreError::io(path))?;
    let mut w = ArrowWriter::try_new(file, schema, Some(props())).map_err(StoreError::from)?;
    batches(&mut |b| w.write(&b).map_err(|e| ResolutionError::Store(e.into())))?;
    w.close().map_err(StoreError::from)?;
    Ok(())
}

fn batch(schema: &SchemaRef, cols: Vec<ArrayRef>) -> Result<RecordBatch, ResolutionError> {
    RecordBatch::try_new(schema.clone(), cols).map_err(|e| ResolutionError::Store(e.into()))
}

fn id_fields() -> Fields {
    Fields::from(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ])
}

fn list_field(name: &str, item: DataType, nullable: bool) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", item, true))),
        nullable,
    )
}

fn events_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("record_key", DataType::FixedSizeBinary(16), false),
        Field::new("profile", DataType::Utf8, true),
        list_field("identifiers", DataType::Struct(id_fields()), true),
        Field::new("consent", DataType::Utf8, true),
    ]))
}

fn profiles_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("profile", DataType::Utf8, false),
        Field::new("identifiers", DataType::UInt32, false),
        list_field("members", DataType::UInt32, false),
        Field::new("first_seen", DataType::Int64, false),
        Field::new("last_seen", DataType::Int64, false),
        Field::new("observations", DataType::UInt64, false),
        list_field("sources", DataType::Utf8, false),
    ]))
}

fn identifiers_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
        Field::new("profile", DataType::Utf8, true),
        Field::new("first_seen", DataType::Int64, false),
        Field::new("last_seen", DataType::Int64, false),
        Field::new("hub", DataType::UInt32, true),
        Field::new("split_sessions", DataType::Boolean, false),
    ]))
}

fn observations_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("timestamp", DataType::Int64, false),
        Field::new("source", DataType::Utf8, false),
        list_field("identifiers", DataType::UInt32, false),
    ]))
}

/// The source and record key of every stored event, and its identifiers as stored.
fn event_rows(store: &Store) -> Result<Vec<(String, u128, Vec<Identifier>)>, StoreError> {
    let mut out = Vec::new();
    for b in store.scan(
        RecordKind::Event,
        Some(&["source", "record_key", "identifiers"]),
    )? {
        let (path, b) = b?;
        let cols = Cols(&b);
        let keys = b
            .column_by_name("record_key")
            .and_then(|c| c.as_fixed_size_binary_opt().cloned());
        for row in 0..b.num_rows() {
            let key = keys
                .as_ref()
                .and_then(|k| <[u8; 16]>::try_from(k.value(row)).ok())
                .map_or(0, u128::from_le_bytes);
            let ids = cols.identifiers(row).map_err(|source| StoreError::Decode {
                file: path.display().to_string(),
                source,
            })?;
            out.push((cols.provenance(row).source, key, ids));
        }
    }
    Ok(out)
}

fn event_identifiers(e: &Event) -> &[Identifier] {
    e.identifiers()
}

fn event_consent(e: &Event) -> Option<&ConsentSignals> {
    e.consent()
}

fn push_ids<'a>(
    b: &mut ListBuilder<StructBuilder>,
    ids: Option<impl Iterator<Item = &'a Identifier>>,
) {
    match ids {
        Some(ids) => {
            for id in ids {
                let s = b.values();
                if let Some(k) = s.field_builder::<StringBuilder>(0) {
                    k.append_value(id.kind.as_str());
                }
                if let Some(v) = s.field_builder::<StringBuilder>(1) {
                    v.append_value(&id.value);
                }
                s.append(true);
            }
            b.append(true);
        }
        None => b.append(false),
    }
}

fn ids_builder() -> ListBuilder<StructBuilder> {
    ListBuilder::new(StructBuilder::from_fields(id_fields(), 0)).with_field(Arc::new(Field::new(
        "item",
        DataType::Struct(id_fields()),
        true,
    )))
}

fn write(
    store: &Store,
    people: &People,
    fingerprint: StoreFingerprint,
) -> Result<ResolutionInfo, ResolutionError> {
    let dir = store.dir.join(RESOLUTION_DIR);
    std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tag = sha256_hex(format!("{}{}{nanos}", fingerprint.sha256, std::process::id()).as_bytes());
    let tag = &tag[..16];
    let files = ResolutionFiles {
        events: format!("events-{tag}.parquet"),
        profiles: format!("profiles-{tag}.parquet"),
        identifiers: format!("identifiers-{tag}.parquet"),
        observations: format!("observations-{tag}.parquet"),
    };
    let graph = &people.graph;
    let frozen = graph.freeze();

    // Events: profile per event, identifiers where resolution changed them, consent.
    let mut stored = event_rows(store)?;
    for (_, _, ids) in &mut stored {
        ids.sort();
        ids.dedup();
    }
    if stored.len() != people.events.len() {
        return Err(ResolutionError::Damaged {
            file: store.dir.display().to_string(),
            message: "the store's events changed while they were resolved".to_owned(),
        });
    }
    let schema = events_schema();
    write_parquet(&dir.join(&files.events), schema.clone(), |sink| {
        for (chunk_e, chunk_s) in people.events.chunks(CHUNK).zip(stored.chunks(CHUNK)) {
            let mut source = StringBuilder::new();
            let mut key = FixedSizeBinaryBuilder::new(16);
            let mut profile = StringBuilder::new();
            let mut ids = ids_builder();
            let mut consent = StringBuilder::new();
            for (e, (src, k, as_stored)) in chunk_e.iter().zip(chunk_s) {
                source.append_value(src);
                key.append_value(k.to_le_bytes())
                    .map_err(|e| ResolutionError::Store(e.into()))?;
                profile.append_option(graph.profile_id_of_event(e).map(|p| p.to_string()));
                // Resolution sorts and deduplicates identifiers: only other changes are kept.
                let now = event_identifiers(e);
                push_ids(&mut ids, (now != as_stored.as_slice()).then(|| now.iter()));
                consent.append_option(event_consent(e).and_then(|c| serde_json::to_string(c).ok()));
            }
            sink(batch(
                &schema,
                vec![
                    Arc::new(source.finish()),
                    Arc::new(key.finish()),
                    Arc::new(profile.finish()),
                    Arc::new(ids.finish()),
                    Arc::new(consent.finish()),
                ],
            )?)?;
        }
        Ok(())
    })?;
    drop(stored);

    let profile_name =
        |p: usize| crate::identity::ProfileId::from_hash(frozen.profile_hash[p]).to_string();
    // Profiles.
    let schema = profiles_schema();
    let n_profiles = frozen.profile_hash.len();
    write_parquet(&dir.join(&files.profiles), schema.clone(), |sink| {
        for start in (0..n_profiles).step_by(CHUNK) {
            let end = (start + CHUNK).min(n_profiles);
            let mut profile = StringBuilder::new();
            let mut count = UInt32Builder::new();
            let mut members = ListBuilder::new(UInt32Builder::new());
            let mut first = Int64Builder::new();
            let mut last = Int64Builder::new();
            let mut obs = UInt64Builder::new();
            let mut sources = ListBuilder::new(StringBuilder::new());
            for p in start..end {
                profile.append_value(profile_name(p));
                let m = &frozen.members[frozen.starts[p] as usize..frozen.starts[p + 1] as usize];
                count.append_value(m.len() as u32);
                members.values().append_slice(m);
                members.append(true);
                first.append_value(frozen.first_seen[p]);
                last.append_value(frozen.last_seen[p]);
                obs.append_value(frozen.n_obs[p]);
                for &s in &frozen.profile_sources
                    [frozen.source_starts[p] as usize..frozen.source_starts[p + 1] as usize]
                {
                    sources.values().append_value(&frozen.sources[s as usize]);
                }
                sources.append(true);
            }
            sink(batch(
                &schema,
                vec![
                    Arc::new(profile.finish()),
                    Arc::new(count.finish()),
                    Arc::new(members.finish()),
                    Arc::new(first.finish()),
                    Arc::new(last.finish()),
                    Arc::new(obs.finish()),
                    Arc::new(sources.finish()),
                ],
            )?)?;
        }
        Ok(())
    })?;

    // Identifiers.
    let mut profile_of: Vec<Option<usize>> = vec![None; frozen.kinds.len()];
    for p in 0..n_profiles {
        for &m in &frozen.members[frozen.starts[p] as usize..frozen.starts[p + 1] as usize] {
            profile_of[m as usize] = Some(p);
        }
    }
    let hubs: HashMap<u32, u32> = frozen.hubs.iter().copied().collect();
    let split: std::collections::HashSet<u32> = frozen.split_sessions.iter().copied().collect();
    let schema = identifiers_schema();
    let n_ids = frozen.kinds.len();
    write_parquet(&dir.join(&files.identifiers), schema.clone(), |sink| {
        for start in (0..n_ids).step_by(CHUNK) {
            let end = (start + CHUNK).min(n_ids);
            let mut kind = StringBuilder::new();
            let mut value = StringBuilder::new();
            let mut profile = StringBuilder::new();
            let mut first = Int64Builder::new();
            let mut last = Int64Builder::new();
            let mut hub = UInt32Builder::new();
            let mut sessions = BooleanBuilder::new();
            #[allow(clippy::needless_range_loop)] // one row from six columns
            for i in start..end {
                kind.append_value(frozen.kinds[i].as_str());
                value.append_value(&frozen.values[i]);
                profile.append_option(profile_of[i].map(profile_name));
                first.append_value(frozen.seen[i].0);
                last.append_value(frozen.seen[i].1);
                hub.append_option(hubs.get(&(i as u32)).copied());
                sessions.append_value(split.contains(&(i as u32)));
            }
            sink(batch(
                &schema,
                vec![
                    Arc::new(kind.finish()),
                    Arc::new(value.finish()),
                    Arc::new(profile.finish()),
                    Arc::new(first.finish()),
                    Arc::new(last.finish()),
                    Arc::new(hub.finish()),
                    Arc::new(sessions.finish()),
                ],
            )?)?;
        }
        Ok(())
    })?;

    // Observations.
    let schema = observations_schema();
    let n_obs = frozen.obs_ts.len();
    write_parquet(&dir.join(&files.observations), schema.clone(), |sink| {
        for start in (0..n_obs).step_by(CHUNK) {
            let end = (start + CHUNK).min(n_obs);
            let mut ts = Int64Builder::new();
            let mut src = StringBuilder::new();
            let mut ids = ListBuilder::new(UInt32Builder::new());
            for o in start..end {
                ts.append_value(frozen.obs_ts[o]);
                src.append_value(&frozen.sources[frozen.obs_src[o] as usize]);
                let from = if o == 0 {
                    0
                } else {
                    frozen.obs_ends[o - 1] as usize
                };
                ids.values()
                    .append_slice(&frozen.obs_ids[from..frozen.obs_ends[o] as usize]);
                ids.append(true);
            }
            sink(batch(
                &schema,
                vec![
                    Arc::new(ts.finish()),
                    Arc::new(src.finish()),
                    Arc::new(ids.finish()),
                ],
            )?)?;
        }
        Ok(())
    })?;

    let info = ResolutionInfo {
        format: FORMAT.to_owned(),
        version: VERSION,
        rules_sha256: rules_sha256(&frozen.rules),
        rules: frozen.rules.clone(),
        store: fingerprint,
        files: files.clone(),
        events: people.events.len() as u64,
        profiles: n_profiles as u64,
        identifiers: n_ids as u64,
        observations: n_obs as u64,
        people: people.stats.clone(),
        graph: frozen.stats,
        pseudonym_key: frozen.pseudonym_key.clone(),
        prevented: frozen.audit.clone(),
    };
    let json = dir.join(RESOLUTION_JSON);
    let tmp = dir.join(format!("{RESOLUTION_JSON}.tmp"));
    let text = serde_json::to_string_pretty(&info).map_err(|e| damaged(&json, e))?;
    std::fs::write(&tmp, text).map_err(StoreError::io(&tmp))?;
    std::fs::rename(&tmp, &json).map_err(StoreError::io(&json))?;
    // The previous resolution's files (and any an interrupted write left) go.
    let keep = [
        &files.events,
        &files.profiles,
        &files.identifiers,
        &files.observations,
    ];
    for e in std::fs::read_dir(&dir).map_err(StoreError::io(&dir))? {
        let p = e.map_err(StoreError::io(&dir))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.extension().is_some_and(|x| x == "parquet") && !keep.iter().any(|k| *k == name) {
            std::fs::remove_file(&p).map_err(StoreError::io(&p))?;
        }
    }
    Ok(info)
}

/// The stored resolution's description, if one is stored.
pub fn info(store: &Store) -> Result<Option<ResolutionInfo>, ResolutionError> {
    let path = store.dir.join(RESOLUTION_DIR).join(RESOLUTION_JSON);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(&path)(e).into()),
    };
    let info: ResolutionInfo = serde_json::from_str(&text).map_err(|e| damaged(&path, e))?;
    if info.format != FORMAT || info.version != VERSION {
        return Err(damaged(
            &path,
            format!(
                "format `{}` version {} (this o2o reads {FORMAT} version {VERSION})",
                info.format, info.version
            ),
        ));
    }
    Ok(Some(info))
}

/// What changed between a stored fingerprint and the store now, if anything.
#[must_use]
pub fn staleness(then: &StoreFingerprint, now: &StoreFingerprint) -> Option<Staleness> {
    if then.sha256 == now.sha256 {
        None
    } else if now.erasures != then.erasures {
        Some(Staleness::Erased)
    } else if now.ingests > then.ingests {
        Some(Staleness::Ingested(now.ingests - then.ingests))
    } else if now.links_sha256 != then.links_sha256 {
        Some(Staleness::Links)
    } else {
        Some(Staleness::Files)
    }
}

/// The stored resolution, when it is current for `rules`; otherwise why not (see
/// [`Stored`]). Reading it gives the people [`super::resolve_people`] would give.
pub fn load(store: &Store, rules: &ResolutionRules) -> Result<Stored, ResolutionError> {
    let info = match info(store) {
        Ok(Some(i)) => i,
        Ok(None) => return Ok(Stored::Absent),
        Err(e) => return Ok(Stored::Stale(Staleness::Unreadable(e.to_string()))),
    };
    if info.rules_sha256 != rules_sha256(rules) {
        return Ok(Stored::Stale(Staleness::Rules));
    }
    if let Some(s) = staleness(&info.store, &store.fingerprint()?) {
        return Ok(Stored::Stale(s));
    }
    match read(store, &info) {
        Ok(people) => Ok(Stored::Current(Box::new(people), Box::new(info))),
        Err(ResolutionError::Store(e)) if !matches!(e, StoreError::Io { .. }) => Err(e.into()),
        Err(e) => Ok(Stored::Stale(Staleness::Unreadable(e.to_string()))),
    }
}

/// Batches of one of the resolution's files.
fn batches(path: &Path) -> Result<Vec<RecordBatch>, ResolutionError> {
    let f = std::fs::File::open(path).map_err(StoreError::io(path))?;
    let r = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| damaged(path, e))?
        .with_batch_size(CHUNK)
        .build()
        .map_err(|e| damaged(path, e))?;
    r.map(|b| b.map_err(|e| damaged(path, e))).collect()
}

/// Typed columns of the resolution's files, each failure naming the file and column.
struct Col<'a> {
    path: &'a Path,
    batch: &'a RecordBatch,
}

impl<'a> Col<'a> {
    fn any(&self, name: &str) -> Result<&'a ArrayRef, ResolutionError> {
        self.batch
            .column_by_name(name)
            .ok_or_else(|| damaged(self.path, format!("no column `{name}`")))
    }
    fn text(&self, name: &str) -> Result<&'a arrow_array::StringArray, ResolutionError> {
        self.any(name)?
            .as_string_opt::<i32>()
            .ok_or_else(|| damaged(self.path, format!("column `{name}` is not text")))
    }
    fn i64(&self, name: &str) -> Result<&'a arrow_array::Int64Array, ResolutionError> {
        self.any(name)?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| damaged(self.path, format!("column `{name}` is not Int64")))
    }
    fn u64(&self, name: &str) -> Result<&'a arrow_array::UInt64Array, ResolutionError> {
        self.any(name)?
            .as_primitive_opt::<UInt64Type>()
            .ok_or_else(|| damaged(self.path, format!("column `{name}` is not UInt64")))
    }
    fn u32(&self, name: &str) -> Result<&'a arrow_array::UInt32Array, ResolutionError> {
        self.any(name)?
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| damaged(self.path, format!("column `{name}` is not UInt32")))
    }
    fn list(&self, name: &str) -> Result<&'a arrow_array::ListArray, ResolutionError> {
        self.any(name)?
            .as_list_opt::<i32>()
            .ok_or_else(|| damaged(self.path, format!("column `{name}` is not a list")))
    }
    /// The u32 values of list `name` at `row`.
    fn u32_list(&self, name: &str, row: usize) -> Result<Vec<u32>, ResolutionError> {
        let l = self.list(name)?;
        let v = l.value(row);
        let v = v.as_primitive_opt::<UInt32Type>().ok_or_else(|| {
            damaged(
                self.path,
                format!("column `{name}` is not a list of UInt32"),
            )
        })?;
        Ok(v.values().to_vec())
    }
}

fn read(store: &Store, info: &ResolutionInfo) -> Result<People, ResolutionError> {
    let dir = store.dir.join(RESOLUTION_DIR);
    let mut f = FrozenGraph {
        rules: info.rules.clone(),
        pseudonym_key: info.pseudonym_key.clone(),
        stats: info.graph,
        audit: info.prevented.clone(),
        ..FrozenGraph::default()
    };
    let mut source_no: HashMap<String, u32> = HashMap::new();

    // Observations (their sources are numbered in order of first use, as the graph does).
    let path = dir.join(&info.files.observations);
    for b in batches(&path)? {
        let c = Col {
            path: &path,
            batch: &b,
        };
        let (ts, src) = (c.i64("timestamp")?, c.text("source")?);
        for row in 0..b.num_rows() {
            let s = src.value(row);
            let n = match source_no.get(s) {
                Some(&n) => n,
                None => {
                    let n = f.sources.len() as u32;
                    f.sources.push(s.to_owned());
                    source_no.insert(s.to_owned(), n);
                    n
                }
            };
            f.obs_ts.push(ts.value(row));
            f.obs_src.push(n);
            f.obs_ids.extend(c.u32_list("identifiers", row)?);
            let end = u32::try_from(f.obs_ids.len())
                .map_err(|_| damaged(&path, "too many identifiers"))?;
            f.obs_ends.push(end);
        }
    }

    // Identifiers.
    let path = dir.join(&info.files.identifiers);
    for b in batches(&path)? {
        let c = Col {
            path: &path,
            batch: &b,
        };
        let (kind, value) = (c.text("kind")?, c.text("value")?);
        let (first, last) = (c.i64("first_seen")?, c.i64("last_seen")?);
        let hub = c.u32("hub")?;
        let split = c
            .any("split_sessions")?
            .as_boolean_opt()
            .ok_or_else(|| damaged(&path, "column `split_sessions` is not Boolean"))?;
        for row in 0..b.num_rows() {
            let i = f.kinds.len() as u32;
            let k: IdKind = kind
                .value(row)
                .parse()
                .map_err(|e: crate::event::UnknownKind| {
                    damaged(&path, format!("column `kind`: {e}"))
                })?;
            f.kinds.push(k);
            f.values.push(value.value(row).to_owned());
            f.seen.push((first.value(row), last.value(row)));
            if !hub.is_null(row) {
                f.hubs.push((i, hub.value(row)));
            }
            if split.value(row) {
                f.split_sessions.push(i);
            }
        }
    }

    // Profiles.
    let path = dir.join(&info.files.profiles);
    f.starts.push(0);
    f.source_starts.push(0);
    for b in batches(&path)? {
        let c = Col {
            path: &path,
            batch: &b,
        };
        let profile = c.text("profile")?;
        let (first, last, n_obs) = (
            c.i64("first_seen")?,
            c.i64("last_seen")?,
            c.u64("observations")?,
        );
        let sources = c.list("sources")?;
        for row in 0..b.num_rows() {
            let id: crate::identity::ProfileId = profile
                .value(row)
                .parse()
                .map_err(|e: IdentityError| damaged(&path, format!("column `profile`: {e}")))?;
            f.profile_hash.push(id.hash());
            f.members.extend(c.u32_list("members", row)?);
            f.starts.push(
                u32::try_from(f.members.len()).map_err(|_| damaged(&path, "too many members"))?,
            );
            f.first_seen.push(first.value(row));
            f.last_seen.push(last.value(row));
            f.n_obs.push(n_obs.value(row));
            let s = sources.value(row);
            let s = s
                .as_string_opt::<i32>()
                .ok_or_else(|| damaged(&path, "column `sources` is not a list of text"))?;
            for name in s.iter().flatten() {
                let n = source_no.get(name).ok_or_else(|| {
                    damaged(&path, "column `sources` names a source no observation has")
                })?;
                f.profile_sources.push(*n);
            }
            f.source_starts.push(f.profile_sources.len() as u32);
        }
    }
    // The resolution keeps each profile's sources in name order.
    for p in 0..f.profile_hash.len() {
        let (a, b) = (f.source_starts[p] as usize, f.source_starts[p + 1] as usize);
        let names = &f.sources;
        f.profile_sources[a..b].sort_by(|x, y| names[*x as usize].cmp(&names[*y as usize]));
    }
    let graph = IdentityGraph::thaw(f).map_err(|e| damaged(&dir, e))?;

    // Events: as stored, with the resolution's identifiers and consent.
    let path = dir.join(&info.files.events);
    let overrides = batches(&path)?;
    let mut events = Vec::with_capacity(info.events as usize);
    let mut ov = overrides
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)));
    let mut consent_cache: HashMap<String, ConsentSignals> = HashMap::new();
    for sb in store.scan(RecordKind::Event, None)? {
        let (spath, sb) = sb?;
        let cols = Cols(&sb);
        let keys = sb
            .column_by_name("record_key")
            .and_then(|c| c.as_fixed_size_binary_opt().cloned());
        for row in 0..sb.num_rows() {
            let Some((b, r)) = ov.next() else {
                return Err(damaged(&path, "fewer rows than the store has events"));
            };
            let c = Col {
                path: &path,
                batch: b,
            };
            let key = keys
                .as_ref()
                .and_then(|k| <[u8; 16]>::try_from(k.value(row)).ok())
                .map_or(0, u128::from_le_bytes);
            let rkey = c
                .any("record_key")?
                .as_fixed_size_binary_opt()
                .and_then(|k| <[u8; 16]>::try_from(k.value(r)).ok())
                .map_or(0, u128::from_le_bytes);
            let src = c.text("source")?;
            if key != rkey || src.value(r) != cols.provenance(row).source {
                return Err(damaged(
                    &path,
                    format!("row {r} is not the store's event at that position"),
                ));
            }
            let StoredRecord::Event(mut e) =
                cols.record(RecordKind::Event, row)
                    .map_err(|source| StoreError::Decode {
                        file: spath.display().to_string(),
                        source,
                    })?
            else {
                continue;
            };
            let ids = c.list("identifiers")?;
            let new_ids = if ids.is_null(r) {
                None
            } else {
                Some(Cols(b).identifiers(r).map_err(|e| damaged(&path, e))?)
            };
            let consent_col = c.text("consent")?;
            let consent = if consent_col.is_null(r) {
                None
            } else {
                let s = consent_col.value(r);
                match consent_cache.get(s) {
                    Some(c) => Some(c.clone()),
                    None => {
                        let v: ConsentSignals = serde_json::from_str(s)
                            .map_err(|e| damaged(&path, format!("column `consent`: {e}")))?;
                        consent_cache.insert(s.to_owned(), v.clone());
                        Some(v)
                    }
                }
            };
            let (ids, own) = e.identity_mut();
            match new_ids {
                Some(n) => *ids = n,
                None => {
                    ids.sort();
                    ids.dedup();
                }
            }
            *own = consent;
            events.push(e);
        }
    }
    if ov.next().is_some() {
        return Err(damaged(&path, "more rows than the store has events"));
    }
    Ok(People {
        events,
        graph,
        stats: info.people.clone(),
    })
}

/// Where [`people`] found the people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from the stored resolution.
    Stored,
    /// Resolved afresh: why the stored resolution was not used (`None`: none is stored).
    Resolved(Option<Staleness>),
}

/// The store's people under `rules`: read from the stored resolution when it is current,
/// resolved afresh otherwise (the same people either way), and where they came from.
pub fn people(store: &Store, rules: ResolutionRules) -> Result<(People, Origin), ResolutionError> {
    match load(store, &rules)? {
        Stored::Current(p, _) => Ok((*p, Origin::Stored)),
        Stored::Stale(s) => Ok((
            super::people::resolve(store, rules)?,
            Origin::Resolved(Some(s)),
        )),
        Stored::Absent => Ok((
            super::people::resolve(store, rules)?,
            Origin::Resolved(None),
        )),
    }
}
