//! `o2o segment`, `o2o survey`, `o2o loyalty` and `o2o explain` end to end on small inputs whose
//! answers are known.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;

const GRANTED: &str = r#""consent":{"gcm":{"ad_storage":"granted","analytics_storage":"granted","ad_user_data":"granted","ad_personalization":"granted"}}"#;
const DAY: i64 = 86_400;
const T0: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z

/// A store purchase by a loyalty card (consent to link and personalise when `consent`).
fn purchase(card: &str, region: &str, day: i64, value: f64, consent: bool) -> String {
    let consent = if consent {
        format!(",{GRANTED}")
    } else {
        String::new()
    };
    format!(
        r#"{{"type":"checkin","method":"pos_purchase","store":"S-{region}","region":"{region}","timestamp":{},"value":{value},"identifiers":[{{"kind":"loyalty_card","value":"{card}"}}]{consent}}}"#,
        T0 + day * DAY
    )
}

fn events(dir: &std::path::Path, lines: &[String]) -> String {
    let p = dir.join("events.ndjson");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p.to_str().unwrap().to_owned()
}

fn example(name: &str) -> String {
    format!("{}/../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn segment_rules_pick_a_voucher_per_profile_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events(
        dir.path(),
        &[
            // A: two southern visits 40 and 38 days before the last event, spending 150: a
            // lapsed VIP (win-back outranks south-regulars).
            purchase("LC-A", "south", 0, 100.0, true),
            purchase("LC-A", "south", 2, 50.0, true),
            // B: two southern visits, first 20 days ago, small spend: south-regulars.
            purchase("LC-B", "south", 20, 10.0, true),
            purchase("LC-B", "south", 40, 10.0, true),
            // C: would be a lapsed VIP but gave no consent: nothing.
            purchase("LC-C", "north", 0, 500.0, false),
        ],
    );
    let rules = example("segment_rules.json");
    let (code, out, err) = o2o(&["segment", "--events", &ev, "--rules", &rules]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut got: Vec<(String, u64)> = lines
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["voucher_type"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![("south-regulars".into(), 3), ("win-back".into(), 2)]
    );
    let win_back = lines.iter().find(|d| d["rule"] == "win-back").unwrap();
    assert_eq!(
        win_back["because"][0],
        "spent 150.00 (VIP if ≥ 80), last visit 38 days ago (lapsed if ≥ 21)"
    );
    assert!(err.contains("2 matched a rule"), "{err}");

    // --at moves the clock and leaves out later events: on day 3, A is a new customer (first
    // seen within 14 days: welcome) and B has not come yet.
    let at = (T0 + 3 * DAY).to_string();
    let (code, out, _) = o2o(&["segment", "--events", &ev, "--rules", &rules, "--at", &at]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("\"rule\":\"welcome\""), "{out}");

    // Bad rules name the file; an events file with nothing usable fails.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"rules":[{"name":"x","voucher_type":9,"when":["always"]}]}"#,
    )
    .unwrap();
    let (code, _, err) = o2o(&["segment", "--events", &ev, "--rules", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.json") && err.contains("voucher_type 9"),
        "{err}"
    );
    let empty = dir.path().join("empty.ndjson");
    std::fs::write(&empty, "not json\n").unwrap();
    let (code, _, err) = o2o(&[
        "segment",
        "--events",
        empty.to_str().unwrap(),
        "--rules",
        &rules,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no usable event"), "{err}");
}

#[test]
fn survey_alerts_and_satisfaction_from_the_example_file() {
    let responses = example("survey.csv");
    let (code, out, err) = o2o(&["survey", "--responses", &responses, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["responses"], 6);
    let alerts = v["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0]["score"], 2); // most urgent first
    assert_eq!(
        alerts[0]["deadline"],
        alerts[0]["responded_at"].as_i64().unwrap() + 24 * 3600
    );
    let hcm = &v["satisfaction"]["by_store"]["HCM-01"];
    assert_eq!(
        (hcm["responses"].clone(), hcm["mean_score"].clone()),
        (3.into(), 4.0.into())
    );

    // Still open on the evening of 2026-03-04: only the second alert.
    let (code, out, _) = o2o(&[
        "survey",
        "--responses",
        &responses,
        "--at",
        "2026-03-04T20:00:00Z",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("1 alert(s) still open"), "{out}");
    assert!(out.contains("2026-03-05 08:30 UTC"), "{out}");

    // NDJSON, a bad line kept out with its number, the good one kept.
    let dir = tempfile::tempdir().unwrap();
    let nd = dir.path().join("r.ndjson");
    std::fs::write(
        &nd,
        "{\"customer\":\"p1\",\"store\":\"S1\",\"score\":1,\"timestamp\":1000}\n{\"customer\":\"p2\",\"store\":\"S1\",\"score\":9,\"timestamp\":1}\n",
    )
    .unwrap();
    let (code, out, err) = o2o(&["survey", "--responses", nd.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert!(err.contains("line 2"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["responses"].clone(), v["rejected"].clone()),
        (1.into(), 1.into())
    );
    std::fs::write(&nd, "{\"score\":9}\n").unwrap();
    let (code, _, err) = o2o(&["survey", "--responses", nd.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no usable response"), "{err}");
}

#[test]
fn loyalty_points_and_reminders() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events(
        dir.path(),
        &[
            purchase("LC-A", "south", 0, 120.7, true),
            purchase("LC-A", "south", 50, 9.99, true),
            purchase("LC-B", "north", 1, 80.0, true),
        ],
    );
    let ledger = dir.path().join("ledger.json");
    let (code, out, err) = o2o(&[
        "loyalty",
        "--events",
        &ev,
        "--tier",
        "silver=150",
        "--tier",
        "gold=300",
        "--json",
        "--ledger-out",
        ledger.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // At day 50: A earned 120 + 9, B 80; points last 60 days, so nothing has expired yet.
    assert_eq!(
        (v["members"].clone(), v["earned"].clone()),
        (2.into(), 209.into())
    );
    assert_eq!(
        (v["balance"].clone(), v["expired"].clone()),
        (209.into(), 0.into())
    );
    let r = v["reminders"].as_array().unwrap();
    // A's 120 points expire on day 60 (within 14 days); A is 21 points from silver.
    assert!(
        r.iter()
            .any(|x| x["kind"] == "points_expiring" && x["points"] == 120),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|x| x["kind"] == "near_tier" && x["tier"] == "silver" && x["missing"] == 21),
        "{r:?}"
    );
    // B is 70 points from silver: no reminder.
    assert_eq!(r.iter().filter(|x| x["kind"] == "near_tier").count(), 1);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ledger).unwrap()).unwrap();
    assert_eq!(saved.as_object().unwrap().len(), 2);

    // After day 61, A's first lot has expired.
    let at = (T0 + 61 * DAY).to_string();
    let (code, out, _) = o2o(&["loyalty", "--events", &ev, "--at", &at, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["expired"].clone(), v["balance"].clone()),
        (200.into(), 9.into())
    );

    let (code, _, err) = o2o(&["loyalty", "--events", &ev, "--tier", "silver"]);
    assert_eq!(code, 2);
    assert!(err.contains("NAME=POINTS"), "{err}");
}

#[test]
fn explain_fails_for_an_identifier_the_events_never_mention() {
    let dir = tempfile::tempdir().unwrap();
    let ev = events(dir.path(), &[purchase("LC-A", "south", 0, 10.0, true)]);
    let (code, out, err) = o2o(&[
        "explain",
        "--events",
        &ev,
        "loyalty_card:LC-A",
        "email:nobody@example.com",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("\"unknown\""), "{out}");
    assert!(!err.contains("nobody@example.com"), "{err}");
}
