#![allow(clippy::unwrap_used)]
use super::*;

const NAMES: [&str; 12] = [
    "anna", "bao", "chi", "duc", "emma", "finn", "giang", "hoa", "ivan", "jana", "khoa", "linh",
];
const SURNAMES: [&str; 10] = [
    "nguyen", "tran", "le", "pham", "hoang", "smith", "jones", "muller", "rossi", "garcia",
];

/// 120 people, the first 15 with a second record carrying a typo, a shifted day or no zip.
fn people() -> Vec<(String, [String; 4])> {
    let mut out = Vec::new();
    for i in 0..120usize {
        let f = NAMES[i % 12].to_owned();
        let s = SURNAMES[(i * 7 / 3) % 10].to_owned();
        let dob = format!(
            "19{:02}{:02}{:02}",
            40 + i % 50,
            1 + i % 12,
            1 + (i * 5) % 28
        );
        let zip = format!("{}", 10_000 + (i * 37) % 200);
        out.push((format!("r{i}"), [f, s, dob, zip]));
    }
    for i in 0..15usize {
        let mut v = out[i].1.clone();
        match i % 3 {
            0 => v[1].push('h'),
            1 => v[2] = format!("{}{:02}", &v[2][..6], (1 + (i * 5) % 28) % 28 + 1),
            _ => v[3].clear(),
        }
        out.push((format!("d{i}"), v));
    }
    out
}

