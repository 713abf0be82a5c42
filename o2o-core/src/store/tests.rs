use super::*;
use crate::event::{CheckInMethod, Event, IdKind, Record, TouchAction};
use crate::ingest::{CompiledMap, FileReader, SourceMap, open};
use std::path::PathBuf;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/maps")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "o2o-store-test-{tag}-{}-{}",
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

fn map(name: &str) -> CompiledMap {
    let text = std::fs::read_to_string(examples().join(format!("{name}.toml"))).unwrap();
    CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap()
}

/// Ingest an example's sample file; returns the report and the rejected rows.
fn ingest_example(
    store: &mut Store,
    name: &str,
    data: &str,
    max: f64,
) -> (FileReport, Vec<RowError>) {
    let m = map(name);
    let bytes = std::fs::read(examples().join(data)).unwrap();
    let reader = FileReader::text(&m, data, open(&bytes[..]).unwrap()).unwrap();
    let mut rejects = Vec::new();
    let opts = IngestOptions {
        max_rejected_percent: max,
    };
    let report = store
        .ingest(&m, reader, &opts, |e| rejects.push(e.clone()), |_| {})
        .unwrap();
    (report, rejects)
}

#[test]
fn pos_receipts_group_items_reject_bad_rows_and_skip_voids() {
    let dir = TempDir::new("pos");
    let mut store = Store::create(&dir.0, "Asia/Ho_Chi_Minh").unwrap();
    let (report, rejects) = ingest_example(&mut store, "pos", "pos.csv", 50.0);
    assert_eq!(
        (
            report.stats.rows,
            report.stats.rejected,
            report.stats.skipped,
            report.stored
        ),
        (7, 2, 1, 3),
        "{report:?}"
    );
    let lines: Vec<(u64, Option<&str>)> = rejects
        .iter()
        .map(|r| (r.line, r.field.as_deref()))
        .collect();
    assert_eq!(
        lines,
        vec![(6, Some("fields.timestamp")), (7, Some("fields.value"))]
    );
    assert!(rejects.iter().all(|r| !r.to_string().contains("31/02")));
    let events = store.events().unwrap();
    let Event::CheckIn(c) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(c.id.as_deref(), Some("R1001"));
    assert_eq!(c.items.len(), 2);
    assert_eq!(c.value, Some(1_250_000.0));
    assert_eq!(c.currency.as_deref(), Some("VND"));
    // 09:15 in Ho Chi Minh City is 02:15 UTC.
    assert_eq!(c.timestamp, 1_772_331_300);
    assert!(
        c.identifiers
            .contains(&crate::event::Identifier::new(IdKind::Phone, "84912345678"))
    );
    let consent = c.consent.as_ref().and_then(|s| s.gcm).unwrap();
    assert_eq!(consent.ad_user_data, crate::consent::ConsentState::Granted);
}

#[test]
fn the_same_file_twice_adds_nothing() {
    let dir = TempDir::new("twice");
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    let (first, _) = ingest_example(&mut store, "pos", "pos.csv", 50.0);
    let (second, _) = ingest_example(&mut store, "pos", "pos.csv", 50.0);
    assert_eq!((first.stored, first.duplicates), (3, 0));
    assert_eq!((second.stored, second.duplicates), (0, 3));
    assert_eq!(store.events().unwrap().len(), 3);
    // Reopened, the store still knows the keys.
    drop(store);
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    let (third, _) = ingest_example(&mut store, "pos", "pos.csv", 50.0);
    assert_eq!(third.duplicates, 3);
}

#[test]
fn a_file_with_too_many_bad_rows_stores_nothing() {
    let dir = TempDir::new("refused");
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    let (report, _) = ingest_example(&mut store, "pos", "pos.csv", 5.0);
    assert!(report.refused.is_some());
    assert_eq!(report.stored, 0);
    assert!(store.events().unwrap().is_empty());
    assert!(store.manifest().ingests.is_empty());
    assert!(!dir.0.join(".staging").join("000001").exists());
}

