//! The core's work on one partition or one group of an `o2o.spark` job. Spark moves the rows;
//! every decision (which identifiers link, how a group of events resolves, what a journey is,
//! how a model credits) is the core's, exactly as on one machine.
//!
//! * [`link_keys`] (`mapInArrow`): per event, the identifiers the identity graph would record
//!   (consent, kinds that link, normalised, junk blocked), as 64-bit keys with their kind's
//!   rank: the edges of the connected components.
//! * [`resolve_groups`] (`applyInArrow`): a group of whole components resolved by the core's
//!   identity graph: the profiles, each event's profile, and the journeys' path table rows.
//! * [`attribute_paths`]: a model run on the path table Spark aggregated.

use crate::arrow::{ArrowTable, import_chunks};
use crate::error::{Class, Error, Result};
use crate::store::rules;
use arrow_array::builder::{Float64Builder, Int32Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, BinaryArray, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use o2o_core::attribution::{JourneyConfig, Model, PathTable};
use o2o_core::consent::{ConsentGate, ConsentSignals, Operation};
use o2o_core::event::{Event, IdKind, Identifier, RecordKind};
use o2o_core::hashing::sha256;
use o2o_core::identity::IdentityGraph;
use o2o_core::measure::{MeasureOptions, Population, Side, analysis_events};
use o2o_core::store::{Store as CoreStore, StoredRecord, TaskPart, decode_events};
use pyo3::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// The column Spark numbers events by.
const EVENT: &str = "_event";
/// Separator of channels in a path string (a control character no channel name holds).
pub const PATH_SEP: &str = "\u{1f}";

fn analysis(e: impl std::fmt::Display) -> Error {
    Error::new(Class::Analysis, "analysis", e.to_string())
}

/// The record batches of an Arrow object (a pyarrow RecordBatch or Table).
fn batches(obj: &Bound<'_, PyAny>) -> Result<Vec<RecordBatch>> {
    import_chunks(obj, "batch")?
        .into_iter()
        .map(|a| match a.data_type() {
            // A record batch has no nulls at the top level (RecordBatch::from insists).
            DataType::Struct(_) if a.null_count() == 0 => {
                Ok(RecordBatch::from(a.as_struct().clone()))
            }
            other => Err(Error::input(
                "batch",
                format!("batch: expected a record batch, got Arrow type {other}"),
            )),
        })
        .collect()
}

/// The events of `batches` and the `_event` number of each.
fn events_of(batches: &[RecordBatch]) -> Result<(Vec<Event>, Vec<i64>)> {
    let mut events = Vec::new();
    let mut ids = Vec::new();
    for b in batches {
        let col = event_numbers(b, "batch")?;
        events.extend(decode_events(b).map_err(|e| Error::input("batch", e.to_string()))?);
        ids.extend(col.iter().map(|v| v.unwrap_or(-1)));
    }
    Ok((events, ids))
}

/// The 64-bit key of a normalised identifier: the first 8 bytes of the SHA-256 of
/// `kind:value`. A collision can only join two components, never split one, so resolution
/// stays exact.
fn key_of(id: &Identifier) -> i64 {
    let d = sha256(format!("{}:{}", id.kind.as_str(), id.value).as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_le_bytes(b)
}

/// The rank of each kind under the rules (0 the strongest; kinds that never link are absent).
fn rank_of(priority: &[IdKind], k: IdKind) -> Option<i32> {
    priority.iter().position(|p| *p == k).map(|r| r as i32)
}

/// `mapInArrow`: the linking keys of a batch of events: `(_event, kind, rank, key, linked)`.
#[pyfunction]
#[pyo3(signature = (batch, rules_json=None))]
pub fn link_keys(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    rules_json: Option<&str>,
) -> Result<ArrowTable> {
    let rules = rules(rules_json)?;
    let bs = batches(batch)?;
    let out = py.detach(move || -> Result<RecordBatch> {
        let priority = rules.priority.clone();
        let graph = IdentityGraph::new(rules)?;
        let (events, ids) = events_of(&bs)?;
        let mut ev = Int64Builder::new();
        let mut kind = StringBuilder::new();
        let mut rank = Int32Builder::new();
        let mut key = Int64Builder::new();
        let mut linked = arrow_array::builder::BooleanBuilder::new();
        for (e, id) in events.iter().zip(&ids) {
            // Every recordable identifier is an edge, with or without consent: an event its
            // owner did not let link still takes the profile of its identifiers (as
            // `profile_id_of_event` gives it on one machine), so it must be resolved with
            // them. Only events that link (`linked`) count for the hub guard.
            let may = graph.may_link(e);
            for i in e.identifiers().iter().filter_map(|i| graph.recordable(i)) {
                let Some(r) = rank_of(&priority, i.kind) else {
                    continue;
                };
                ev.append_value(*id);
                kind.append_value(i.kind.as_str());
                rank.append_value(r);
                key.append_value(key_of(&i));
                linked.append_value(may);
            }
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(ev.finish()),
            Arc::new(kind.finish()),
            Arc::new(rank.finish()),
            Arc::new(key.finish()),
            Arc::new(linked.finish()),
        ];
        RecordBatch::try_new(link_schema(), cols).map_err(analysis)
    })?;
    Ok(ArrowTable::new(out.schema(), vec![out]))
}

/// The 64-bit key of a joining value that is not an identifier (`sha:HEX`, `click:gclid:…`).
fn key_of_text(text: &str) -> i64 {
    let d = sha256(text.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    i64::from_le_bytes(b)
}

/// `mapInArrow`, for `o2o.spark.resolve_store`: the keys that join the records of a `table` of
/// the store (`events`, `consent`, `customers`, `assignments`) under the store's record-level
/// rules, `(_event, kind, rank, key, linked)`: each recordable identifier (rank of its kind),
/// and, ranked -1, the hashes under which a hashed identifier stands for a raw email or phone
/// (`kind` `sha`, only when `hashed`: some record of the store carries a hashed identifier) and
/// the click ids of an event (`kind` `click`). `linked` marks, for an event, that its own
/// consent lets it link (the rows the hub guard may count); for a consent or customer record,
/// that its consent does not deny linking (an identifier with a record that denies is never
/// counted: on one machine it may not link).
///
/// Two more tables join records without being records: `links` (rows of the links file of `o2o
/// match --store`: the keys of both ends, so that a scored link lands in one group with them)
/// and `aliases` (a keyed store's kept platform hashes: the `sha` key of the hash and the key of
/// the pseudonym it stands for). With `key_id` (a keyed store) identifiers are taken as the
/// store's pseudonyms under that key, and hashed identifiers join through `aliases` only.
#[pyfunction]
#[pyo3(signature = (batch, table, rules_json=None, hashed=false, key_id=None))]
pub fn store_link_keys(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    table: &str,
    rules_json: Option<&str>,
    hashed: bool,
    key_id: Option<String>,
) -> Result<ArrowTable> {
    let rules = rules(rules_json)?;
    let kind = match table {
        LINKS | ALIASES => None,
        t => Some(table_kind(t)?),
    };
    let keyed = key_id.is_some();
    let bs = batches(batch)?;
    let out = py.detach(move || -> Result<RecordBatch> {
        let priority = rules.priority.clone();
        let mut graph = IdentityGraph::new(rules)?;
        graph.set_pseudonym_key(key_id);
        let gate = ConsentGate::default();
        let mut ev = Int64Builder::new();
        let mut kinds = StringBuilder::new();
        let mut rank = Int32Builder::new();
        let mut key = Int64Builder::new();
        let mut linked = arrow_array::builder::BooleanBuilder::new();
        let mut push = |e: i64, k: &str, r: i32, x: i64, l: bool| {
            ev.append_value(e);
            kinds.append_value(k);
            rank.append_value(r);
            key.append_value(x);
            linked.append_value(l);
        };
        for b in &bs {
            let nums = event_numbers(b, "batch")?;
            let decode = |e: o2o_core::store::DecodeError| Error::input("batch", e.to_string());
            // Each record as (identifiers, click ids, whether it links on its own consent).
            let records: Vec<(Vec<Identifier>, Vec<String>, bool)> = match kind {
                // A scored link: a record of its two ends, so that they land in one group.
                None if table == LINKS => o2o_core::matching::links_of_batch(b)
                    .map_err(|e| Error::input(LINKS, format!("{LINKS}: {e}")))?
                    .into_iter()
                    .map(|l| (vec![l.a, l.b], Vec::new(), false))
                    .collect(),
                // A kept platform hash: joins the records carrying the hash (its `sha` key)
                // to those of the pseudonym it stands for.
                None => {
                    let col = |name: &str| {
                        b.column_by_name(name)
                            .and_then(|c| c.as_string_opt::<i32>())
                            .ok_or_else(|| {
                                Error::input(
                                    ALIASES,
                                    format!("{ALIASES}: no string column `{name}`"),
                                )
                            })
                    };
                    let (h, k, p) = (col("hash")?, col("kind")?, col("pseudonym")?);
                    for row in 0..b.num_rows() {
                        let n = nums.value(row);
                        if h.is_valid(row) {
                            push(
                                n,
                                "sha",
                                -1,
                                key_of_text(&format!("sha:{}", h.value(row))),
                                false,
                            );
                        }
                        let id = (k.is_valid(row) && p.is_valid(row))
                            .then(|| k.value(row).parse::<IdKind>().ok())
                            .flatten()
                            .and_then(|kind| {
                                graph.recordable(&Identifier::new(kind, p.value(row)))
                            });
                        if let Some(r) = id
                            && let Some(rk) = rank_of(&priority, r.kind)
                        {
                            push(n, r.kind.as_str(), rk, key_of(&r), false);
                        }
                    }
                    continue;
                }
                Some(RecordKind::Event) => decode_events(b)
                    .map_err(decode)?
                    .into_iter()
                    .map(|e| {
                        let may = graph.may_link(&e);
                        let clicks = o2o_core::store::click_keys(&e);
                        (e.identifiers().to_vec(), clicks, may)
                    })
                    .collect(),
                // `linked` of a record: no consent of its own denies linking (the core never
                // links an identifier whose latest record denies it).
                Some(kind) => o2o_core::store::decode_records(kind, b)
                    .map_err(decode)?
                    .into_iter()
                    .map(|r| {
                        let allows = |s: Option<&ConsentSignals>| {
                            s.is_none_or(|s| gate.check(Operation::LinkIdentity, Some(s)).allowed)
                        };
                        match r {
                            StoredRecord::Consent(c) => {
                                let ok = allows(Some(&c.consent));
                                (c.identifiers, Vec::new(), ok)
                            }
                            StoredRecord::Customer(c) => {
                                let ok = allows(c.consent.as_ref());
                                (c.identifiers, Vec::new(), ok)
                            }
                            StoredRecord::Assignment(a) => (a.identifiers, Vec::new(), true),
                            _ => (Vec::new(), Vec::new(), true),
                        }
                    })
                    .collect(),
            };
            for (row, (ids, clicks, may)) in records.iter().enumerate() {
                let n = nums.value(row);
                for i in ids {
                    if let Some(r) = graph.recordable(i)
                        && let Some(rk) = rank_of(&priority, r.kind)
                    {
                        push(n, r.kind.as_str(), rk, key_of(&r), *may);
                    }
                    if hashed {
                        if i.kind.is_hashed() {
                            push(
                                n,
                                "sha",
                                -1,
                                key_of_text(&format!("sha:{}", i.value)),
                                false,
                            );
                        }
                        // In a keyed store, a hash stands for a pseudonym through the kept
                        // platform hashes (their records carry both keys), never through a
                        // hash of the pseudonym's text.
                        if !keyed {
                            for h in o2o_core::store::hash_forms(i) {
                                push(n, "sha", -1, key_of_text(&format!("sha:{h}")), false);
                            }
                        }
                    }
                }
                for c in clicks {
                    push(n, "click", -1, key_of_text(&format!("click:{c}")), false);
                }
            }
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(ev.finish()),
            Arc::new(kinds.finish()),
            Arc::new(rank.finish()),
            Arc::new(key.finish()),
            Arc::new(linked.finish()),
        ];
        RecordBatch::try_new(link_schema(), cols).map_err(analysis)
    })?;
    Ok(ArrowTable::new(out.schema(), vec![out]))
}

/// The records of a store table's batches, in `_event` order, each with whether it is a copy
/// (a `_copy` column: a consent or customer record handed to another group than its own for
/// its consent of a shared identifier).
fn records_of(table: &str, obj: &Bound<'_, PyAny>) -> Result<Vec<(StoredRecord, bool)>> {
    let kind = table_kind(table)?;
    let mut numbered = Vec::new();
    for b in batches(obj)? {
        let nums = event_numbers(&b, "batch")?.clone();
        let copy = b
            .column_by_name(COPY)
            .and_then(|c| c.as_boolean_opt())
            .cloned();
        let recs = o2o_core::store::decode_records(kind, &b)
            .map_err(|e| Error::input("batch", e.to_string()))?;
        for (row, r) in recs.into_iter().enumerate() {
            let is_copy = copy
                .as_ref()
                .is_some_and(|c| c.is_valid(row) && c.value(row));
            numbered.push((nums.value(row), (r, is_copy)));
        }
    }
    numbered.sort_by_key(|(n, _)| *n);
    Ok(numbered.into_iter().map(|(_, r)| r).collect())
}

/// The column marking copies of records (see [`records_of`]).
const COPY: &str = "_copy";

/// A copy of a record keeps only its shared identifiers: in another group than its own it
/// serves their consent, and observes nothing (they link nothing).
fn keep_shared(r: &mut StoredRecord, shared: &dyn Fn(&Identifier) -> bool) {
    let ids = match r {
        StoredRecord::Consent(c) => &mut c.identifiers,
        StoredRecord::Customer(c) => &mut c.identifiers,
        StoredRecord::Assignment(a) => &mut a.identifiers,
        _ => return,
    };
    ids.retain(|i| shared(i));
}

/// `applyInArrow` (cogrouped), for `o2o.spark.resolve_store`: a group of whole connected
/// components of the store's records resolved as `o2o resolve --store` resolves the store
/// (hashed identifiers joined to raw ones, click ids, consent from records and through the
/// person, customers and assignments as observations, then the scored links of `o2o match
/// --store`), then the rows of [`resolve_groups`]. `consent`, `customers`, `assignments`: the
/// group's records of those tables, and copies (`_copy` true) of the records of other groups
/// that carry an identifier of `hubs` seen in this one, which keep only those identifiers
/// (their consent reaches this group's records through them); `links`: its rows of the links file (`a`, `b`,
/// `waterfall`, `_event`); `aliases`: in a keyed store (`key_id`), its rows of the kept
/// platform hashes, in `_event` order (the store's). `hubs` as for [`resolve_groups`].
#[pyfunction]
#[pyo3(signature = (events, consent, customers, assignments, rules_json=None, hubs=Vec::new(), lookback=None, links=None, aliases=None, key_id=None))]
#[allow(clippy::too_many_arguments)]
pub fn resolve_store_groups(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    consent: &Bound<'_, PyAny>,
    customers: &Bound<'_, PyAny>,
    assignments: &Bound<'_, PyAny>,
    rules_json: Option<&str>,
    hubs: Vec<i64>,
    lookback: Option<&str>,
    links: Option<&Bound<'_, PyAny>>,
    aliases: Option<&Bound<'_, PyAny>>,
    key_id: Option<String>,
) -> Result<ArrowTable> {
    let rules = rules(rules_json)?;
    let cfg = journey_config(lookback)?;
    let bs = batches(events)?;
    let mut records = records_of("consent", consent)?;
    records.extend(records_of("customers", customers)?);
    records.extend(records_of("assignments", assignments)?);
    let links = match links {
        Some(obj) => links_of(obj)?,
        None => Vec::new(),
    };
    let keyed = match key_id {
        Some(key_id) => {
            let mut map = std::collections::HashMap::new();
            if let Some(obj) = aliases {
                for b in batches(obj)? {
                    let rows = o2o_core::store::aliases_of_batch(&b)
                        .map_err(|e| Error::input(ALIASES, format!("{ALIASES}: {e}")))?;
                    for (h, id) in rows {
                        map.entry(h).or_insert(id);
                    }
                }
            }
            Some(o2o_core::store::Keyed {
                key_id,
                aliases: map,
            })
        }
        None => None,
    };
    let out = py.detach(move || -> Result<RecordBatch> {
        let (events, ids) = in_event_order(events_of(&bs)?);
        let hubs: HashSet<i64> = hubs.into_iter().collect();
        let mut probe = IdentityGraph::new(rules.clone())?;
        probe.set_pseudonym_key(keyed.as_ref().map(|k| k.key_id.clone()));
        let shared = |i: &Identifier| {
            probe
                .recordable(i)
                .is_some_and(|r| hubs.contains(&key_of(&r)))
        };
        let unlinked: Option<o2o_core::store::Unlinked<'_>> =
            if hubs.is_empty() { None } else { Some(&shared) };
        let records: Vec<StoredRecord> = records
            .into_iter()
            .map(|(mut r, copy)| {
                if copy {
                    keep_shared(&mut r, &shared);
                }
                r
            })
            .collect();
        let mut people = o2o_core::store::resolve_records(events, records, rules, keyed, unlinked)?;
        // 5. The scored links, as the whole store's resolution adds them.
        o2o_core::matching::apply_links(links, &mut people.graph)?;
        emit(&people.graph, &people.events, &ids, &cfg)
    })?;
    Ok(ArrowTable::new(out.schema(), vec![out]))
}

/// The `_event` numbers of a batch `o2o.spark` hands over; `what` names the batch in the error.
fn event_numbers<'a>(b: &'a RecordBatch, what: &str) -> Result<&'a PrimitiveArray<Int64Type>> {
    b.column_by_name(EVENT)
        .and_then(|c| c.as_primitive_opt::<Int64Type>())
        .ok_or_else(|| Error::input(EVENT, format!("{what}: no int64 column `{EVENT}`")))
}

/// The table name under which `o2o.spark` hands over rows of the links file.
const LINKS: &str = "links";
/// The table name under which `o2o.spark` hands over rows of a keyed store's alias files.
const ALIASES: &str = "aliases";

/// The scored links of a group's rows of the links file, in `_event` order (the file's).
fn links_of(obj: &Bound<'_, PyAny>) -> Result<Vec<o2o_core::matching::StoredLink>> {
    let mut numbered = Vec::new();
    for b in batches(obj)? {
        let nums = event_numbers(&b, LINKS)?.clone();
        let links = o2o_core::matching::links_of_batch(&b)
            .map_err(|e| Error::input(LINKS, format!("{LINKS}: {e}")))?;
        numbered.extend(nums.values().iter().copied().zip(links));
    }
    numbered.sort_by_key(|(n, _)| *n);
    Ok(numbered.into_iter().map(|(_, l)| l).collect())
}

/// The id of the key a keyed store's identifiers are pseudonyms under (`None` for a plain
/// store), once the rules are checked against the store's (as `o2o resolve --store` checks them).
#[pyfunction]
#[pyo3(signature = (store, rules_json=None))]
pub fn store_key_id(store: PathBuf, rules_json: Option<&str>) -> Result<Option<String>> {
    let rules = rules(rules_json)?;
    let s = CoreStore::open(&store)?;
    Ok(o2o_core::store::pseudonym_key(&s, &rules)?)
}

/// The schema of [`link_keys`]' output.
fn link_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new(EVENT, DataType::Int64, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("rank", DataType::Int32, false),
        Field::new("key", DataType::Int64, false),
        Field::new("linked", DataType::Boolean, false),
    ]))
}