fn settings() -> MatchSettings {
    MatchSettings::from_json(
        r#"{"unique_id_column": "id",
        "blocking_rules": [{"on": ["surname"]}, {"on": ["dob"]}, {"on": ["zip"]}],
        "comparisons": [
          {"field": "first", "levels": [{"kind": "exact", "term_frequency": true}, {"kind": "jaro_winkler", "threshold": 0.88}]},
          {"field": "surname", "levels": [{"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.9}]},
          {"field": "dob", "levels": [{"kind": "exact"}, {"kind": "date", "within_days": 31}]},
          {"field": "zip", "levels": [{"kind": "exact"}]}],
        "threshold": 3.0,
        "training": {"probability_two_random_records_match": 0.002}}"#,
    )
    .unwrap()
}

fn csv() -> String {
    let mut s = "id,first,surname,dob,zip\n".to_owned();
    for (id, v) in people() {
        s.push_str(&format!("{id},{},{},{},{}\n", v[0], v[1], v[2], v[3]));
    }
    s
}

#[test]
fn unknown_and_misspelt_settings_are_named() {
    let e = MatchSettings::from_json(
        r#"{"blocking_rules": [{"on": ["a"]}], "comparisons": [{"field": "a", "levels": [{"kind": "jaro_winkler", "treshold": 0.9}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("treshold") && e.contains("comparisons[0].levels[0]"),
        "{e}"
    );
    let e = MatchSettings::from_toml(
        "threshold = 1\nblocking_rules = []\ncomparisons = []\nextra = 2\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("extra"), "{e}");
    let e = MatchSettings::from_json(
        r#"{"blocking_rules": [], "comparisons": [{"field": "a", "levels": [{"kind": "exact"}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("never compares every pair"), "{e}");
    let e = MatchSettings::from_json(
        r#"{"blocking_rules": [{"on": ["a"], "swap": true}], "comparisons": [{"field": "a", "levels": [{"kind": "exact"}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("swap"), "{e}");
}

#[test]
fn blocking_compares_only_pairs_sharing_a_key() {
    let s = settings();
    let records = Records::from_csv(csv().as_bytes(), "people.csv", &s).unwrap();
    let (pairs, _) =
        blocking::union_pairs(&records, &s.blocking_rules, s.link_type, s.max_pairs).unwrap();
    let share = |a: usize, b: usize| {
        ["surname", "dob", "zip"].iter().any(|f| {
            let c = &records.columns[records.column(f).unwrap()];
            c.of[a] != records::NULL && c.of[a] == c.of[b]
        })
    };
    let n = records.len();
    let want: Vec<u64> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .filter(|&(a, b)| share(a, b))
        .map(|(a, b)| ((a as u64) << 32) | b as u64)
        .collect();
    assert_eq!(pairs, want);
    assert!((pairs.len() as u64) < (n * (n - 1) / 2) as u64);
    let tight = MatchSettings {
        max_pairs: 10,
        ..s.clone()
    };
    let e = run(&tight, &records).err().unwrap();
    assert!(matches!(e, MatchError::TooManyPairs { .. }), "{e}");
}

#[test]
fn duplicates_are_found_and_explained() {
    let s = settings();
    let records = Records::from_csv(csv().as_bytes(), "people.csv", &s).unwrap();
    let result = run(&s, &records).unwrap();
    let found: Vec<(&str, &str)> = result
        .pairs
        .iter()
        .map(|p| (records.id(p.a as usize), records.id(p.b as usize)))
        .collect();
    for i in 0..15 {
        let (r, d) = (format!("r{i}"), format!("d{i}"));
        assert!(
            found.contains(&(r.as_str(), d.as_str())),
            "r{i}–d{i} not found: {found:?}"
        );
    }
    assert!(found.iter().all(|(a, b)| a[1..] == b[1..]), "{found:?}");
    // The waterfall adds up to the pair's weight.
    let p = result.pairs[0];
    let w = result.waterfall(p.a, p.b);
    let sum = w.prior
        + w.fields
            .iter()
            .map(|f| f.weight + f.tf_adjustment)
            .sum::<f64>();
    // Summed in the same order as `score`: equal to rounding of the last additions.
    assert!((sum - p.match_weight).abs() < 1e-9 && (w.match_weight - p.match_weight).abs() < 1e-9);
    // Same data and seed, same model and pairs, whatever the run.
    let again = run(&s, &records).unwrap();
    assert_eq!(again.pairs, result.pairs);
}

#[test]
fn bad_rows_name_their_line_without_the_value() {
    let s = settings();
    let text = "id,first,surname,dob,zip\nr1,anna,secretname,19400101,1\nr1,bo,x,19400101,1\n";
    let e = Records::from_csv(text.as_bytes(), "p.csv", &s)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p.csv") && e.contains("line 3") && !e.contains("secretname"),
        "{e}"
    );
    let e = Records::from_csv("id,first\n".as_bytes(), "p.csv", &s)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column `surname`"), "{e}");
}

#[cfg(feature = "store")]
#[test]
fn store_matches_become_scored_links_of_the_graph() {
    use crate::consent::{ConsentMode, ConsentSignals, ConsentState};
    use crate::event::{Customer, IdKind, Identifier, Record};
    use crate::identity::ResolutionRules;
    let dir = std::env::temp_dir().join(format!("o2o-match-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = crate::store::Store::create(&dir, "UTC").unwrap();
    let yes = ConsentSignals {
        gcm: Some(ConsentMode {
            ad_user_data: ConsentState::Granted,
            ..Default::default()
        }),
        ..Default::default()
    };
    let customers: Vec<Record> = people()
        .into_iter()
        .map(|(id, v)| {
            // Originals are CRM ids, duplicates emails: the match joins two kinds.
            let key = if id.starts_with('r') {
                Identifier::new(IdKind::ExternalId, format!("crm-{id}"))
            } else {
                Identifier::new(IdKind::Email, format!("{id}@example.com"))
            };
            let mut ids = vec![
                key,
                Identifier::new(IdKind::FirstName, &v[0]),
                Identifier::new(IdKind::LastName, &v[1]),
                Identifier::new(IdKind::DateOfBirth, &v[2]),
            ];
            if !v[3].is_empty() {
                ids.push(Identifier::new(IdKind::Zip, &v[3]));
            }
            Record::Customer(Customer {
                timestamp: Some(1_772_000_000),
                identifiers: ids,
                consent: Some(yes.clone()),
                ..Customer::default()
            })
        })
        .collect();
    store.append("crm", "customers", customers).unwrap();
    let text = r#"{"blocking_rules": [{"on": ["last_name"]}, {"on": ["date_of_birth"]}, {"on": ["zip"]}],
        "comparisons": [
          {"field": "first_name", "levels": [{"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.88}]},
          {"field": "last_name", "levels": [{"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.9}]},
          {"field": "date_of_birth", "levels": [{"kind": "exact"}, {"kind": "date", "within_days": 31}]},
          {"field": "zip", "levels": [{"kind": "exact"}]}],
        "threshold": 3.0, "training": {"probability_two_random_records_match": 0.002}}"#;
    let s = MatchSettings::from_json(text).unwrap();
    let matched = store_records(&store, &s, &ResolutionRules::default()).unwrap();
    assert_eq!(matched.records.len(), 135);
    let result = match_store(&store, &s, &matched).unwrap();
    let links = read_links(&dir).unwrap();
    assert_eq!(links.len(), result.pairs.len());
    let people = crate::store::resolve_people(&store, ResolutionRules::default()).unwrap();
    assert_eq!(people.stats.scored_links, links.len() as u64);
    let crm = Identifier::new(IdKind::ExternalId, "crm-r4");
    let email = Identifier::new(IdKind::Email, "d4@example.com");
    let e = people.graph.explain(&crm, &email);
    assert!(e.is_linked(), "{e:?}");
    let w = e.chain()[0].match_weight.as_ref().unwrap();
    assert_eq!(w.fields[2].field, "date_of_birth");

    // Erasing r4 takes the pairs touching r4's identifiers out of the links file, and leaves
    // everyone else's.
    let mut graph = people.graph;
    let what = [crate::identity::Forget::Identifier(crm.clone())];
    let matcher = graph.erasure_matcher(&what);
    let touches = |l: &StoredLink| matcher.matches(&l.a) || matcher.matches(&l.b);
    let theirs = links.iter().filter(|l| touches(l)).count() as u64;
    assert!(
        links
            .iter()
            .any(|l| [&l.a, &l.b] == [&crm, &email] || [&l.a, &l.b] == [&email, &crm])
    );
    assert!(theirs > 0 && theirs < links.len() as u64);
    let erased = store.rewrite_without(|i| matcher.matches(i)).unwrap();
    assert_eq!(erased.links_removed, theirs);
    let after = read_links(&dir).unwrap();
    assert!(!after.iter().any(touches));
    let others: Vec<&StoredLink> = links.iter().filter(|l| !touches(l)).collect();
    assert_eq!(after.iter().collect::<Vec<_>>(), others);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "store")]
#[test]
fn a_batch_of_links_names_its_bad_row() {
    use arrow_array::{RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use std::sync::Arc;
    let w = r#"{"prior": -10.0, "fields": [], "match_weight": 5.0, "probability": 0.97}"#;
    let schema = Arc::new(Schema::new(
        ["a", "b", "waterfall"]
            .map(|n| Field::new(n, DataType::Utf8, false))
            .to_vec(),
    ));
    let batch = |b: &str| {
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![
                    "external_id:crm-1",
                    "email:a@example.com",
                ])),
                Arc::new(StringArray::from(vec!["email:d1@example.com", b])),
                Arc::new(StringArray::from(vec![w, w])),
            ],
        )
        .unwrap()
    };
    let links = links_of_batch(&batch("email:d2@example.com")).unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[1].waterfall.match_weight, 5.0);
    let e = links_of_batch(&batch("no kind here")).unwrap_err();
    assert!(e.starts_with("row 2:"), "{e}");
}
