//! `o2o resolve --store` stores the resolution; later commands read it and print the same bytes
//! as resolving afresh; a changed store, other rules or an erasure make them resolve afresh and
//! say why on stderr.
#![allow(clippy::unwrap_used)]

mod common;
use common::o2o;
use std::path::{Path, PathBuf};

fn demo_store() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("w");
    let (code, _, err) = o2o(&[
        "demo",
        "--customers",
        "800",
        "--work",
        work.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rates = work.join("exports").join("rates.csv").display().to_string();
    (dir, work.join("store").display().to_string(), rates)
}

fn run(args: &[&str]) -> (String, String) {
    let (code, out, err) = o2o(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    (out, err)
}

fn resolution_files(store: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(Path::new(store).join("resolution"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/maps")
}

#[test]
fn later_commands_read_the_stored_resolution_and_print_the_same_bytes() {
    let (_dir, store, rates) = demo_store();
    let attribute = ["attribute", "--store", &store, "--model", "last"];
    let report = [
        "report",
        "--store",
        &store,
        "--json",
        "--currency",
        "USD",
        "--rates",
        &rates,
    ];
    let (a_fresh, err) = run(&attribute);
    assert!(
        err.contains("resolved the profiles (`o2o resolve --store"),
        "{err}"
    );
    let (r_fresh, _) = run(&report);
    let (profiles, err) = run(&["resolve", "--store", &store]);
    assert!(err.contains("stored the resolution ("), "{err}");
    let files = resolution_files(&store);
    assert_eq!(files.len(), 5, "{files:?}");
    for prefix in [
        "events-",
        "identifiers-",
        "observations-",
        "profiles-",
        "resolution.json",
    ] {
        assert!(files.iter().any(|f| f.starts_with(prefix)), "{files:?}");
    }
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(&store).join("resolution/resolution.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        info["profiles"].as_u64().unwrap() as usize,
        profiles.lines().count()
    );
    assert_eq!(info["rules_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(info["store"]["sha256"].as_str().unwrap().len(), 64);

    let (a_stored, err) = run(&attribute);
    assert!(
        err.contains("profiles read from the stored resolution"),
        "{err}"
    );
    assert_eq!(a_stored, a_fresh);
    let (r_stored, err) = run(&report);
    assert!(
        err.contains("profiles read from the stored resolution"),
        "{err}"
    );
    assert_eq!(r_stored, r_fresh);
    // `o2o resolve --store` again gives the same profiles.
    let (again, _) = run(&["resolve", "--store", &store]);
    assert_eq!(again, profiles);
}

#[test]
fn other_rules_a_new_ingest_or_an_erasure_resolve_afresh_and_say_why() {
    let (dir, store, _) = demo_store();
    let attribute = ["attribute", "--store", &store, "--model", "last"];
    let (profiles, _) = run(&["resolve", "--store", &store]);
    let (before, _) = run(&attribute);

    // Other rules: resolved afresh under them.
    let rules = dir.path().join("rules.json");
    std::fs::write(&rules, r#"{"hub_threshold": {"ip": 3}}"#).unwrap();
    let mut with_rules = attribute.to_vec();
    with_rules.extend(["--rules", rules.to_str().unwrap()]);
    let (_, err) = run(&with_rules);
    assert!(
        err.contains("stored resolution is out of date (it was resolved under other rules)"),
        "{err}"
    );

    // A new file ingested.
    let map = examples().join("wifi.toml");
    let data = examples().join("wifi.csv");
    run(&[
        "ingest",
        "--store",
        &store,
        "--map",
        map.to_str().unwrap(),
        data.to_str().unwrap(),
        "--max-rejected",
        "100",
    ]);
    let (after, err) = run(&attribute);
    assert!(err.contains("(1 file was ingested since)"), "{err}");
    assert!(err.contains("resolved afresh"), "{err}");
    assert_ne!(after, "");
    let _ = before;

    // An erasure: `o2o forget` removes the resolution's files, the next command says why.
    let (profiles2, _) = run(&["resolve", "--store", &store]);
    assert!(!profiles2.is_empty() && !profiles.is_empty());
    let first: serde_json::Value = serde_json::from_str(profiles2.lines().next().unwrap()).unwrap();
    let id = &first["identifiers"][0];
    let target = format!(
        "{}:{}",
        id["kind"].as_str().unwrap(),
        id["value"].as_str().unwrap()
    );
    let (_, err) = run(&["forget", "--store", &store, &target]);
    assert!(
        err.contains("removed the stored resolution's files"),
        "{err}"
    );
    assert_eq!(resolution_files(&store), vec!["resolution.json".to_owned()]);
    let json =
        std::fs::read_to_string(Path::new(&store).join("resolution/resolution.json")).unwrap();
    assert!(!json.contains(id["value"].as_str().unwrap()));
    let (_, err) = run(&attribute);
    assert!(err.contains("(`o2o forget` erased records since)"), "{err}");
}
