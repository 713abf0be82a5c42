//! `o2o simulate` and `o2o demo` as a user runs them.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn o2o() -> Command {
    Command::new(env!("CARGO_BIN_EXE_o2o"))
}

fn simulate_into(dir: &Path, seed: &str) {
    let out = o2o()
        .args(["simulate", "--customers", "3000", "--seed", seed, "--out"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn simulate_with_the_same_seed_writes_byte_identical_files() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    simulate_into(a.path(), "7");
    simulate_into(b.path(), "7");
    simulate_into(c.path(), "8");
    for f in ["events.ndjson", "truth.json", "audience.csv"] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        let z = std::fs::read(c.path().join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between two runs with seed 7");
        assert!(x != z, "{f} is the same for seeds 7 and 8");
    }
    // The written events read back without a single rejected line.
    let text = std::fs::read(a.path().join("events.ndjson")).unwrap();
    let read = o2o_core::event::read_ndjson(&text[..]).unwrap();
    assert_eq!(read.summary.rejected, 0);
    let truth: o2o_core::sim::Truth =
        serde_json::from_slice(&std::fs::read(a.path().join("truth.json")).unwrap()).unwrap();
    assert_eq!(truth.customers, 3000);
    assert_eq!(truth.totals.events, read.summary.read);
}

#[test]
fn demo_json_reports_channels_checkins_and_truth() {
    let out = o2o()
        .args(["demo", "--customers", "3000", "--seed", "3", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let channels = v["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 7);
    assert!(
        channels
            .iter()
            .any(|c| c["channel"] == "banner" && c["true_incremental_visitors"] == 0.0)
    );
    assert!(v["events"]["checkins"].as_u64().unwrap() > 0);
    // The demo reads raw exports with bad rows planted in them: exactly those are rejected.
    let ingest = v["ingest"].as_array().unwrap();
    assert!(!ingest.is_empty());
    let planted: u64 = ingest.iter().map(|l| l["planted"].as_u64().unwrap()).sum();
    assert!(planted > 0);
    assert_eq!(v["events"]["read"]["rejected"], planted);
    for l in ingest {
        assert_eq!(l["rejected"], l["planted"], "{l}");
    }
    assert!(v["truth_totals"]["visitors"].as_u64().unwrap() > 0);
    // Every stage of the pipeline reports, next to the truth.
    assert!(v["identity"]["metrics"]["pairwise_f1"].as_f64().unwrap() >= 0.99);
    assert_eq!(v["uplift"].as_array().unwrap().len(), 7);
    assert_eq!(v["attribution"]["rows"].as_array().unwrap().len(), 7);
    assert!(v["upload"]["hashed"].as_u64().unwrap() > 0);
    assert!(
        v["upload"]["withheld"].as_u64().unwrap() > 0,
        "refusers' identifiers are withheld"
    );
    assert!(!v["report"]["o2o"]["rows"].as_array().unwrap().is_empty());
    assert!(!v["next_actions"]["vouchers"].as_array().unwrap().is_empty());
}

#[test]
fn demo_text_shows_the_ground_truth_table() {
    let out = o2o()
        .args(["demo", "--customers", "1500"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("true extra visitors"), "{text}");
    assert!(text.contains("zalo"));
    // For people: within 100 columns, the findings first, in sentences next to the truth.
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "widest line {widest}:\n{text}");
    assert_eq!(
        text.lines().nth(3),
        Some("What the campaigns did"),
        "{text}"
    );
    assert!(text.contains("Next to the simulator's truth"));
    assert!(text.contains("trust the holdout"), "{text}");
    // No progress bar when stdout/stderr are not a terminal.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn simulate_rejects_a_bad_config_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg.json");
    let c = o2o_core::sim::SimConfig {
        holdout_share: 2.0,
        ..Default::default()
    };
    std::fs::write(&cfg, serde_json::to_string(&c).unwrap()).unwrap();
    let out = o2o()
        .args(["simulate", "--config"])
        .arg(&cfg)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holdout_share"), "{err}");
}