/// The rank of each kind under the rules, and the hub thresholds, as JSON
/// `{"priority": [kind…], "hub_threshold": {kind: n}}` (the rules with their defaults).
#[pyfunction]
#[pyo3(signature = (rules_json=None))]
pub fn rules_json(rules_json: Option<&str>) -> Result<String> {
    let r = rules(rules_json)?;
    // Validate as the graph would.
    IdentityGraph::new(r.clone())?;
    let v = serde_json::json!({
        "priority": r.priority,
        "hub_threshold": r.hub_threshold,
    });
    Ok(v.to_string())
}

/// The schema of [`resolve_groups`]' output: one table for three kinds of rows (`what`):
/// `profile` rows (profile, kind, value), `event` rows (_event, profile), `outcome` rows
/// (profile, conversions = check-ins, revenue), `path` rows (path, conversions, revenue, nulls).
fn resolved_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("what", DataType::Utf8, false),
        Field::new(EVENT, DataType::Int64, true),
        Field::new("profile", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, true),
        Field::new("value", DataType::Utf8, true),
        Field::new("path", DataType::Utf8, true),
        Field::new("conversions", DataType::Float64, true),
        Field::new("revenue", DataType::Float64, true),
        Field::new("nulls", DataType::Float64, true),
    ]))
}

