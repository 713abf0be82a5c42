//! Every export file against its platform's schema (`docs/schemas/`, written from the
//! platforms' documentation), and the Meta round trip: an exported batch, parsed back, carries
//! exactly the consented check-ins of the period, each hash the normaliser's.
#![allow(clippy::unwrap_used)]

use o2o_core::activation::{
    AudienceOptions, Conversion, ExportOptions, Platform, audience_members, conversions,
    export_audience, export_conversions,
};
use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState};
use o2o_core::event::{
    CheckIn, CheckInMethod, Event, IdKind, Identifier, Item, TouchAction, Touchpoint, Tracking,
};
use o2o_core::hashing::{self, NormalizeOptions, normalize, sha256_hex};
use o2o_core::measure::group_visits;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn signals(upload: bool, personalise: bool) -> Option<ConsentSignals> {
    let s = |b: bool| {
        if b {
            ConsentState::Granted
        } else {
            ConsentState::Denied
        }
    };
    Some(ConsentSignals {
        tcf: None,
        gcm: Some(ConsentMode {
            ad_storage: ConsentState::Granted,
            analytics_storage: ConsentState::Granted,
            ad_user_data: s(upload),
            ad_personalization: s(personalise),
        }),
    })
}

const DAY: i64 = 86_400;
/// 2026-03-01T00:00:00Z.
const T0: i64 = 1_772_323_200;

struct Person {
    email: String,
    phone: String,
    upload: bool,
}

fn people(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| Person {
            email: format!(" Customer.{i}@Example.com "),
            phone: format!("+84 91 234 {:04}", 1000 + i),
            upload: i % 3 != 0,
        })
        .collect()
}

fn checkin(p: &Person, i: usize, ts: i64, value: Option<f64>) -> Event {
    Event::CheckIn(CheckIn {
        id: Some(format!("receipt-{i}-{ts}")),
        method: if value.is_some() {
            CheckInMethod::PosPurchase
        } else {
            CheckInMethod::WifiJoin
        },
        store: format!("S{}", i % 4),
        region: None,
        timestamp: ts,
        value,
        currency: value.map(|_| "VND".to_owned()),
        items: value
            .map(|v| {
                vec![Item {
                    sku: format!("SKU{i:03}"),
                    quantity: 1,
                    price: v,
                }]
            })
            .unwrap_or_default(),
        campaign: None,
        voucher: None,
        channel: None,
        tracking: None,
        identifiers: vec![
            Identifier::new(IdKind::Email, p.email.clone()),
            Identifier::new(IdKind::Phone, p.phone.clone()),
            Identifier::new(IdKind::FirstName, "Thu"),
            Identifier::new(IdKind::LastName, "Nguyễn"),
            Identifier::new(IdKind::Country, "Viet Nam"),
            Identifier::new(IdKind::Zip, "700000"),
            Identifier::new(IdKind::Mac, "aa:bb:cc:dd:ee:ff"),
        ],
        consent: signals(p.upload, i.is_multiple_of(2)),
    })
}

fn click(p: &Person, i: usize, ts: i64) -> Event {
    let mut t = Tracking::default();
    match i % 4 {
        0 => t.gclid = Some(format!("Cj0KCQ-gclid-{i}")),
        1 => t.gbraid = Some(format!("0AAAAA-gbraid-{i}")),
        2 => t.wbraid = Some(format!("CjkKEQ-wbraid-{i}")),
        _ => t.fbclid = Some(format!("IwAR-fbclid-{i}")),
    }
    t.ttclid = Some(format!("E.C.P.ttclid-{i}"));
    Event::Touchpoint(Touchpoint {
        id: None,
        action: TouchAction::Click,
        channel: "search".into(),
        campaign: Some("spring".into()),
        timestamp: ts,
        cost: None,
        value: None,
        currency: None,
        identifiers: vec![Identifier::new(IdKind::Email, p.email.clone())],
        consent: signals(p.upload, true),
        tracking: Some(Box::new(t)),
        order: None,
        exposure: Default::default(),
    })
}

/// A month of visits by 30 people, a click before each first visit, a few visits outside March.
fn events() -> Vec<Event> {
    let ps = people(30);
    let mut out = Vec::new();
    for (i, p) in ps.iter().enumerate() {
        let day = T0 + (i as i64 % 28) * DAY;
        out.push(click(p, i, day - 3 * DAY));
        out.push(checkin(p, i, day + 10 * 3600, None));
        out.push(checkin(
            p,
            i,
            day + 10 * 3600 + 600,
            Some(150_000.0 + i as f64),
        ));
        // A visit in February and one in April: outside the period.
        out.push(checkin(p, i, T0 - 5 * DAY, Some(1.0)));
        out.push(checkin(p, i, T0 + 40 * DAY, Some(2.0)));
    }
    out
}