#[test]
fn every_example_map_reads_its_sample() {
    let dir = TempDir::new("all");
    let mut store = Store::create(&dir.0, "Asia/Ho_Chi_Minh").unwrap();
    // (map, sample, rows, records, rejected, skipped)
    let cases = [
        ("pos", "pos.csv", 7, 3, 2, 1),
        ("wifi", "wifi.csv", 4, 4, 0, 0),
        ("ga4", "ga4.ndjson", 4, 3, 0, 1),
        ("meta_exposure", "meta_exposure.csv", 4, 4, 0, 0),
        ("tiktok_exposure", "tiktok_exposure.csv", 2, 2, 0, 0),
        ("google_ads_clicks", "google_ads_clicks.csv", 2, 2, 0, 0),
        ("spend", "spend.csv", 4, 4, 0, 0),
        ("holdout", "holdout.csv", 4, 4, 0, 0),
        ("crm_consent", "crm_consent.csv", 3, 2, 0, 1),
        ("orders", "orders.csv", 2, 3, 0, 0),
        ("customers", "customers.csv", 2, 2, 0, 0),
        ("zalo", "zalo.ndjson", 2, 2, 0, 0),
    ];
    for (m, data, rows, records, rejected, skipped) in cases {
        let (r, rejects) = ingest_example(&mut store, m, data, 50.0);
        assert_eq!(
            (
                r.stats.rows,
                r.stats.records,
                r.stats.rejected,
                r.stats.skipped
            ),
            (rows, records, rejected, skipped),
            "{m}: {r:?} {rejects:?}"
        );
    }
    let events = store.events().unwrap();
    // The GA4 purchase is a click-and-collect order without a pickup time: one touchpoint.
    let purchase = events
        .iter()
        .find_map(|e| match e {
            Event::Touchpoint(t) if t.id.as_deref() == Some("W-5001") => Some(t),
            _ => None,
        })
        .unwrap();
    assert_eq!(purchase.action, TouchAction::Purchase);
    assert_eq!(purchase.value, Some(450_000.0));
    assert_eq!(purchase.order.as_ref().unwrap().items[0].quantity, 3);
    // The web order collected in store is also a pickup visit.
    assert!(events.iter().any(|e| matches!(e,
        Event::CheckIn(c) if c.method == CheckInMethod::Pickup && c.store == "HCM01")));
    // Hashed identifiers are kept as such, lowercased; a bad hash is dropped and counted.
    let meta = store
        .manifest()
        .ingests
        .iter()
        .find(|i| i.source == "meta")
        .unwrap();
    assert_eq!(meta.stats.dropped_identifiers.get("email_sha256"), Some(&1));
    // Zalo's link fills the UTM fields.
    assert!(
        events.iter().any(|e| matches!(e,
        Event::Touchpoint(t) if t.channel == "zalo"
            && t.tracking.as_ref().and_then(|x| x.utm_campaign.as_deref()) == Some("zalo-spring")))
    );
    let spend = store.records(RecordKind::Spend).unwrap();
    assert_eq!(spend.len(), 4);
    let StoredRecord::Spend(s) = &spend[0].0 else {
        panic!()
    };
    assert_eq!(
        (s.day.as_str(), s.value, s.currency.as_str()),
        ("2026-03-01", 12_500_000.0, "VND")
    );
    assert_eq!(store.records(RecordKind::Assignment).unwrap().len(), 4);
    assert_eq!(store.records(RecordKind::Consent).unwrap().len(), 2);
    assert_eq!(store.records(RecordKind::Customer).unwrap().len(), 2);
}

#[test]
fn records_round_trip_through_the_store() {
    let dir = TempDir::new("roundtrip");
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    for (m, d) in [
        ("orders", "orders.csv"),
        ("ga4", "ga4.ndjson"),
        ("meta_exposure", "meta_exposure.csv"),
        ("crm_consent", "crm_consent.csv"),
    ] {
        ingest_example(&mut store, m, d, 50.0);
    }
    // What the readers produced is what the store gives back, field for field.
    let mut want = Vec::new();
    for (m, d) in [
        ("orders", "orders.csv"),
        ("ga4", "ga4.ndjson"),
        ("meta_exposure", "meta_exposure.csv"),
        ("crm_consent", "crm_consent.csv"),
    ] {
        let cm = map(m);
        let bytes = std::fs::read(examples().join(d)).unwrap();
        let mut r = FileReader::text(&cm, d, open(&bytes[..]).unwrap()).unwrap();
        while let Some(o) = r.next_output().unwrap() {
            if let crate::ingest::Output::Record { record, .. } = o {
                want.push(record);
            }
        }
    }
    let mut got: Vec<Record> = store
        .records(RecordKind::Event)
        .unwrap()
        .into_iter()
        .chain(store.records(RecordKind::Consent).unwrap())
        .map(|(r, _)| match r {
            StoredRecord::Event(e) => Record::Event(e),
            StoredRecord::Consent(c) => Record::Consent(c),
            other => panic!("{other:?}"),
        })
        .collect();
    let key = |r: &Record| format!("{r:?}");
    want.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, want);
}