/// `applyInArrow`: resolve a group of whole connected components with the core: the profiles,
/// each event's profile and the journeys' path table. `hubs` are the keys of identifiers the
/// hub guard's global counts found shared: they are left out of linking here as the guard
/// leaves them out on one machine.
#[pyfunction]
#[pyo3(signature = (batch, rules_json=None, hubs=Vec::new(), lookback=None))]
pub fn resolve_groups(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    rules_json: Option<&str>,
    hubs: Vec<i64>,
    lookback: Option<&str>,
) -> Result<ArrowTable> {
    let rules = rules(rules_json)?;
    let cfg = journey_config(lookback)?;
    let bs = batches(batch)?;
    let out = py.detach(move || -> Result<RecordBatch> {
        let (mut events, ids) = in_event_order(events_of(&bs)?);
        let hubs: HashSet<i64> = hubs.into_iter().collect();
        if !hubs.is_empty() {
            // Without the shared identifiers, as the hub guard leaves them unlinked.
            let probe = IdentityGraph::new(rules.clone())?;
            let shared = |i: &Identifier| {
                probe
                    .recordable(i)
                    .is_some_and(|r| hubs.contains(&key_of(&r)))
            };
            for e in &mut events {
                e.identity_mut().0.retain(|i| !shared(i));
            }
        }
        let graph = IdentityGraph::from_events(rules, &events)?;
        emit(&graph, &events, &ids, &cfg)
    })?;
    Ok(ArrowTable::new(out.schema(), vec![out]))
}

