//! Matching the people of an event store, and keeping the matched pairs in it.
//!
//! Each record of the store that carries descriptive attributes (a CRM customer with a name,
//! birth date and zip; a POS event with a name) becomes a matching record keyed by its strongest
//! identifier under the resolution rules' priority (records of one key are merged, the first
//! value of each field kept). Fields are the attribute kinds' names (`first_name`, `last_name`,
//! `date_of_birth`, `gender`, `city`, `state`, `zip`, `country`), trimmed and lower-cased, plus a
//! customer's `region` and `store`. For `link_only`, the two sources are `customer` and `event`.
//!
//! The matched pairs go to `STORE/links/match.parquet` (replaced by each run, written beside
//! and moved in): `a` and `b` (`kind:value`), `match_weight`, `probability`, and `waterfall`
//! (the JSON of [`Waterfall`]). Resolving the store's people
//! ([`crate::store::resolve_people`]) adds them to the graph as scored links.

use super::{MatchError, MatchRun, MatchSettings, Records, run};
use crate::event::{IdKind, Identifier, RecordKind};
use crate::identity::{IdentityError, IdentityGraph, ResolutionRules, Waterfall, parse_identifier};
use crate::store::{Store, StoreError, StoredRecord};
use arrow_array::{Array, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the matched pairs live, relative to the store.
pub const LINKS_FILE: &str = "links/match.parquet";

/// The source name scored links carry in the graph.
pub const MATCH_SOURCE: &str = "match";

/// The store's records ready to match, and each record's key identifier.
pub struct StoreMatch {
    /// The records; each record's id is its key's `kind:value`.
    pub records: Records,
    /// Each record's key identifier.
    pub keys: Vec<Identifier>,
}

/// One stored link.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredLink {
    /// One end.
    pub a: Identifier,
    /// The other.
    pub b: Identifier,
    /// Its weights.
    pub waterfall: Waterfall,
}

/// The field a record value goes to.
fn field_of(kind: IdKind) -> Option<&'static str> {
    kind.is_attribute().then(|| kind.as_str())
}

/// Gather the store's matching records under `rules`' priority.
pub fn store_records(
    store: &Store,
    settings: &MatchSettings,
    rules: &ResolutionRules,
) -> Result<StoreMatch, MatchError> {
    let fields = settings.fields();
    let rank = |k: IdKind| rules.priority.iter().position(|&p| p == k);
    // key → (source, values), in first-seen order.
    let mut order: Vec<Identifier> = Vec::new();
    let mut by_key: HashMap<Identifier, (&'static str, Vec<Option<String>>)> = HashMap::new();
    let mut add = |ids: &[Identifier], extra: &[(&str, Option<&String>)], source: &'static str| {
        let Some(key) = ids
            .iter()
            .filter(|i| !i.kind.is_attribute() && !i.kind.is_hashed())
            .filter_map(|i| rank(i.kind).map(|r| (r, i)))
            .min_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.value.cmp(&y.1.value)))
            .map(|(_, i)| i.clone())
        else {
            return;
        };
        let mut values: Vec<Option<String>> = vec![None; fields.len()];
        let mut any = false;
        let mut set = |name: &str, v: &str| {
            let v = v.trim().to_lowercase();
            if v.is_empty() {
                return;
            }
            if let Some(f) = fields.iter().position(|f| *f == name)
                && values[f].is_none()
            {
                values[f] = Some(v);
                any = true;
            }
        };
        for id in ids {
            if let Some(name) = field_of(id.kind) {
                set(name, &id.value);
            }
        }
        for (name, v) in extra {
            if let Some(v) = v {
                set(name, v);
            }
        }
        if !any {
            return;
        }
        match by_key.get_mut(&key) {
            Some((_, old)) => {
                for (o, n) in old.iter_mut().zip(values) {
                    if o.is_none() {
                        *o = n;
                    }
                }
            }
            None => {
                order.push(key.clone());
                by_key.insert(key, (source, values));
            }
        }
    };
    for (r, _) in store.records(RecordKind::Customer)? {
        if let StoredRecord::Customer(c) = r {
            let extra = [
                ("region", c.region.as_ref()),
                ("store", c.store.as_ref()),
                ("city", c.city.as_ref()),
            ];
            add(&c.identifiers, &extra, "customer");
        }
    }
    for e in store.events()? {
        add(e.identifiers(), &[], "event");
    }
    let mut records = Records::new(&fields);
    let mut keys = Vec::with_capacity(order.len());
    for (line, key) in order.into_iter().enumerate() {
        let Some((source, values)) = by_key.remove(&key) else {
            continue;
        };
        let refs: Vec<Option<&str>> = values.iter().map(|v| v.as_deref()).collect();
        let id = format!("{}:{}", key.kind.as_str(), key.value);
        records.push(&id, source, &refs, line as u64 + 1)?;
        keys.push(key);
    }
    Ok(StoreMatch { records, keys })
}

/// Match the store's people under `settings` and store the matched pairs; returns the run
/// (for its model and counts) and the records.
pub fn match_store<'a>(
    store: &Store,
    settings: &'a MatchSettings,
    matched: &'a StoreMatch,
) -> Result<MatchRun<'a>, MatchError> {
    let result = run(settings, &matched.records)?;
    let links: Vec<StoredLink> = result
        .pairs
        .iter()
        .map(|p| StoredLink {
            a: matched.keys[p.a as usize].clone(),
            b: matched.keys[p.b as usize].clone(),
            waterfall: result.waterfall(p.a, p.b),
        })
        .collect();
    write_links(store.dir(), &links)?;
    Ok(result)
}

