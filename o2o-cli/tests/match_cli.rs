//! `o2o match --store`: pairs explained on a keyed store from the raw identifiers a user types,
//! and scored links' waterfalls kept by `o2o snapshot` and shown by `o2o restore --explain`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{o2o, write_key_file};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// A CRM export made of FEBRL 1: originals keyed by their CRM id, duplicates by an email, so
/// that a scored link may join the two (one CRM id per profile would keep two CRM ids apart).
/// Returns the map.
fn write_crm(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo("o2o-core/tests/fixtures/febrl/febrl1.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, given, surname, dob, postcode) = (
        col("rec_id"),
        col("given_name"),
        col("surname"),
        col("date_of_birth"),
        col("postcode"),
    );
    let mut csv =
        String::from("customer_id,email,first_name,last_name,date_of_birth,zip,opt_in,signed_up\n");
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let (crm, email) = if f[id].ends_with("-org") {
            (f[id].to_owned(), String::new())
        } else {
            (String::new(), format!("{}@example.com", f[id]))
        };
        csv.push_str(&format!(
            "{crm},{email},{},{},{},{},Y,2026-01-01\n",
            f[given], f[surname], f[dob], f[postcode]
        ));
    }
    std::fs::write(dir.join("crm.csv"), csv).unwrap();
    let map = dir.join("crm.toml");
    std::fs::write(
        &map,
        r#"[source]
name = "crm"
format = "csv"
produces = "customer"

[fields]
timestamp = "signed_up"

[identifiers]
external_id   = "customer_id"
email         = "email"
first_name    = "first_name"
last_name     = "last_name"
date_of_birth = "date_of_birth"
zip           = "zip"

[consent]
granted = { column = "opt_in", values = ["Y"] }
"#,
    )
    .unwrap();
    map
}