/// The journeys' settings, with the lookback windows `lookback` gives (as `o2o attribute
/// --lookback`).
fn journey_config(lookback: Option<&str>) -> Result<JourneyConfig> {
    let cfg = JourneyConfig::default();
    match lookback {
        Some(spec) => cfg
            .parse_lookbacks(spec)
            .map_err(|e| Error::input("lookback", format!("lookback: {e}"))),
        None => Ok(cfg),
    }
}

/// Events and their numbers in event-number order, whatever order Spark grouped them in:
/// journeys break ties of time by input order, so both sides must hand the core the same order.
fn in_event_order((events, ids): (Vec<Event>, Vec<i64>)) -> (Vec<Event>, Vec<i64>) {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| ids[i]);
    let ids: Vec<i64> = order.iter().map(|&i| ids[i]).collect();
    let mut slots: Vec<Option<Event>> = events.into_iter().map(Some).collect();
    let events = order.iter().filter_map(|&i| slots[i].take()).collect();
    (events, ids)
}

/// The rows of a resolved group: profiles, each event's profile (`ids` numbers `events`),
/// each profile's visits and the journeys' path table.
fn emit(
    graph: &IdentityGraph,
    events: &[Event],
    ids: &[i64],
    cfg: &JourneyConfig,
) -> Result<RecordBatch> {
    let n = events.len();
    let mut what = StringBuilder::new();
    let mut ev = Int64Builder::new();
    let mut profile = StringBuilder::new();
    let mut kind = StringBuilder::new();
    let mut value = StringBuilder::new();
    let mut path = StringBuilder::new();
    let mut conv = Float64Builder::new();
    let mut rev = Float64Builder::new();
    let mut nulls = Float64Builder::new();
    let mut row = |w: &str,
                   e: Option<i64>,
                   p: Option<&str>,
                   k: Option<&str>,
                   v: Option<&str>,
                   pa: Option<&str>,
                   c: Option<[f64; 3]>| {
        what.append_value(w);
        ev.append_option(e);
        profile.append_option(p);
        kind.append_option(k);
        value.append_option(v);
        path.append_option(pa);
        conv.append_option(c.map(|c| c[0]));
        rev.append_option(c.map(|c| c[1]));
        nulls.append_option(c.map(|c| c[2]));
    };
    for p in &graph.profiles() {
        let id = p.id.to_string();
        for i in &p.identifiers {
            row(
                "profile",
                None,
                Some(&id),
                Some(i.kind.as_str()),
                Some(&i.value),
                None,
                None,
            );
        }
    }
    let keys: Vec<Option<String>> = events
        .iter()
        .map(|e| graph.profile_id_of_event(e).map(String::from))
        .collect();
    for (k, id) in keys.iter().zip(ids).take(n) {
        row("event", Some(*id), k.as_deref(), None, None, None, None);
    }
    // Visits, as `o2o attribute --store` and `o2o.Store.attribute` count them (check-ins of
    // one profile at one store within two hours; every profile): a profile lies inside one
    // component, so grouping visits per group of components gives the single machine's.
    let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
    let opts = MeasureOptions {
        population: Population::All,
        ..MeasureOptions::default()
    };
    let visits = analysis_events(events, &key, &Side::default(), &opts);
    // Per profile: visits and their revenue, summed in a canonical order (time, then
    // value) so that any grouping of the events gives the same bits.
    let mut outcomes: std::collections::BTreeMap<&str, Vec<(i64, f64)>> = Default::default();
    for (e, k) in visits.events.iter().zip(&visits.keys) {
        if let (Event::CheckIn(c), Some(k)) = (e, k) {
            outcomes
                .entry(k.as_str())
                .or_default()
                .push((c.timestamp, c.value.unwrap_or(0.0)));
        }
    }
    for (p, mut v) in outcomes {
        v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let revenue: f64 = v.iter().map(|x| x.1).sum();
        row(
            "outcome",
            None,
            Some(p),
            None,
            None,
            None,
            Some([v.len() as f64, revenue, 0.0]),
        );
    }
    let journeys = visits.journeys(cfg);
    let table = PathTable::from_journeys(&journeys);
    for r in table.rows() {
        let names: Vec<&str> = r
            .path
            .iter()
            .filter_map(|&c| table.channels().get(c as usize).map(String::as_str))
            .collect();
        let text = names.join(PATH_SEP);
        row(
            "path",
            None,
            None,
            None,
            None,
            Some(&text),
            Some([r.conversions, r.value, r.nulls]),
        );
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(what.finish()),
        Arc::new(ev.finish()),
        Arc::new(profile.finish()),
        Arc::new(kind.finish()),
        Arc::new(value.finish()),
        Arc::new(path.finish()),
        Arc::new(conv.finish()),
        Arc::new(rev.finish()),
        Arc::new(nulls.finish()),
    ];
    RecordBatch::try_new(resolved_schema(), cols).map_err(analysis)
}

