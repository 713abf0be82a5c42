//! The whole path from a retailer's raw exports to numbers, against the simulator's truth:
//! every planted bad row rejected at its line and field, every good row kept, and the people of
//! the ingested store resolved as well as the simulator's own events.
#![allow(clippy::unwrap_used)]

use o2o_core::event::{Event, RecordKind};
use o2o_core::identity::{IdentityGraph, ResolutionRules, evaluate_with_events};
use o2o_core::ingest::{CompiledMap, FileReader, SourceMap, open};
use o2o_core::sim::{SimConfig, simulate, write_exports};
use o2o_core::store::{IngestOptions, Store, StoredRecord, resolve_people};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "o2o-it-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ingest_file(
    store: &mut Store,
    dir: &Path,
    map: &str,
    file: &str,
) -> (o2o_core::store::FileReport, Vec<o2o_core::ingest::RowError>) {
    let text = std::fs::read_to_string(dir.join(map)).unwrap();
    let map = CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap();
    let f = std::fs::File::open(dir.join(file)).unwrap();
    let reader = FileReader::text(&map, file, open(f).unwrap()).unwrap();
    let mut rejects = Vec::new();
    let report = store
        .ingest(
            &map,
            reader,
            &IngestOptions::default(),
            |e| rejects.push(e.clone()),
            |_| {},
        )
        .unwrap();
    (report, rejects)
}