fn email_key(e: &Event) -> Option<String> {
    e.identifiers()
        .iter()
        .find(|i| i.kind == IdKind::Email)
        .map(|i| i.value.trim().to_lowercase())
}

fn march(events: &[Event]) -> (Vec<Conversion>, u64) {
    let visits = group_visits(events, &email_key, 2 * 3600);
    conversions(
        events,
        &visits,
        &email_key,
        (Some(T0), Some(T0 + 31 * DAY)),
        &ConsentGate::default(),
        90 * DAY,
    )
}

fn schema(name: &str) -> (Value, jsonschema::Validator) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/schemas")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let desc = v["description"].as_str().unwrap();
    assert!(desc.contains("https://"), "{name}: link the documentation");
    let validator = jsonschema::validator_for(&v).unwrap();
    (v, validator)
}

fn check_json_lines(name: &str, out: &[u8]) -> Vec<Value> {
    let (_, validator) = schema(name);
    let text = std::str::from_utf8(out).unwrap();
    let mut bodies = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let v: Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name} line {}: {errors:?}", n + 1);
        bodies.push(v);
    }
    assert!(!bodies.is_empty(), "{name}: nothing written");
    bodies
}

fn check_csv(name: &str, out: &[u8]) -> Vec<Value> {
    let (s, validator) = schema(name);
    let columns: Vec<&str> = s["x-columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut r = csv::Reader::from_reader(out);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, columns, "{name}: header");
    let mut rows = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), columns.len(), "{name} row {}", n + 2);
        // A column the header repeats (Customer Match's `Email`, `Phone`) is one key whose
        // value is the array of its cells, in order.
        let mut obj = serde_json::Map::new();
        for (c, v) in columns.iter().zip(rec.iter()) {
            if columns.iter().filter(|x| *x == c).count() > 1 {
                let cells = obj
                    .entry((*c).to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = cells {
                    a.push(Value::from(v));
                }
            } else {
                obj.insert((*c).to_owned(), Value::from(v));
            }
        }
        let v = Value::Object(obj);
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name} row {}: {errors:?}", n + 2);
        rows.push(v);
    }
    assert!(!rows.is_empty(), "{name}: nothing written");
    rows
}

fn opts() -> ExportOptions {
    ExportOptions {
        event_source_id: Some("CQ0TESTSET".into()),
        timezone: Some(o2o_core::measure::TimeZone::get("Asia/Ho_Chi_Minh").unwrap()),
        ..ExportOptions::default()
    }
}

#[test]
fn every_conversion_export_validates_against_its_platform_schema() {
    let ev = events();
    let (convs, _) = march(&ev);
    for p in [
        Platform::MetaCapi,
        Platform::GoogleAdsClicks,
        Platform::GoogleAdsEnhanced,
        Platform::TiktokEvents,
    ] {
        let mut out = Vec::new();
        let s = export_conversions(p, &convs, &opts(), &mut out).unwrap();
        assert!(s.exported > 0, "{p}: {s:?}");
        assert_eq!(
            s.exported + s.no_consent + s.no_identifier + s.no_currency,
            s.records,
            "{p}: every record accounted for"
        );
        if p == Platform::GoogleAdsClicks {
            let rows = check_csv(p.as_str(), &out);
            // Times carry the store's offset (+07:00 in Ho Chi Minh City).
            assert!(
                rows.iter()
                    .all(|r| r["Conversion Time"].as_str().unwrap().ends_with("+07:00"))
            );
        } else {
            check_json_lines(p.as_str(), &out);
        }
    }
}

#[test]
fn every_audience_export_validates_against_its_platform_schema() {
    let ev = events();
    let (members, stats) =
        audience_members(&ev, &email_key, T0 + 60 * DAY, &AudienceOptions::default());
    assert_eq!(stats.selected, 30);
    for p in [Platform::CustomerMatch, Platform::MetaAudience] {
        let mut out = Vec::new();
        let s = export_audience(p, &members, &opts(), &mut out).unwrap();
        // Upload needs ad_user_data (2 in 3 people), audiences also ad_personalization.
        assert!(s.no_consent > 0 && s.exported > 0, "{p}: {s:?}");
        if p == Platform::CustomerMatch {
            let rows = check_csv(p.as_str(), &out);
            assert!(
                rows.iter().all(|r| r["Country"] == "vn"),
                "country in clear"
            );
        } else {
            check_json_lines(p.as_str(), &out);
        }
    }
}