/// Run a model on an aggregated path table (paths as channel names joined by `\x1f`): the
/// credit as JSON.
#[pyfunction]
#[pyo3(signature = (paths, conversions, revenue, nulls, model, order=1))]
pub fn attribute_paths(
    paths: Vec<String>,
    conversions: Vec<f64>,
    revenue: Vec<f64>,
    nulls: Vec<f64>,
    model: &str,
    order: usize,
) -> Result<String> {
    if conversions.len() != paths.len()
        || revenue.len() != paths.len()
        || nulls.len() != paths.len()
    {
        return Err(Error::input(
            "paths",
            "paths, conversions, revenue and nulls differ in length",
        ));
    }
    let mut m: Model = model
        .parse()
        .map_err(|e| Error::input("model", format!("model: {e}")))?;
    if let Model::Markov { order: o, .. } = &mut m {
        *o = order;
    }
    let mut b = PathTable::builder();
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        names.clear();
        names.extend(p.split(PATH_SEP));
        b.add(&names, conversions[i], revenue[i], nulls[i]);
    }
    let credit = m.run(&b.finish()).map_err(analysis)?;
    serde_json::to_string(&credit).map_err(analysis)
}

/// A holdout arm from its customers' outcomes `(converted, revenue)`, in the order given (the
/// caller sorts them by profile so that every run adds in the same order): JSON of
/// `{customers, conversions, revenue_mean, revenue_sd}`.
#[pyfunction]
pub fn holdout_arm(converted: Vec<bool>, revenue: Vec<f64>) -> Result<String> {
    if converted.len() != revenue.len() {
        return Err(Error::input(
            "revenue",
            "converted and revenue differ in length",
        ));
    }
    let outcomes: Vec<(bool, f64)> = converted.into_iter().zip(revenue).collect();
    let arm = o2o_core::uplift::holdout_arm(&outcomes)?;
    serde_json::to_string(&arm).map_err(analysis)
}

