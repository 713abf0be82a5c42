//! `o2o.Store`: the Parquet event store of `o2o ingest`, from Python. Each call opens the store
//! for as long as it runs (writers take the store's lock, as the CLI does), and runs without
//! the GIL, so other Python threads go on.

use crate::arrow::ArrowTable;
use crate::error::{Class, Error, Result};
use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use o2o_core::attribution::markov::Solver;
use o2o_core::attribution::{JourneyConfig, Model};
use o2o_core::event::{Event, Identifier};
use o2o_core::identity::{Forget, IdentityGraph, ProfileId, ResolutionRules, parse_identifier};
use o2o_core::ingest::{CompiledMap, FileReader, Format, RowError, SourceMap, open};
use o2o_core::measure::{
    MeasureOptions, NumberKind, Period, Population, analysis_events, side_from_store,
};
use o2o_core::store::{IngestOptions, MANIFEST, Store as CoreStore, resolve_people};
use o2o_core::uplift::Correction;
use pyo3::prelude::*;
use serde::Serialize;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// JSON text of `value` (turned into a dict by the Python layer).
/// A value as a JSON tree, to add fields to.
fn to_value<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::new(Class::Analysis, "internal", format!("JSON: {e}")))
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::new(Class::Analysis, "internal", format!("JSON: {e}")))
}

/// Rules from JSON text (a rules file's content; fields left out keep their defaults).
pub fn rules(text: Option<&str>) -> Result<ResolutionRules> {
    match text {
        None => Ok(ResolutionRules::default()),
        Some(t) => serde_json::from_str(t)
            .map_err(|e| Error::input("rules", format!("rules: {e}")).line(e.line() as u64)),
    }
}

/// A source map from TOML text.
fn compile_map(text: &str) -> Result<CompiledMap> {
    let map = SourceMap::from_toml(text)?;
    Ok(CompiledMap::new(map)?)
}

fn is_parquet(path: &Path) -> Result<bool> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path).map_err(io(path))?;
    let n = f.read(&mut magic).map_err(io(path))?;
    Ok(n == 4 && &magic == b"PAR1")
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::new(Class::Store, "io", format!("{}: {e}", path.display()))
}

/// The store's people: its events and their identity graph, as `o2o resolve --store` sees them
/// (read from the stored resolution when it is current for these rules).
fn people(dir: &Path, rules: ResolutionRules) -> Result<(IdentityGraph, Vec<Event>, CoreStore)> {
    let store = CoreStore::open(dir)?;
    let (people, _) = o2o_core::store::resolution::people(&store, rules)?;
    if people.events.is_empty() {
        return Err(Error::new(
            Class::Store,
            "empty_store",
            format!("{}: the store holds no events", dir.display()),
        ));
    }
    Ok((people.graph, people.events, store))
}

/// The attribution model of a name and its settings.
fn model(
    name: &str,
    order: usize,
    half_life_days: f64,
    position_ends: f64,
    walks: Option<u64>,
    seed: u64,
) -> Result<Model> {
    let mut model: Model = name
        .parse()
        .map_err(|e| Error::input("model", format!("model: {e}")))?;
    match &mut model {
        Model::Markov { order: o, solver } => {
            *o = order;
            if let Some(walks) = walks {
                *solver = Solver::MonteCarlo { walks, seed };
            }
        }
        Model::TimeDecay { half_life } => {
            if !(half_life_days.is_finite() && half_life_days > 0.0) {
                return Err(Error::input(
                    "half_life_days",
                    "half_life_days must be a positive number",
                ));
            }
            *half_life = (half_life_days * 86_400.0).round() as i64;
        }
        Model::Rule(o2o_core::attribution::heuristic::Rule::Position { first, last }) => {
            if !(0.0..=0.5).contains(&position_ends) {
                return Err(Error::input(
                    "position_ends",
                    "position_ends must be in 0..=0.5",
                ));
            }
            *first = position_ends;
            *last = position_ends;
        }
        _ => {}
    }
    Ok(model)
}

fn analysis(e: impl std::fmt::Display) -> Error {
    Error::new(Class::Analysis, "analysis", e.to_string())
}