#[test]
fn a_meta_batch_parsed_back_is_exactly_the_consented_check_ins_of_the_period() {
    let ev = events();
    let (convs, kept_out) = march(&ev);
    let mut out = Vec::new();
    let s = export_conversions(Platform::MetaCapi, &convs, &opts(), &mut out).unwrap();
    let bodies = check_json_lines("meta-capi", &out);
    assert_eq!(s.batches as usize, bodies.len());

    // Expected: every consented check-in of March, by its visit's representative (the purchase).
    let meta = NormalizeOptions {
        profile: hashing::Platform::Meta,
        ..NormalizeOptions::default()
    };
    let mut expected = BTreeSet::new();
    let mut consented_checkins = 0;
    for e in &ev {
        let Event::CheckIn(c) = e else { continue };
        let allowed = c
            .consent
            .as_ref()
            .and_then(|s| s.gcm.as_ref())
            .unwrap()
            .ad_user_data
            == ConsentState::Granted;
        let in_march = c.timestamp >= T0 && c.timestamp < T0 + 31 * DAY;
        if !(allowed && in_march) {
            continue;
        }
        consented_checkins += 1;
        if let Some(value) = c.value {
            let email = c
                .identifiers
                .iter()
                .find(|i| i.kind == IdKind::Email)
                .unwrap();
            let phone = c
                .identifiers
                .iter()
                .find(|i| i.kind == IdKind::Phone)
                .unwrap();
            expected.insert((
                c.id.clone().unwrap(),
                c.timestamp,
                sha256_hex(&normalize(IdKind::Email, &email.value, &meta).unwrap()),
                sha256_hex(&normalize(IdKind::Phone, &phone.value, &meta).unwrap()),
                format!("{value:.2}"),
            ));
        }
    }
    // Two check-ins (Wi-Fi join, then the purchase) per consented visit.
    assert_eq!(consented_checkins, 2 * expected.len());
    assert_eq!(kept_out, 2 * (30 - expected.len() as u64));

    let mut got = BTreeSet::new();
    for b in &bodies {
        for e in b["data"].as_array().unwrap() {
            assert_eq!(e["action_source"], "physical_store");
            let u = &e["user_data"];
            assert_eq!(u["em"].as_array().unwrap().len(), 1);
            assert!(u.get("fbc").is_none() || u["fbc"].as_str().unwrap().starts_with("fb.1."));
            got.insert((
                e["event_id"].as_str().unwrap().to_owned(),
                e["event_time"].as_i64().unwrap(),
                u["em"][0].as_str().unwrap().to_owned(),
                u["ph"][0].as_str().unwrap().to_owned(),
                format!("{:.2}", e["custom_data"]["value"].as_f64().unwrap()),
            ));
        }
    }
    assert_eq!(got, expected);
    // The hashed email is the held-out-checked normaliser's: Meta's own example.
    assert_eq!(
        sha256_hex(&normalize(IdKind::Email, " Customer.0@Example.com ", &meta).unwrap()),
        sha256_hex("customer.0@example.com")
    );
}

#[test]
fn google_clicks_rows_carry_one_click_id_each_and_only_consented_visits() {
    let ev = events();
    let (convs, _) = march(&ev);
    let mut out = Vec::new();
    export_conversions(Platform::GoogleAdsClicks, &convs, &opts(), &mut out).unwrap();
    let rows = check_csv("google-ads-clicks", &out);
    let ps = people(30);
    let consented_with_google_click = (0..30).filter(|i| ps[*i].upload && i % 4 != 3).count();
    assert_eq!(rows.len(), consented_with_google_click);
}

#[test]
fn the_schemas_refuse_what_the_platforms_refuse() {
    let ev = events();
    let (convs, _) = march(&ev);
    let mut out = Vec::new();
    export_conversions(Platform::MetaCapi, &convs, &opts(), &mut out).unwrap();
    let line = std::str::from_utf8(&out).unwrap().lines().next().unwrap();
    let good: Value = serde_json::from_str(line).unwrap();
    let (_, meta) = schema("meta-capi");
    assert!(meta.is_valid(&good));
    let mut bad = good.clone();
    bad["data"][0]["action_source"] = "website".into();
    assert!(!meta.is_valid(&bad), "offline events are physical_store");
    let mut bad = good.clone();
    bad["data"][0]["user_data"]["em"][0] = "customer.0@example.com".into();
    assert!(!meta.is_valid(&bad), "an email in clear");
    let mut bad = good;
    let events = bad["data"].as_array().unwrap().clone();
    bad["data"] = Value::Array(events.iter().cycle().take(1001).cloned().collect());
    assert!(!meta.is_valid(&bad), "more than 1,000 events");

    let (_, clicks) = schema("google-ads-clicks");
    let row = |g: &str, b: &str| {
        serde_json::json!({"Google Click ID": g, "GBRAID": b, "WBRAID": "",
            "Conversion Name": "Store purchase", "Conversion Time": "2026-03-01 10:00:00+07:00",
            "Conversion Value": "1.5", "Conversion Currency": "VND"})
    };
    assert!(clicks.is_valid(&row("Cj0", "")));
    assert!(!clicks.is_valid(&row("Cj0", "0AA")), "two click ids");
    assert!(!clicks.is_valid(&row("", "")), "no click id");
}