/// The Arrow schema of the store's `events` table (an empty table).
#[pyfunction]
pub fn event_schema() -> ArrowTable {
    let schema = o2o_core::store::schema(o2o_core::event::RecordKind::Event);
    ArrowTable::new(schema, Vec::new())
}

/// The store table a name names (`events`, `spend`, `consent`, `assignments`, `customers`).
fn table_kind(name: &str) -> Result<RecordKind> {
    RecordKind::ALL
        .into_iter()
        .find(|k| o2o_core::store::table_name(*k) == name)
        .ok_or_else(|| {
            Error::input(
                "table",
                format!(
                    "table: `{name}` is not a store table (events, spend, consent, assignments, customers)"
                ),
            )
        })
}

/// The Arrow schema of a store table (an empty table): what `o2o.spark.write_table` writes.
#[pyfunction]
pub fn table_schema(table: &str) -> Result<ArrowTable> {
    Ok(ArrowTable::new(
        o2o_core::store::schema(table_kind(table)?),
        Vec::new(),
    ))
}

/// `mapInArrow`: a batch of `table` records with its `record_key` column filled in (the key a
/// record carries, else the key of its source and content), as 16-byte binaries.
#[pyfunction]
pub fn fill_record_keys(
    py: Python<'_>,
    batch: &Bound<'_, PyAny>,
    table: &str,
) -> Result<ArrowTable> {
    let kind = table_kind(table)?;
    let bs = batches(batch)?;
    let out = py.detach(move || -> Result<Vec<RecordBatch>> {
        bs.into_iter()
            .map(|b| {
                let keys = o2o_core::store::record_keys(kind, &b)
                    .map_err(|e| Error::input("batch", e.to_string()))?;
                let col: ArrayRef = Arc::new(BinaryArray::from_iter_values(keys.iter()));
                let mut fields: Vec<Field> = Vec::new();
                let mut cols: Vec<ArrayRef> = Vec::new();
                for (f, c) in b.schema().fields().iter().zip(b.columns()) {
                    if f.name() != "record_key" {
                        fields.push(f.as_ref().clone());
                        cols.push(c.clone());
                    }
                }
                fields.push(Field::new("record_key", DataType::Binary, false));
                cols.push(col);
                RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).map_err(analysis)
            })
            .collect()
    })?;
    let schema = out.first().map(|b| b.schema()).unwrap_or_else(|| {
        Arc::new(Schema::new(vec![Field::new(
            "record_key",
            DataType::Binary,
            false,
        )]))
    });
    Ok(ArrowTable::new(schema, out))
}