fn links_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::Utf8, false),
        Field::new("b", DataType::Utf8, false),
        Field::new("match_weight", DataType::Float64, false),
        Field::new("probability", DataType::Float64, false),
        Field::new("waterfall", DataType::Utf8, false),
    ]))
}

/// Write `links` to the store's links file (beside it first, then moved in).
pub fn write_links(dir: &Path, links: &[StoredLink]) -> Result<(), MatchError> {
    let dest = dir.join(LINKS_FILE);
    let staged: PathBuf = dir.join("links/.match.parquet.tmp");
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(StoreError::io(parent))?;
    }
    let id = |i: &Identifier| format!("{}:{}", i.kind.as_str(), i.value);
    let waterfalls = links
        .iter()
        .map(|l| serde_json::to_string(&l.waterfall))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| MatchError::Io {
            path: dest.display().to_string(),
            message: e.to_string(),
        })?;
    let batch = RecordBatch::try_new(
        links_schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                links.iter().map(|l| id(&l.a)),
            )),
            Arc::new(StringArray::from_iter_values(
                links.iter().map(|l| id(&l.b)),
            )),
            Arc::new(Float64Array::from_iter_values(
                links.iter().map(|l| l.waterfall.match_weight),
            )),
            Arc::new(Float64Array::from_iter_values(
                links.iter().map(|l| l.waterfall.probability),
            )),
            Arc::new(StringArray::from_iter_values(waterfalls)),
        ],
    )
    .map_err(StoreError::from)?;
    let file = std::fs::File::create(&staged).map_err(StoreError::io(&staged))?;
    let mut w = ArrowWriter::try_new(file, links_schema(), None).map_err(StoreError::from)?;
    w.write(&batch).map_err(StoreError::from)?;
    w.close().map_err(StoreError::from)?;
    std::fs::rename(&staged, &dest).map_err(StoreError::io(&dest))?;
    Ok(())
}

/// The links stored by the last `o2o match --store` (none when it never ran).
pub fn read_links(dir: &Path) -> Result<Vec<StoredLink>, StoreError> {
    let path = dir.join(LINKS_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bad = |message: String| StoreError::NotAStore {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(&path).map_err(StoreError::io(&path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)?.build()?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch?;
        out.extend(links_of_batch(&batch).map_err(bad)?);
    }
    Ok(out)
}

/// Drop the stored links with an end `erase` names, for an erasure
/// ([`Store::rewrite_without`]): a link names the person's identifier, and its waterfall is
/// derived from their attributes. The file is written again only when a link goes; returns
/// how many went.
pub(crate) fn erase_links(
    dir: &Path,
    erase: &impl Fn(&Identifier) -> bool,
) -> Result<u64, StoreError> {
    let links = read_links(dir)?;
    let before = links.len();
    let kept: Vec<StoredLink> = links
        .into_iter()
        .filter(|l| !(erase(&l.a) || erase(&l.b)))
        .collect();
    let dropped = (before - kept.len()) as u64;
    if dropped > 0 {
        write_links(dir, &kept).map_err(|e| match e {
            MatchError::Store(s) => s,
            other => StoreError::NotAStore {
                path: dir.join(LINKS_FILE).display().to_string(),
                message: other.to_string(),
            },
        })?;
    }
    Ok(dropped)
}

/// The links of one batch in the links file's columns (`a`, `b`, `waterfall`; other columns
/// ignored), in row order; the error names the row (from 1) and what is wrong with it.
/// `o2o.spark` hands each group of components its rows of the links file through this.
pub fn links_of_batch(batch: &RecordBatch) -> Result<Vec<StoredLink>, String> {
    let col = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .ok_or_else(|| format!("no text column `{name}`"))
    };
    let (a, b, w) = (col("a")?, col("b")?, col("waterfall")?);
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        if a.is_null(i) || b.is_null(i) || w.is_null(i) {
            return Err(format!("row {}: a missing value", i + 1));
        }
        let ida = parse_identifier(a.value(i)).map_err(|e| format!("row {}: {e}", i + 1))?;
        let idb = parse_identifier(b.value(i)).map_err(|e| format!("row {}: {e}", i + 1))?;
        let waterfall: Waterfall = serde_json::from_str(w.value(i))
            .map_err(|e| format!("row {}: waterfall: {e}", i + 1))?;
        out.push(StoredLink {
            a: ida,
            b: idb,
            waterfall,
        });
    }
    Ok(out)
}

/// Add `links` to `graph` as scored links, in their order; returns how many joined two recorded
/// identifiers (a link with an end the graph never recorded adds nothing).
pub fn apply_links(
    links: impl IntoIterator<Item = StoredLink>,
    graph: &mut IdentityGraph,
) -> Result<u64, IdentityError> {
    let mut n = 0;
    for l in links {
        if graph.link_scored(MATCH_SOURCE, &l.a, &l.b, l.waterfall)? {
            n += 1;
        }
    }
    Ok(n)
}

/// Add the store's links to `graph` as scored links; returns how many joined two recorded
/// identifiers.
pub fn add_links(dir: &Path, graph: &mut IdentityGraph) -> Result<u64, MatchError> {
    Ok(apply_links(read_links(dir)?, graph)?)
}