/// Ingest the CRM export into `st` (keyed with `key`), then match its people.
fn matched_store(dir: &Path, st: &Path, key: Option<&Path>) {
    let map = write_crm(dir);
    let csv = dir.join("crm.csv");
    let mut args = vec![
        "ingest",
        "--store",
        st.to_str().unwrap(),
        "--map",
        map.to_str().unwrap(),
        csv.to_str().unwrap(),
    ];
    if let Some(k) = key {
        args.extend(["--hmac-key-file", k.to_str().unwrap()]);
    }
    let (code, _, err) = o2o(&args);
    assert_eq!(code, 0, "{err}");
    let settings = repo("docs/examples/match/store.toml");
    let (code, _, err) = o2o(&[
        "match",
        "--store",
        st.to_str().unwrap(),
        "--settings",
        settings.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

const A: &str = "external_id:rec-1-org";
const B: &str = "email:rec-1-dup-0@example.com";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `o2o match --store --explain` on a keyed store takes the raw identifiers with the store's
/// key, and gives the waterfall the stored scored link carries; without the key, or with
/// another, it stops with an error naming the store's key id and no value.
#[test]
fn match_explain_on_a_keyed_store_pseudonymises_the_ids() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("st");
    let key = dir.path().join("key");
    write_key_file(&key);
    matched_store(dir.path(), &st, Some(&key));
    let settings = repo("docs/examples/match/store.toml");
    let (s, set) = (st.to_str().unwrap(), settings.to_str().unwrap());
    let k = key.to_str().unwrap();
    let explain = |extra: &[&str]| {
        let mut args = vec!["match", "--store", s, "--settings", set, "--explain", A, B];
        args.extend(extra);
        o2o(&args)
    };
    let (code, out, err) = explain(&["--hmac-key-file", k, "--json"]);
    assert_eq!(code, 0, "{err}");
    let w = json(&out);
    assert_eq!(w["fields"][0]["field"], "first_name");
    assert!(w["match_weight"].as_f64().unwrap() > 0.0, "{w}");
    // The same weights as the link stored by the match, which `o2o explain` shows.
    let (code, out, err) = o2o(&["explain", "--store", s, "--hmac-key-file", k, A, B]);
    assert_eq!(code, 0, "{err}");
    let e = json(&out);
    assert_eq!(e["chain"][0]["source"], "match");
    assert_eq!(e["chain"][0]["match_weight"], w);
    let (code, text, err) = explain(&["--hmac-key-file", k]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("last_name: exact"), "{text}");

    let other = dir.path().join("other");
    std::fs::write(
        &other,
        "k2:5f9a0c7e12d85b36e9a1f04c7d2b6e8135c9a7f0e4b2d61803f7c5a9e1b4d260\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    for extra in [vec![], vec!["--hmac-key-file", other.to_str().unwrap()]] {
        let (code, out, err) = explain(&extra);
        assert_ne!(code, 0, "{out}");
        assert!(err.contains("key `k1`"), "{err}");
        assert!(!err.contains("rec-1"), "a value in the message: {err}");
    }
}

/// A snapshot keeps scored links' waterfalls: `o2o restore --explain` on it prints what
/// `o2o explain --store` printed, for a plain store, its keyed snapshot, and a keyed store.
#[test]
fn restored_snapshots_explain_scored_links_with_their_waterfalls() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    write_key_file(&key);
    let k = key.to_str().unwrap();
    let plain = dir.path().join("plain");
    let keyed = dir.path().join("keyed");
    matched_store(dir.path(), &plain, None);
    matched_store(dir.path(), &keyed, Some(&key));
    let snapshot = |st: &Path, name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "snapshot",
            "--store",
            st.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let (code, _, err) = o2o(&args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let restored = |snap: &Path, extra: &[&str]| {
        let mut args = vec![
            "restore",
            "--snapshot",
            snap.to_str().unwrap(),
            "--explain",
            A,
            B,
        ];
        args.extend(extra);
        let (code, out, err) = o2o(&args);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };
    let explained = |st: &Path, extra: &[&str]| {
        let mut args = vec!["explain", "--store", st.to_str().unwrap(), A, B];
        args.extend(extra);
        let (code, out, err) = o2o(&args);
        assert_eq!(code, 0, "{err}");
        json(&out)
    };

    let want = explained(&plain, &[]);
    assert!(want["chain"][0]["match_weight"].is_object(), "{want}");
    assert_eq!(restored(&snapshot(&plain, "plain.json", &[]), &[]), want);
    // Its keyed snapshot: the same waterfall, between the pseudonyms.
    let snap = snapshot(&plain, "plain-keyed.json", &["--hmac-key-file", k]);
    let got = restored(&snap, &["--hmac-key-file", k]);
    assert_eq!(
        got["chain"][0]["match_weight"],
        want["chain"][0]["match_weight"]
    );
    assert!(
        got["chain"][0]["from"]["value"]
            .as_str()
            .unwrap()
            .starts_with("k1:")
    );
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(text.contains("\"scored\":[["));
    assert!(!text.contains("rec-1-org") && !text.contains("rec-1-dup"));
    // Without the key, raw identifiers cannot be looked up in it: the error names the key.
    let (code, _, err) = o2o(&[
        "restore",
        "--snapshot",
        snap.to_str().unwrap(),
        "--explain",
        A,
        B,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("key `k1`") && !err.contains("rec-1"), "{err}");
    // A keyed store's snapshot.
    let want = explained(&keyed, &["--hmac-key-file", k]);
    let snap = snapshot(&keyed, "keyed.json", &[]);
    assert_eq!(restored(&snap, &["--hmac-key-file", k]), want);

    // Forgetting the person takes their matched pairs out of the store; the others stay.
    let before = o2o_core::matching::read_links(&plain).unwrap();
    // The person's profile: rec-1's CRM id and the email of its duplicate.
    let theirs = |l: &&o2o_core::matching::StoredLink| {
        [&l.a, &l.b].iter().any(|i| i.value.starts_with("rec-1-"))
    };
    let n = before.iter().filter(theirs).count();
    assert!(n > 0);
    let (code, out, err) = o2o(&["forget", "--store", plain.to_str().unwrap(), A]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["store"]["links_removed"], n as u64, "{out}");
    let after = o2o_core::matching::read_links(&plain).unwrap();
    assert_eq!(after.len(), before.len() - n);
    assert!(!after.iter().any(|l| theirs(&l)));
    let snap = snapshot(&plain, "after.json", &[]);
    assert!(!std::fs::read_to_string(snap).unwrap().contains("rec-1-"));
}