/// One Spark task's share of a write into a store opened by a [`StoreWriter`]: batches go in
/// as they come (`write`), `finish` closes the parts under `holding` and answers JSON of what
/// was written per source.
#[pyclass(module = "o2o._o2o")]
pub struct TaskWriter {
    // A mutex makes the writer shareable between threads (Python objects may be); Python's
    // own calls are one at a time.
    writer: std::sync::Mutex<Option<o2o_core::store::TaskWriter>>,
}

#[pymethods]
impl TaskWriter {
    #[new]
    #[pyo3(signature = (store, holding, task, table, seqs_json))]
    fn new(
        store: PathBuf,
        holding: PathBuf,
        task: u64,
        table: &str,
        seqs_json: &str,
    ) -> Result<Self> {
        let kind = table_kind(table)?;
        let seqs: BTreeMap<String, u64> =
            serde_json::from_str(seqs_json).map_err(|e| Error::input("seqs", e.to_string()))?;
        let w = o2o_core::store::TaskWriter::new(&store, &holding, task, kind, seqs)?;
        Ok(TaskWriter {
            writer: std::sync::Mutex::new(Some(w)),
        })
    }

    /// Write a batch (a pyarrow RecordBatch or Table in the table's columns).
    fn write(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> Result<()> {
        let bs = batches(batch)?;
        let mut guard = self
            .writer
            .lock()
            .map_err(|_| Error::input("writer", "a write into this task writer failed"))?;
        let w = guard
            .as_mut()
            .ok_or_else(|| Error::input("writer", "this task writer has finished"))?;
        py.detach(|| -> Result<()> {
            for b in &bs {
                w.write(b)?;
            }
            Ok(())
        })
    }

    /// Close the parts: JSON of what was written per source.
    fn finish(&self, py: Python<'_>) -> Result<String> {
        let w = self
            .writer
            .lock()
            .map_err(|_| Error::input("writer", "a write into this task writer failed"))?
            .take()
            .ok_or_else(|| Error::input("writer", "this task writer has finished"))?;
        let parts = py.detach(move || w.finish())?;
        serde_json::to_string(&parts).map_err(analysis)
    }
}

/// A store held open for writing while Spark's tasks write into it (`o2o.spark.write_table`):
/// it takes the store's lock (created with `timezone` when absent), numbers the sources, and
/// commits what the tasks staged.
#[pyclass(module = "o2o._o2o")]
pub struct StoreWriter {
    store: Option<CoreStore>,
    seqs: BTreeMap<String, u64>,
}

#[pymethods]
impl StoreWriter {
    #[new]
    #[pyo3(signature = (path, timezone, sources))]
    fn new(path: PathBuf, timezone: &str, sources: Vec<String>) -> Result<Self> {
        let store = CoreStore::create(&path, timezone)?;
        let seqs = store.task_seqs(&sources);
        Ok(StoreWriter {
            store: Some(store),
            seqs,
        })
    }

