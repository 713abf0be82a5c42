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
        // 3 view_item rows give 4 views (one lists two items), the purchase an order; the
        // view without items is rejected, the page view skipped.
        ("ga4", "ga4_views.ndjson", 6, 5, 1, 1),
        ("product_views", "product_views.csv", 3, 2, 1, 0),
        ("viewed_receipts", "viewed_receipts.csv", 2, 2, 0, 0),
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
    // GA4 view_item rows and the app's CSV are product views, with their item's price and name.
    let views: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ProductView(v) => Some((
                v.sku.as_str(),
                v.name.as_deref(),
                v.price,
                v.currency.as_deref(),
                v.channel.as_str(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(views.len(), 6);
    for want in [
        (
            "SKU-PHONE",
            Some("Phone X 128 GB"),
            Some(7_990_000.0),
            Some("VND"),
            "google",
        ),
        (
            "SKU-CAKE",
            Some("Mooncake box"),
            Some(320_000.0),
            Some("VND"),
            "direct",
        ),
        ("SKU-PHONE", None, Some(7_990_000.0), Some("VND"), "direct"),
        (
            "SKU-WATCH",
            Some("Watch S"),
            Some(2_490_000.0),
            Some("VND"),
            "app",
        ),
    ] {
        assert!(views.contains(&want), "{want:?} not in {views:?}");
    }
    let phone = events
        .iter()
        .find_map(|e| match e {
            Event::ProductView(v) if v.channel == "google" => Some(v),
            _ => None,
        })
        .unwrap();
    assert_eq!(phone.timestamp, 1_772_416_800);
    assert_eq!(phone.campaign.as_deref(), Some("phones-march"));
    assert!(
        phone
            .identifiers
            .iter()
            .any(|i| i.kind == IdKind::ExternalId && i.value.eq_ignore_ascii_case("CRM-0042")),
        "{:?}",
        phone.identifiers
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

/// A store of the simulator's raw exports (hashed identifiers, consent records, assignments).
#[cfg(feature = "sim")]
fn simulated_store(tag: &str, customers: usize) -> (TempDir, Store) {
    use crate::sim::{SimConfig, simulate, write_exports};
    let dir = TempDir::new(tag);
    let cfg = SimConfig {
        customers,
        ..SimConfig::default()
    };
    let campaign = simulate(&cfg).unwrap();
    let ex = dir.0.join("exports");
    let exports = write_exports(&campaign, &ex).unwrap();
    let mut store = Store::create(&dir.0.join("store"), "Asia/Ho_Chi_Minh").unwrap();
    for f in &exports.files {
        let text = std::fs::read_to_string(ex.join(&f.map)).unwrap();
        let m = CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap();
        let bytes = std::fs::read(ex.join(&f.file)).unwrap();
        let reader = FileReader::text(&m, &f.file, open(&bytes[..]).unwrap()).unwrap();
        let opts = IngestOptions {
            max_rejected_percent: 50.0,
        };
        store.ingest(&m, reader, &opts, |_| {}, |_| {}).unwrap();
    }
    (dir, store)
}

#[cfg(feature = "sim")]
fn current(store: &Store, rules: &crate::identity::ResolutionRules) -> People {
    match resolution::load(store, rules).unwrap() {
        Stored::Current(p, _) => *p,
        Stored::Stale(s) => panic!("stale: {s}"),
        Stored::Absent => panic!("absent"),
    }
}

#[cfg(feature = "sim")]
#[test]
fn a_stored_resolution_reads_back_as_resolving_gives() {
    use crate::identity::ResolutionRules;
    let (_dir, store) = simulated_store("resolution-same", 400);
    let rules = ResolutionRules::default();
    assert!(matches!(
        resolution::load(&store, &rules).unwrap(),
        Stored::Absent
    ));
    let (fresh, info) = resolution::resolve_and_store(&store, rules.clone()).unwrap();
    assert!(fresh.stats.hashed_joined > 0 && fresh.stats.consent_from_records > 0);
    assert_eq!(info.events, fresh.events.len() as u64);
    let loaded = current(&store, &rules);
    assert_eq!(loaded.events, fresh.events);
    assert_eq!(loaded.stats, fresh.stats);
    assert!(
        loaded
            .graph
            .profiles()
            .iter()
            .eq(fresh.graph.profiles().iter())
    );
    assert_eq!(
        loaded.graph.profiles().audit(),
        fresh.graph.profiles().audit()
    );
    assert_eq!(loaded.graph.stats(), fresh.graph.stats());
    assert_eq!(loaded.graph.snapshot(), fresh.graph.snapshot());
    let ids = |p: &People| -> Vec<_> {
        p.events
            .iter()
            .map(|e| p.graph.profile_id_of_event(e))
            .collect()
    };
    let expected = ids(&fresh);
    assert_eq!(ids(&loaded), expected);
    assert!(expected.iter().filter(|p| p.is_some()).count() > 100);
    // The events file's profile column is the profile of each event, in storage order.
    let path = store
        .dir()
        .join(resolution::RESOLUTION_DIR)
        .join(&info.files.events);
    let f = std::fs::File::open(path).unwrap();
    let mut column: Vec<Option<String>> = Vec::new();
    for b in ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
    {
        let b = b.unwrap();
        let c = arrow_array::cast::AsArray::as_string::<i32>(b.column_by_name("profile").unwrap());
        column.extend(c.iter().map(|s| s.map(str::to_owned)));
    }
    let expected: Vec<Option<String>> = expected.iter().map(|p| p.map(String::from)).collect();
    assert_eq!(column, expected);
}

#[cfg(feature = "sim")]
#[test]
fn a_stale_resolution_says_what_changed() {
    use crate::identity::ResolutionRules;
    let (_dir, mut store) = simulated_store("resolution-stale", 150);
    let rules = ResolutionRules::default();
    resolution::resolve_and_store(&store, rules.clone()).unwrap();
    current(&store, &rules);
    let other: ResolutionRules = serde_json::from_str(r#"{"hub_threshold": {"ip": 3}}"#).unwrap();
    assert!(matches!(
        resolution::load(&store, &other).unwrap(),
        Stored::Stale(Staleness::Rules)
    ));
    let e = store.events().unwrap().remove(0);
    let mut late = e.clone();
    match &mut late {
        Event::Touchpoint(t) => t.timestamp += 1,
        Event::CheckIn(c) => c.timestamp += 1,
        Event::ProductView(v) => v.timestamp += 1,
    }
    store
        .append("late", "late.ndjson", [Record::Event(late)])
        .unwrap();
    match resolution::load(&store, &rules).unwrap() {
        Stored::Stale(s) => {
            assert_eq!(s, Staleness::Ingested(1));
            assert_eq!(s.to_string(), "1 file was ingested since");
        }
        _ => panic!("not stale"),
    }
    // Resolving again makes it current, and leaves only the new files.
    let (_, info) = resolution::resolve_and_store(&store, rules.clone()).unwrap();
    current(&store, &rules);
    let mut names: Vec<String> = std::fs::read_dir(store.dir().join(resolution::RESOLUTION_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![
        info.files.events,
        info.files.identifiers,
        info.files.observations,
        info.files.profiles,
        resolution::RESOLUTION_JSON.to_owned(),
    ];
    want.sort();
    assert_eq!(names, want);
}

#[cfg(feature = "sim")]
#[test]
fn a_damaged_or_half_written_resolution_is_never_used() {
    use crate::identity::ResolutionRules;
    let (_dir, store) = simulated_store("resolution-damaged", 120);
    let rules = ResolutionRules::default();
    let (_, info) = resolution::resolve_and_store(&store, rules.clone()).unwrap();
    let rdir = store.dir().join(resolution::RESOLUTION_DIR);
    // A write interrupted before its resolution.json leaves files nobody names: unused.
    std::fs::write(rdir.join("events-0000000000000000.parquet"), b"partial").unwrap();
    std::fs::write(rdir.join("resolution.json.tmp"), b"{").unwrap();
    current(&store, &rules);
    // A damaged file named by resolution.json: resolve afresh, with the file named.
    std::fs::write(rdir.join(&info.files.profiles), b"not parquet").unwrap();
    match resolution::load(&store, &rules).unwrap() {
        Stored::Stale(Staleness::Unreadable(why)) => {
            assert!(why.contains(&info.files.profiles), "{why}")
        }
        _ => panic!("a damaged resolution was used"),
    }
}

#[cfg(feature = "sim")]
#[test]
fn an_erasure_removes_the_resolution_files_and_says_so() {
    use crate::identity::ResolutionRules;
    let (_dir, mut store) = simulated_store("resolution-erase", 150);
    let rules = ResolutionRules::default();
    let (people, _) = resolution::resolve_and_store(&store, rules.clone()).unwrap();
    // Someone's phone, as the store holds it.
    let phone = people
        .events
        .iter()
        .flat_map(|e| e.identifiers().iter())
        .find(|i| i.kind == IdKind::Phone)
        .unwrap()
        .clone();
    let profile = people.graph.profile_of(&phone).unwrap();
    let erased: Vec<_> = profile.identifiers.clone();
    let rdir = store.dir().join(resolution::RESOLUTION_DIR);
    let names = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&rdir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names().len(), 5);
    let out = store
        .rewrite_without(|i| i == &phone || erased.contains(i))
        .unwrap();
    assert!(out.files_rewritten > 0);
    // Only the description is left, and it names none of the person's identifiers.
    assert_eq!(names(), vec![resolution::RESOLUTION_JSON.to_owned()]);
    let json = std::fs::read_to_string(rdir.join(resolution::RESOLUTION_JSON)).unwrap();
    assert!(erased.iter().all(|i| !json.contains(&i.value)));
    assert_eq!(store.manifest().erasures, 1);
    match resolution::load(&store, &rules).unwrap() {
        Stored::Stale(s) => assert_eq!(s, Staleness::Erased),
        _ => panic!("the erased person's resolution was used"),
    }
}

fn view(sku: &str, ts: i64) -> Event {
    Event::ProductView(crate::event::ProductView {
        id: Some(format!("view-{sku}-{ts}")),
        sku: sku.to_owned(),
        name: Some("Phone X".to_owned()),
        channel: "web".to_owned(),
        campaign: None,
        timestamp: ts,
        price: Some(7_990_000.0),
        currency: Some("VND".to_owned()),
        tracking: Some(Box::new(crate::event::Tracking {
            utm_source: Some("google".to_owned()),
            ..Default::default()
        })),
        identifiers: vec![crate::event::Identifier::new(IdKind::DeviceId, "123.456")],
        consent: None,
    })
}

#[test]
fn product_views_round_trip_through_the_store() {
    let dir = TempDir::new("views");
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    let mut bare = view("CASE-2", 1_772_400_000);
    if let Event::ProductView(v) = &mut bare {
        (v.id, v.name, v.price, v.currency, v.tracking) = (None, None, None, None, None);
    }
    let events = vec![view("PHONE-1", 1_772_359_200), bare];
    store
        .append(
            "views",
            "views.ndjson",
            events.iter().cloned().map(Record::Event),
        )
        .unwrap();
    assert_eq!(store.events().unwrap(), events);
    assert_eq!(store.manifest().schema_version, SCHEMA_VERSION);
}

/// Write `events` as a version 1 store would hold them: a Parquet file without the product
/// columns, and a manifest of version 1.
fn write_v1_store(dir: &Path, events: &[Event]) {
    use parquet::arrow::ArrowWriter;
    let mut b = schema::Builder::new(RecordKind::Event);
    for (i, e) in events.iter().enumerate() {
        b.push(&Record::Event(e.clone()), &Provenance::default(), i as u128);
    }
    let batch = b.finish().unwrap();
    let keep: Vec<usize> = (0..batch.num_columns())
        .filter(|&i| {
            !["sku", "product_name", "price"].contains(&batch.schema().field(i).name().as_str())
        })
        .collect();
    let old = batch.project(&keep).unwrap();
    let part = dir.join("events/day=2026-03-01");
    std::fs::create_dir_all(&part).unwrap();
    let f = std::fs::File::create(part.join("p000001-0001.parquet")).unwrap();
    let mut w = ArrowWriter::try_new(f, old.schema(), None).unwrap();
    w.write(&old).unwrap();
    w.close().unwrap();
    std::fs::write(
        dir.join(MANIFEST),
        r#"{"format":"o2o-store","schema_version":1,"timezone":"UTC","next_seq":2,"ingests":[]}"#,
    )
    .unwrap();
}

#[test]
fn a_version_1_store_stays_readable_and_takes_product_views() {
    let dir = TempDir::new("v1");
    let old: Vec<Event> = crate::event::read_ndjson_str(concat!(
        r#"{"type":"touchpoint","action":"click","channel":"search","timestamp":1772359200,"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
        "\n",
        r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":1772362800,"value":9,"items":[{"sku":"PHONE-1","quantity":1,"price":9}],"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
        "\n",
    ))
    .events;
    write_v1_store(&dir.0, &old);
    let store = Store::open(&dir.0).unwrap();
    assert_eq!(store.manifest().schema_version, 1);
    assert_eq!(store.events().unwrap(), old);
    drop(store);
    // Writing into it makes it version 2: an o2o that knows only version 1 refuses it.
    let mut store = Store::create(&dir.0, "UTC").unwrap();
    let v = view("PHONE-1", 1_772_366_400);
    store
        .append("views", "views.ndjson", [Record::Event(v.clone())])
        .unwrap();
    assert_eq!(store.manifest().schema_version, 2);
    let mut want = old.clone();
    want.push(v);
    assert_eq!(store.events().unwrap(), want);
    // A store of a later version is refused with both versions named.
    drop(store);
    std::fs::write(
        dir.0.join(MANIFEST),
        r#"{"format":"o2o-store","schema_version":3,"timezone":"UTC","next_seq":2,"ingests":[]}"#,
    )
    .unwrap();
    let err = Store::open(&dir.0).unwrap_err().to_string();
    assert!(
        err.contains("version 3") && err.contains("versions 1 to 2"),
        "{err}"
    );
}

#[test]
fn an_unknown_event_type_in_a_store_is_an_error_naming_the_column() {
    let mut b = schema::Builder::new(RecordKind::Event);
    b.push(
        &Record::Event(view("PHONE-1", 1)),
        &Provenance::default(),
        1,
    );
    let batch = b.finish().unwrap();
    let mut cols = batch.columns().to_vec();
    cols[0] = std::sync::Arc::new(arrow_array::StringArray::from(vec!["wishlist"]));
    let batch = arrow_array::RecordBatch::try_new(batch.schema(), cols).unwrap();
    let err = decode_events(&batch).unwrap_err();
    assert_eq!(err.column, "type");
    assert!(err.message.contains("wishlist"), "{err}");
}

/// The simulator's raw exports, ingested into `dir` with `key` (plain without).
#[cfg(feature = "sim")]
fn ingest_simulated(dir: &Path, customers: usize, key: Option<StoreKey>) -> Store {
    use crate::sim::{SimConfig, simulate, write_exports};
    let cfg = SimConfig {
        customers,
        ..SimConfig::default()
    };
    let campaign = simulate(&cfg).unwrap();
    let ex = dir.join("exports");
    let exports = write_exports(&campaign, &ex).unwrap();
    let mut store = Store::create(&dir.join("store"), "Asia/Ho_Chi_Minh").unwrap();
    if let Some(k) = key {
        store.set_key(k).unwrap();
    }
    for f in &exports.files {
        let text = std::fs::read_to_string(ex.join(&f.map)).unwrap();
        let m = CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap();
        let bytes = std::fs::read(ex.join(&f.file)).unwrap();
        let reader = FileReader::text(&m, &f.file, open(&bytes[..]).unwrap()).unwrap();
        let opts = IngestOptions {
            max_rejected_percent: 50.0,
        };
        store.ingest(&m, reader, &opts, |_| {}, |_| {}).unwrap();
    }
    store
}

#[cfg(feature = "sim")]
fn test_ring(id: &str, first: u8) -> crate::keys::KeyRing {
    let secret: Vec<u8> = (first..first + 32).collect();
    crate::keys::KeyRing::single(crate::keys::SecretKey::new(id, secret).unwrap())
}

/// Every file under `dir`, with what it holds: a Parquet file's rows decoded (its pages are
/// compressed, so their bytes alone could hide a value), the bytes of any other.
#[cfg(feature = "sim")]
fn every_file(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "parquet") {
                let mut text = Vec::new();
                let f = std::fs::File::open(&p).unwrap();
                for batch in ParquetRecordBatchReaderBuilder::try_new(f)
                    .unwrap()
                    .build()
                    .unwrap()
                {
                    for c in batch.unwrap().columns() {
                        strings(c.as_ref(), &mut text);
                    }
                }
                out.push((p, text));
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out
}

/// Every string in `a` (through lists and structs), one a line.
#[cfg(feature = "sim")]
fn strings(a: &dyn arrow_array::Array, out: &mut Vec<u8>) {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    match a.data_type() {
        DataType::Utf8 => {
            for v in a.as_string::<i32>().iter().flatten() {
                out.extend(v.as_bytes());
                out.push(b'\n');
            }
        }
        DataType::List(_) => strings(a.as_list::<i32>().values().as_ref(), out),
        DataType::Struct(_) => {
            for c in a.as_struct().columns() {
                strings(c.as_ref(), out);
            }
        }
        _ => {}
    }
}

#[cfg(feature = "sim")]
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The profiles of a graph as sets of identifiers, each in the form a keyed store keeps.
#[cfg(feature = "sim")]
fn memberships(
    people: &People,
    key: Option<&mut StoreKey>,
) -> std::collections::BTreeSet<std::collections::BTreeSet<crate::event::Identifier>> {
    let mut key = key;
    people
        .graph
        .profiles()
        .iter()
        .map(|p| {
            p.identifiers
                .iter()
                .map(|i| match key.as_deref_mut() {
                    Some(k) => k.stored_form(i).unwrap(),
                    None => i.clone(),
                })
                .collect()
        })
        .collect()
}

/// A store ingested with a key resolves into the same people as without: the same number of
/// profiles with the same members (each identifier as its pseudonym), hashed identifiers
/// joined to the emails and phones they hash as often; and no file of it holds a raw email,
/// phone, CRM id, loyalty card or device id.
#[cfg(feature = "sim")]
#[test]
fn a_keyed_store_resolves_into_the_same_people_and_holds_no_value() {
    use crate::identity::ResolutionRules;
    let rules = ResolutionRules::default();
    let ring = test_ring("k1", 1);
    let plain_dir = TempDir::new("plain");
    let keyed_dir = TempDir::new("keyed");
    let plain = ingest_simulated(&plain_dir.0, 300, None);
    let keyed = ingest_simulated(
        &keyed_dir.0,
        300,
        Some(StoreKey::new(&ring, &rules).unwrap()),
    );
    assert_eq!(keyed.pseudonyms().unwrap().key_id, "k1");
    let a = resolve_people(&plain, rules.clone()).unwrap();
    let b = resolve_people(&keyed, rules.clone()).unwrap();
    assert!(a.graph.profiles().len() > 100);
    assert_eq!(a.graph.profiles().len(), b.graph.profiles().len());
    assert!(a.stats.hashed_joined > 0);
    assert_eq!(a.stats, b.stats);
    let mut key = keyed.lookup_key(Some(&ring), &rules).unwrap().unwrap();
    assert_eq!(memberships(&a, Some(&mut key)), memberships(&b, None));
    // As many events reach a person.
    let linked = |p: &People| {
        p.events
            .iter()
            .filter(|e| p.graph.profile_id_of_event(e).is_some())
            .count()
    };
    assert_eq!(linked(&a), linked(&b));

    // The values the plain store holds, raw and normalised, are nowhere in the keyed one.
    let mut values = std::collections::BTreeSet::new();
    for kind in RecordKind::ALL {
        for (r, _) in plain.records(kind).unwrap() {
            let ids = match r {
                StoredRecord::Event(e) => e.identifiers().to_vec(),
                StoredRecord::Consent(c) => c.identifiers,
                StoredRecord::Customer(c) => c.identifiers,
                StoredRecord::Assignment(a) => a.identifiers,
                StoredRecord::Spend(_) => Vec::new(),
            };
            for i in ids.into_iter().filter(|i| i.kind.pseudonymised_at_rest()) {
                if let Some(n) = a.graph.recordable(&i) {
                    values.insert(n.value);
                }
                values.insert(i.value.trim().to_owned());
            }
        }
    }
    let values: Vec<String> = values.into_iter().filter(|v| v.len() >= 6).collect();
    assert!(values.iter().any(|v| v.contains('@')));
    assert!(values.iter().any(|v| v.starts_with("84")));
    let files = every_file(keyed.dir());
    assert!(files.len() > 5);
    let any_value = regex::bytes::RegexBuilder::new(
        &values
            .iter()
            .map(|v| regex::escape(v))
            .collect::<Vec<_>>()
            .join("|"),
    )
    .size_limit(1 << 28)
    .build()
    .unwrap();
    for (path, bytes) in &files {
        assert!(
            !any_value.is_match(bytes),
            "{} holds an identifier value",
            path.display()
        );
    }
}

/// `o2o forget` on a keyed store: the person's raw identifiers, pseudonymised with the store's
/// key, erase their profile — pseudonyms, kept platform hashes and hashed identifiers — and
/// nobody else's.
#[cfg(feature = "sim")]
#[test]
fn a_keyed_store_forgets_a_person_named_by_raw_identifiers() {
    use crate::identity::{Forget, ResolutionRules};
    let rules = ResolutionRules::default();
    let ring = test_ring("k1", 1);
    let plain_dir = TempDir::new("forget-plain");
    let keyed_dir = TempDir::new("forget-keyed");
    let plain = ingest_simulated(&plain_dir.0, 150, None);
    let mut keyed = ingest_simulated(
        &keyed_dir.0,
        150,
        Some(StoreKey::new(&ring, &rules).unwrap()),
    );
    // Someone with an email and a phone, named by raw values.
    let a = resolve_people(&plain, rules.clone()).unwrap();
    let person = a
        .graph
        .profiles()
        .iter()
        .find(|p| {
            p.identifiers.iter().any(|i| i.kind == IdKind::Email)
                && p.identifiers.iter().any(|i| i.kind == IdKind::Phone)
        })
        .unwrap();
    let email = person
        .identifiers
        .iter()
        .find(|i| i.kind == IdKind::Email)
        .unwrap()
        .clone();
    let before = a.graph.profiles().len();

    // Without the key: an error naming the key id.
    let err = keyed.lookup_key(None, &rules).unwrap_err().to_string();
    assert!(
        err.contains("`k1`") && err.contains("--hmac-key-file"),
        "{err}"
    );
    let mut key = keyed.lookup_key(Some(&ring), &rules).unwrap().unwrap();
    let stored: Vec<_> = person
        .identifiers
        .iter()
        .map(|i| key.stored_form(i).unwrap())
        .collect();
    let hashes: Vec<String> = [
        crate::hashing::Platform::Meta,
        crate::hashing::Platform::Google,
    ]
    .iter()
    .map(|&profile| {
        let opts = crate::hashing::NormalizeOptions {
            profile,
            ..Default::default()
        };
        crate::hashing::sha256_hex(
            &crate::hashing::normalize(IdKind::Email, &email.value, &opts).unwrap(),
        )
    })
    .collect();
    let what = [Forget::Identifier(key.stored_form(&email).unwrap())];
    let mut people = resolve_people(&keyed, rules.clone()).unwrap();
    let matcher = people.graph.erasure_matcher(&what);
    let receipt = people.graph.forget_all(&what, None).unwrap();
    assert_eq!(receipt.profiles_erased, 1);
    assert_eq!(
        receipt.identifiers_erased as usize,
        person.identifiers.len()
    );
    drop(people);
    let erased = keyed.rewrite_without(|i| matcher.matches(i)).unwrap();
    assert!(erased.files_rewritten > 0);
    for (path, bytes) in every_file(keyed.dir()) {
        for v in stored.iter().map(|i| &i.value).chain(&hashes) {
            assert!(
                !contains(&bytes, v.as_bytes()),
                "{} keeps {v}",
                path.display()
            );
        }
    }
    let after = resolve_people(&keyed, rules).unwrap();
    assert_eq!(after.graph.profiles().len(), before - 1);
}

/// A keyed store asks for its key, refuses another and refuses to be mixed with plain records,
/// with errors that name the key id and never a value or a secret.
#[cfg(feature = "sim")]
#[test]
fn a_keyed_store_refuses_a_missing_or_other_key_and_mixing() {
    use crate::identity::ResolutionRules;
    let rules = ResolutionRules::default();
    let ring = test_ring("k1", 1);
    let dir = TempDir::new("keyed-errors");
    let keyed = ingest_simulated(&dir.0, 20, Some(StoreKey::new(&ring, &rules).unwrap()));
    let path = keyed.dir().to_owned();
    drop(keyed);
    let m = CompiledMap::new(
        SourceMap::from_toml(
            r#"
            [source]
            name = "wifi"
            format = "csv"
            produces = "checkin"
            [fields]
            timestamp = "time"
            store = "ap"
            method = { value = "wifi_join" }
            [identifiers]
            mac = "mac"
        "#,
        )
        .unwrap(),
    )
    .unwrap();
    let csv = "time,ap,mac\n2026-03-01T10:00:00Z,S1,aa:bb:cc:dd:ee:ff\n";
    let ingest = |store: &mut Store| {
        let reader = FileReader::text(&m, "wifi.csv", open(csv.as_bytes()).unwrap()).unwrap();
        store.ingest(&m, reader, &IngestOptions::default(), |_| {}, |_| {})
    };
    let mut store = Store::create(&path, "UTC").unwrap();
    let err = ingest(&mut store).unwrap_err();
    assert!(matches!(err, StoreError::KeyNeeded { .. }), "{err}");
    assert!(err.to_string().contains("`k1`"), "{err}");
    let other = test_ring("k2", 40);
    let err = store
        .set_key(StoreKey::new(&other, &rules).unwrap())
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
    assert!(keyed_lookup(&store, &other, &rules).contains("`k1`"));
    // Another secret under the store's key id: its check value tells it apart.
    let same_id = test_ring("k1", 40);
    let err = store
        .set_key(StoreKey::new(&same_id, &rules).unwrap())
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err}");
    assert!(keyed_lookup(&store, &same_id, &rules).contains("`k1`"));
    let th = ResolutionRules {
        default_country: Some("TH".into()),
        ..ResolutionRules::default()
    };
    let err = store.lookup_key(Some(&ring), &th).unwrap_err().to_string();
    assert!(err.contains("\"VN\"") && err.contains("\"TH\""), "{err}");
    store
        .set_key(StoreKey::new(&ring, &rules).unwrap())
        .unwrap();
    let report = ingest(&mut store).unwrap();
    assert_eq!(report.stored, 1);
    assert_eq!(
        report
            .pseudonyms
            .as_ref()
            .unwrap()
            .identifiers_pseudonymised,
        1
    );
    drop(store);
    for (_, bytes) in every_file(&path) {
        assert!(!contains(&bytes, b"aa:bb:cc:dd:ee:ff"));
    }

    // A plain store takes no key.
    let plain_dir = TempDir::new("plain-errors");
    let mut plain = Store::create(&plain_dir.0, "UTC").unwrap();
    ingest(&mut plain).unwrap();
    let err = plain
        .set_key(StoreKey::new(&ring, &rules).unwrap())
        .unwrap_err();
    assert!(matches!(err, StoreError::PlainStore), "{err}");
    assert!(plain.lookup_key(Some(&ring), &rules).unwrap().is_none());
}

#[cfg(feature = "sim")]
fn keyed_lookup(
    store: &Store,
    ring: &crate::keys::KeyRing,
    rules: &crate::identity::ResolutionRules,
) -> String {
    store.lookup_key(Some(ring), rules).unwrap_err().to_string()
}