#[test]
fn the_simulators_exports_ingest_with_every_planted_row_rejected_and_resolve_as_the_events_do() {
    let cfg = SimConfig {
        customers: 3000,
        seed: 11,
        ..SimConfig::default()
    };
    let campaign = simulate(&cfg).unwrap();
    let tmp = TempDir::new("exports");
    let exports = write_exports(&campaign, &tmp.0.join("ex")).unwrap();
    assert!(exports.planted.len() >= 10, "{:?}", exports.planted);
    let mut store = Store::create(&tmp.0.join("store"), "Asia/Ho_Chi_Minh").unwrap();
    let mut rejected = Vec::new();
    let mut kept_rows = 0u64;
    for f in &exports.files {
        let (report, rejects) = ingest_file(&mut store, &tmp.0.join("ex"), &f.map, &f.file);
        assert!(report.refused.is_none(), "{report:?}");
        assert_eq!(report.stats.rows, f.rows, "{}", f.file);
        kept_rows += report.stats.rows - report.stats.rejected - report.stats.skipped;
        rejected.extend(
            rejects
                .into_iter()
                .map(|r| (r.file, r.line, r.field.unwrap_or_else(|| "row".into()))),
        );
    }
    let mut planted: Vec<_> = exports
        .planted
        .iter()
        .map(|p| (p.file.clone(), p.line, p.field.clone()))
        .collect();
    planted.sort();
    rejected.sort();
    assert_eq!(rejected, planted, "exactly the planted rows are rejected");
    assert!(kept_rows > 0);

    // Every event is back, with its time, kind and values (identifiers are normalised).
    let stored = store.events().unwrap();
    assert_eq!(stored.len(), campaign.events.len());
    let summary = |evs: &[Event]| {
        let mut v: Vec<(i64, String, Option<i64>)> = evs
            .iter()
            .map(|e| match e {
                Event::CheckIn(c) => (
                    c.timestamp,
                    format!("{}@{}", c.method.as_str(), c.store),
                    c.value.map(|x| (x * 100.0).round() as i64),
                ),
                Event::Touchpoint(t) => (
                    t.timestamp,
                    format!("{}:{}", t.action.as_str(), t.channel),
                    t.value.map(|x| (x * 100.0).round() as i64),
                ),
                Event::ProductView(v) => (
                    v.timestamp,
                    format!("view:{}:{}", v.sku, v.channel),
                    v.price.map(|x| (x * 100.0).round() as i64),
                ),
                other => panic!("an event kind this test does not know: {other:?}"),
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(summary(&stored), summary(&campaign.events));
    let holdout = exports
        .files
        .iter()
        .find(|f| f.file == "holdout.csv")
        .unwrap();
    let planted_holdout = exports
        .planted
        .iter()
        .filter(|p| p.file == "holdout.csv")
        .count();
    assert_eq!(
        store.records(RecordKind::Assignment).unwrap().len() as u64,
        holdout.rows - planted_holdout as u64
    );
    let spend: f64 = store
        .records(RecordKind::Spend)
        .unwrap()
        .iter()
        .map(|(r, _)| match r {
            StoredRecord::Spend(s) if s.currency == "USD" => s.value,
            StoredRecord::Spend(s) => s.value / o2o_core::sim::VND_PER_USD,
            _ => 0.0,
        })
        .sum();
    let true_spend: f64 = campaign.truth.channels.iter().map(|c| c.spend).sum();
    assert!(
        (spend - true_spend).abs() / true_spend < 1e-3,
        "{spend} vs {true_spend}"
    );

    // The people of the store are found as well as from the simulator's own events.
    let people = resolve_people(&store, ResolutionRules::default()).unwrap();
    assert!(people.stats.hashed_joined > 0 && people.stats.hashed_unmatched == 0);
    let from_store = evaluate_with_events(&people.graph, &campaign.truth, &people.events);
    let graph = IdentityGraph::from_events(ResolutionRules::default(), &campaign.events).unwrap();
    let from_events = evaluate_with_events(&graph, &campaign.truth, &campaign.events);
    assert_eq!(from_store.pairwise_precision, 1.0);
    assert_eq!(from_events.pairwise_precision, 1.0);
    assert!(
        from_store.pairwise_f1 >= from_events.pairwise_f1 - 1e-3,
        "store {:.5} events {:.5}",
        from_store.pairwise_f1,
        from_events.pairwise_f1
    );
    assert_eq!(from_store.largest_profile, from_events.largest_profile);
}

/// The content of a store, whatever the order its files were ingested in.
fn content(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for kind in RecordKind::ALL {
        for (r, p) in store.records(kind).unwrap() {
            out.push(format!("{kind:?} {r:?} {p:?}"));
        }
    }
    out.sort();
    out
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/maps")
}

const EXAMPLES: [(&str, &str); 12] = [
    ("pos.toml", "pos.csv"),
    ("wifi.toml", "wifi.csv"),
    ("ga4.toml", "ga4.ndjson"),
    ("meta_exposure.toml", "meta_exposure.csv"),
    ("tiktok_exposure.toml", "tiktok_exposure.csv"),
    ("google_ads_clicks.toml", "google_ads_clicks.csv"),
    ("spend.toml", "spend.csv"),
    ("holdout.toml", "holdout.csv"),
    ("crm_consent.toml", "crm_consent.csv"),
    ("orders.toml", "orders.csv"),
    ("customers.toml", "customers.csv"),
    ("zalo.toml", "zalo.ndjson"),
];

fn ingest_all(order: &[usize], twice: bool) -> Vec<String> {
    let tmp = TempDir::new("order");
    let mut store = Store::create(&tmp.0, "UTC").unwrap();
    let rounds = if twice { 2 } else { 1 };
    for _ in 0..rounds {
        for &i in order {
            let (m, f) = EXAMPLES[i];
            let text = std::fs::read_to_string(examples().join(m)).unwrap();
            let map = CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap();
            let bytes = std::fs::read(examples().join(f)).unwrap();
            let reader = FileReader::text(&map, f, open(&bytes[..]).unwrap()).unwrap();
            let opts = IngestOptions {
                max_rejected_percent: 50.0,
            };
            store.ingest(&map, reader, &opts, |_| {}, |_| {}).unwrap();
        }
    }
    content(&store)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn ingesting_in_any_order_or_twice_gives_the_same_store(
        order in Just((0..EXAMPLES.len()).collect::<Vec<_>>()).prop_shuffle(),
        twice in any::<bool>(),
    ) {
        let reference = ingest_all(&(0..EXAMPLES.len()).collect::<Vec<_>>(), false);
        prop_assert_eq!(ingest_all(&order, twice), reference);
    }
}