/// The event store at a directory (created by the first `ingest`).
#[pyclass(module = "o2o._o2o", name = "Store", frozen)]
pub struct Store {
    dir: PathBuf,
    timezone: Option<String>,
}

#[derive(Serialize)]
struct IngestResult {
    files: Vec<o2o_core::store::FileReport>,
    rejected: Vec<RowError>,
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (path, timezone=None))]
    fn new(path: PathBuf, timezone: Option<String>) -> Self {
        Store {
            dir: path,
            timezone,
        }
    }

    /// The store's directory.
    #[getter]
    fn path(&self) -> PathBuf {
        self.dir.clone()
    }

    /// Ingest `files` through the source map (TOML text); JSON of the per-file reports and
    /// every rejected row. With `hmac_key_file`, identifiers are stored as keyed pseudonyms.
    #[pyo3(signature = (map_toml, files, max_rejected=5.0, hmac_key_file=None))]
    fn _ingest(
        &self,
        py: Python<'_>,
        map_toml: &str,
        files: Vec<PathBuf>,
        max_rejected: f64,
        hmac_key_file: Option<PathBuf>,
    ) -> Result<String> {
        if !(0.0..=100.0).contains(&max_rejected) {
            return Err(Error::input(
                "max_rejected",
                "max_rejected must be a percentage between 0 and 100",
            ));
        }
        if files.is_empty() {
            return Err(Error::input("files", "files: give at least one file"));
        }
        py.detach(|| {
            // Compiled on this side: a compiled map caches per thread and does not cross.
            let map = compile_map(map_toml)?;
            let tz = self
                .timezone
                .clone()
                .or_else(|| map.map().source.timezone.clone())
                .unwrap_or_else(|| "UTC".to_owned());
            let mut store = CoreStore::create(&self.dir, &tz)?;
            if let Some(p) = &hmac_key_file {
                let loaded = o2o_core::keys::KeyRing::load(p, o2o_core::keys::Permissions::Warn)
                    .map_err(|e| Error::input("hmac_key_file", e.to_string()))?;
                let rules = o2o_core::identity::ResolutionRules::default();
                store.set_key(o2o_core::store::StoreKey::new(&loaded.ring, &rules)?)?;
            }
            let opts = IngestOptions {
                max_rejected_percent: max_rejected,
            };
            let mut rejected = Vec::new();
            let mut reports = Vec::with_capacity(files.len());
            for path in &files {
                let label = path.display().to_string();
                let on_reject = |e: &RowError| rejected.push(e.clone());
                let report = if matches!(map.format(), Format::Parquet | Format::Ga4)
                    && is_parquet(path)?
                {
                    let f = File::open(path).map_err(io(path))?;
                    let rows = o2o_core::store::parquet_rows(f)?;
                    let reader = FileReader::rows(&map, &label, rows);
                    store.ingest(&map, reader, &opts, on_reject, |_| {})?
                } else {
                    let f = File::open(path).map_err(io(path))?;
                    let input = open(f).map_err(io(path))?;
                    // The reader's error names the file and what the map misses in it.
                    let reader = FileReader::text(&map, &label, input)
                        .map_err(|e| Error::new(Class::Store, "ingest", e.to_string()).field("map"))?;
                    store.ingest(&map, reader, &opts, on_reject, |_| {})?
                };
                reports.push(report);
            }
            let result = IngestResult {
                files: reports,
                rejected,
            };
            let text = json(&result)?;
            if let Some(r) = result.files.iter().find(|r| r.refused.is_some()) {
                return Err(Error::new(
                    Class::Store,
                    "refused",
                    format!(
                        "{}: refused: {}",
                        r.file,
                        r.refused.as_deref().unwrap_or_default()
                    ),
                )
                .field("files")
                .details(text));
            }
            let usable: u64 = result.files.iter().map(|r| r.stored + r.duplicates).sum();
            if usable == 0 {
                let first = result.rejected.first();
                let err = Error::new(
                    Class::Store,
                    "nothing_usable",
                    "nothing usable was read: every row was rejected or skipped (is this the right map?)",
                )
                .line(first.map(|e| e.line))
                .details(text);
                return Err(match first.and_then(|e| e.field.clone()) {
                    Some(f) => err.field(f),
                    None => err,
                });
            }
            Ok(text)
        })
    }

    /// Resolve the store's identifiers into profiles: a table of (profile, kind, value), one
    /// row per identifier, in profile-id order.
    #[pyo3(signature = (rules_json=None))]
    fn _resolve(&self, py: Python<'_>, rules_json: Option<&str>) -> Result<ArrowTable> {
        let rules = rules(rules_json)?;
        let batch = py.detach(|| {
            let (graph, _, _) = people(&self.dir, rules)?;
            let profiles = graph.profiles();
            let mut p = StringBuilder::new();
            let mut k = StringBuilder::new();
            let mut v = StringBuilder::new();
            for prof in &profiles {
                let id = prof.id.to_string();
                for i in &prof.identifiers {
                    p.append_value(&id);
                    k.append_value(i.kind.as_str());
                    v.append_value(&i.value);
                }
            }
            let cols: Vec<ArrayRef> = vec![
                Arc::new(p.finish()),
                Arc::new(k.finish()),
                Arc::new(v.finish()),
            ];
            RecordBatch::try_new(profile_schema(), cols).map_err(analysis)
        })?;
        Ok(ArrowTable::new(batch.schema(), vec![batch]))
    }

    /// Attribution over the store's journeys (profiles as `resolve` makes them), counting visits
    /// of a population in a period as `o2o attribute --store` does: JSON of the credit per
    /// channel, with the period, population and visits it covered and which kind of number it is.
    #[pyo3(signature = (model_name, order=1, rules_json=None, lookback=None, half_life_days=7.0, position_ends=0.4, walks=None, seed=0, start=None, end=None, population=None, visit_window_secs=None))]
    #[allow(clippy::too_many_arguments)]
    fn _attribute(
        &self,
        py: Python<'_>,
        model_name: &str,
        order: usize,
        rules_json: Option<&str>,
        lookback: Option<&str>,
        half_life_days: f64,
        position_ends: f64,
        walks: Option<u64>,
        seed: u64,
        start: Option<&str>,
        end: Option<&str>,
        population: Option<&str>,
        visit_window_secs: Option<i64>,
    ) -> Result<String> {
        let m = model(
            model_name,
            order,
            half_life_days,
            position_ends,
            walks,
            seed,
        )?;
        let rules = rules(rules_json)?;
        let mut cfg = JourneyConfig::default();
        if let Some(spec) = lookback {
            cfg = cfg
                .parse_lookbacks(spec)
                .map_err(|e| Error::input("lookback", format!("lookback: {e}")))?;
        }
        // An estimate of effect compares customers; a credited split shares out every visit.
        let population = match population {
            Some(p) => p
                .parse::<Population>()
                .map_err(|e| Error::input("population", e.to_string()))?,
            None if m == Model::Incremental => Population::Customers,
            None => Population::All,
        };
        let kind = if m == Model::Incremental {
            NumberKind::ObservationalIncremental
        } else {
            NumberKind::Credited
        };
        if visit_window_secs.is_some_and(|w| w < 0) {
            return Err(Error::input(
                "visit_window_secs",
                "visit_window_secs: must be 0 or more".to_owned(),
            ));
        }
        py.detach(|| {
            let (graph, events, store) = people(&self.dir, rules)?;
            let tz = store.timezone();
            let period = Period::new(start, end, &tz, ("start", "end"))
                .map_err(|e| Error::input("start", e.to_string()))?;
            let defaults = MeasureOptions::default();
            let opts = MeasureOptions {
                period,
                population,
                visit_window_secs: visit_window_secs.unwrap_or(defaults.visit_window_secs),
                timezone: tz,
                ..defaults
            };
            let (side, _) = side_from_store(&store, &graph).map_err(analysis)?;
            let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
            // Visits, population and period as the report and `o2o attribute` count them.
            let a = analysis_events(&events, &key, &side, &opts);
            let mut out = if m == Model::Incremental {
                let table = a.exposure_table(&cfg).map_err(analysis)?;
                let fit =
                    o2o_core::attribution::incremental::incremental(&table).map_err(analysis)?;
                let mut v = to_value(&fit.credit)?;
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("baseline_rate".into(), fit.baseline_rate.into());
                    obj.insert("lifts".into(), to_value(&fit.lifts)?);
                }
                v
            } else {
                let credit = m.run_journeys(&a.journeys(&cfg)).map_err(analysis)?;
                to_value(&credit)?
            };
            if let (Some(obj), serde_json::Value::Object(scope)) =
                (out.as_object_mut(), to_value(&a.scope)?)
            {
                obj.extend(scope);
                obj.insert("measure".into(), kind.as_str().into());
                obj.insert("meaning".into(), kind.meaning().into());
            }
            json(&out)
        })
    }

    /// The measurement report (`o2o report --store --json`): JSON.
    #[pyo3(signature = (start=None, end=None, rules_json=None, window_days=28, confidence=0.95, correction="holm"))]
    #[allow(clippy::too_many_arguments)]
    fn _report(
        &self,
        py: Python<'_>,
        start: Option<&str>,
        end: Option<&str>,
        rules_json: Option<&str>,
        window_days: u32,
        confidence: f64,
        correction: &str,
    ) -> Result<String> {
        let rules = rules(rules_json)?;
        let correction = match correction {
            "holm" => Correction::Holm,
            "bh" | "benjamini-hochberg" | "fdr" => Correction::BenjaminiHochberg,
            other => {
                return Err(Error::input(
                    "correction",
                    format!("correction: `{other}` (expected holm or bh)"),
                ));
            }
        };
        let flag = |e: o2o_core::measure::MeasureError| Error::input("start", e.to_string());
        py.detach(|| {
            let (graph, events, store) = people(&self.dir, rules)?;
            let tz = store.timezone();
            let period = Period::new(start, end, &tz, ("start", "end")).map_err(flag)?;
            let opts = MeasureOptions {
                period,
                window_days,
                confidence,
                correction,
                timezone: tz,
                ..MeasureOptions::default()
            };
            let (side, _) = side_from_store(&store, &graph).map_err(analysis)?;
            let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
            let m = o2o_core::measure::measure(&events, &key, &side, &opts).map_err(analysis)?;
            json(&m)
        })
    }

    /// Erase people (identifiers `kind:value` or profile ids) from the store: JSON receipt of
    /// counts, never a value.
    #[pyo3(signature = (ids, rules_json=None))]
    fn _forget(
        &self,
        py: Python<'_>,
        ids: Vec<String>,
        rules_json: Option<&str>,
    ) -> Result<String> {
        let rules = rules(rules_json)?;
        let mut what = Vec::with_capacity(ids.len());
        for (n, s) in ids.iter().enumerate() {
            if let Ok(p) = s.parse::<ProfileId>() {
                what.push(Forget::Profile(p));
            } else {
                match parse_identifier(s) {
                    Ok(id) => what.push(Forget::Identifier(id)),
                    Err(_) => {
                        return Err(Error::input(
                            "ids",
                            format!(
                                "ids[{n}]: expected kind:value (email:…, phone:…) or a profile id p…"
                            ),
                        )
                        .row(n));
                    }
                }
            }
        }
        if !self.dir.join(MANIFEST).exists() {
            return Err(Error::new(
                Class::Store,
                "not_a_store",
                format!(
                    "{}: not an o2o event store (no {MANIFEST})",
                    self.dir.display()
                ),
            ));
        }
        py.detach(|| {
            let mut store = CoreStore::create(&self.dir, "UTC")?;
            let mut people = resolve_people(&store, rules)?;
            let matcher = people.graph.erasure_matcher(&what);
            let graph = people.graph.forget_all(&what, None).map_err(analysis)?;
            drop(people);
            let erased = store.rewrite_without(|id: &Identifier| matcher.matches(id))?;
            #[derive(Serialize)]
            struct Receipt {
                #[serde(flatten)]
                graph: o2o_core::identity::ErasureReceipt,
                store: o2o_core::store::StoreErasure,
            }
            json(&Receipt {
                graph,
                store: erased,
            })
        })
    }
}

/// The schema of `Store.resolve`'s table.
pub fn profile_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("profile", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ]))
}