    /// The ingest number of each source, as JSON (for [`stage_task`]).
    fn seqs_json(&self) -> Result<String> {
        serde_json::to_string(&self.seqs).map_err(analysis)
    }

    /// Move the parts the tasks staged under `holding` (their JSON answers, concatenated as
    /// one JSON list) into the store and record them: JSON of one report per source.
    fn commit(
        &mut self,
        py: Python<'_>,
        holding: PathBuf,
        tasks_json: &str,
        file: &str,
    ) -> Result<String> {
        let tasks: Vec<TaskPart> =
            serde_json::from_str(tasks_json).map_err(|e| Error::input("tasks", e.to_string()))?;
        let mut store = self
            .store
            .take()
            .ok_or_else(|| Error::input("store", "this writer has committed already"))?;
        let seqs = self.seqs.clone();
        let reports = py.detach(move || store.commit_tasks(&holding, &seqs, tasks, file))?;
        serde_json::to_string(&reports).map_err(analysis)
    }

    /// Release the store's lock without committing (the staged parts stay in `holding`).
    fn close(&mut self) {
        self.store = None;
    }
}

/// Register the functions in `module`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(link_keys, m)?)?;
    m.add_function(wrap_pyfunction!(store_link_keys, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_store_groups, m)?)?;
    m.add_function(wrap_pyfunction!(store_key_id, m)?)?;
    m.add_function(wrap_pyfunction!(rules_json, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_groups, m)?)?;
    m.add_function(wrap_pyfunction!(attribute_paths, m)?)?;
    m.add_function(wrap_pyfunction!(holdout_arm, m)?)?;
    m.add_function(wrap_pyfunction!(event_schema, m)?)?;
    m.add_function(wrap_pyfunction!(table_schema, m)?)?;
    m.add_function(wrap_pyfunction!(fill_record_keys, m)?)?;
    m.add_class::<TaskWriter>()?;
    m.add_class::<StoreWriter>()?;
    m.add("PATH_SEP", PATH_SEP)?;
    Ok(())
}
