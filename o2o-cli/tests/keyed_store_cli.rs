//! A store ingested with `--hmac-key-file` end to end: `o2o resolve`, `explain` and `forget`
//! name people by raw values and find them through the key; no file of the store and no receipt
//! holds a raw email, phone, CRM id or card; a missing or wrong key is an error naming the key
//! id; and `o2o export` from it writes what the same exports ingested without a key give.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{o2o, write_key_file};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn example(p: &str) -> String {
    root()
        .join("docs/examples")
        .join(p)
        .to_str()
        .unwrap()
        .to_owned()
}

/// The docs' example exports (CRM, consent, tills, Wi-Fi, web orders, landing pages) in a new
/// store at `st`, with `extra` flags on every ingest.
fn ingest_examples(st: &Path, extra: &[&str]) {
    let s = st.to_str().unwrap();
    for (map, file) in [
        ("maps/customers.toml", "maps/customers.csv"),
        ("maps/crm_consent.toml", "maps/crm_consent.csv"),
        ("maps/pos.toml", "maps/pos.csv"),
        ("maps/wifi.toml", "maps/wifi.csv"),
        ("maps/orders.toml", "maps/orders.csv"),
        ("activation/landing.toml", "activation/landing.csv"),
    ] {
        let (m, f) = (example(map), example(file));
        let mut args = vec![
            "ingest",
            "--store",
            s,
            "--timezone",
            "Asia/Ho_Chi_Minh",
            "--map",
            &m,
            "--max-rejected",
            "60",
        ];
        args.extend_from_slice(extra);
        args.push(&f);
        let (code, _, err) = o2o(&args);
        assert_eq!(code, 0, "{file}: {err}");
    }
}

/// Every file under `dir` with what it holds: a Parquet file's values decoded (its pages are
/// compressed, so their bytes could hide a value), any other file's bytes.
fn store_files(dir: &Path) -> Vec<(PathBuf, String)> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let mut out = Vec::new();
    for p in common::files_under(dir) {
        if p.extension().is_some_and(|e| e == "parquet") {
            let mut text = String::new();
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
            out.push((p, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

/// Every string in `a`, through lists and structs, one a line.
fn strings(a: &dyn arrow_array::Array, out: &mut String) {
    use arrow_array::cast::AsArray;
    use arrow_schema::DataType;
    match a.data_type() {
        DataType::Utf8 => {
            for v in a.as_string::<i32>().iter().flatten() {
                out.push_str(v);
                out.push('\n');
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

/// Raw values of the example exports, as typed and as normalised: none may be in a keyed
/// store. (Bob's phone `0987654321` is a placeholder of the default junk list, which the
/// stored resolution's rules name: it is looked for as typed and in E.164.)
const RAW: [&str; 21] = [
    "Bob@Example.com",
    "bob@example.com",
    "carol@example.com",
    "dan@example.com",
    "Ann.Tran@Example.com",
    "ann.tran@example.com",
    "0912 345 678",
    "0912345678",
    "84912345678",
    "+84 90 111 2222",
    "84901112222",
    "0987 654 321",
    "84987654321",
    "CRM-0042",
    "CRM-0043",
    "CRM-0044",
    "LC0001",
    "LC0042",
    "AA-BB-CC-00-11-22",
    "aa:bb:cc:00:11:22",
    "aa:bb:cc:00:11:33",
];

fn assert_no_raw_value(what: &str, text: &str) {
    for v in RAW {
        assert!(!text.contains(v), "{what} holds {v}");
    }
}

#[test]
fn a_keyed_store_answers_explain_and_forget_by_raw_values_and_holds_none() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("store.key");
    let k = key.to_str().unwrap();
    let (code, _, err) = o2o(&["keygen", "--out", k, "--id", "k1"]);
    assert_eq!(code, 0, "{err}");
    let st = dir.path().join("store");
    let s = st.to_str().unwrap();
    ingest_examples(&st, &["--hmac-key-file", k]);

    let (code, profiles, err) = o2o(&["resolve", "--store", s]);
    assert_eq!(code, 0, "{err}");
    assert!(profiles.contains("\"k1:"), "{profiles}");
    assert_no_raw_value("o2o resolve's output", &profiles);

    // Bob's CRM row links his email and his CRM id.
    let explain = |a: &str, b: &str, key: Option<&str>| {
        let mut args = vec!["explain", "--store", s];
        if let Some(k) = key {
            args.extend(["--hmac-key-file", k]);
        }
        args.extend([a, b]);
        o2o(&args)
    };
    let (code, out, err) = explain("email:Bob@Example.com", "external_id:CRM-0042", Some(k));
    assert_eq!(code, 0, "{err}");
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(e["linked"], true, "{out}");
    let (code, out, err) = explain("loyalty_card:LC0001", "phone:+84 91 234 5678", Some(k));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"linked\": true"), "{out}");

    // A missing key, another key, and another key under the store's key id (its pseudonyms
    // would find nobody): errors naming the store's key id, never a value.
    let other = dir.path().join("other.key");
    let (code, _, err) = o2o(&["keygen", "--out", other.to_str().unwrap(), "--id", "k2"]);
    assert_eq!(code, 0, "{err}");
    let same_id = dir.path().join("same-id.key");
    let (code, _, err) = o2o(&["keygen", "--out", same_id.to_str().unwrap(), "--id", "k1"]);
    assert_eq!(code, 0, "{err}");
    for key in [
        None,
        Some(other.to_str().unwrap()),
        Some(same_id.to_str().unwrap()),
    ] {
        let (code, out, err) = explain("email:Bob@Example.com", "external_id:CRM-0042", key);
        assert_ne!(code, 0, "{out}");
        assert!(err.contains("`k1`"), "{err}");
        assert_no_raw_value("the error", &err);
        let mut args = vec!["forget", "--store", s];
        if let Some(k) = key {
            args.extend(["--hmac-key-file", k]);
        }
        args.push("email:Bob@Example.com");
        let (code, out, err) = o2o(&args);
        assert_ne!(code, 0, "{out}");
        assert!(err.contains("`k1`"), "{err}");
        assert_no_raw_value("the error", &err);
        assert!(out.is_empty(), "{out}");
    }
    for key in [&other, &same_id] {
        let (code, _, err) = o2o(&[
            "ingest",
            "--store",
            s,
            "--map",
            &example("maps/customers.toml"),
            "--hmac-key-file",
            key.to_str().unwrap(),
            &example("maps/customers.csv"),
        ]);
        assert_ne!(code, 0);
        assert!(err.contains("`k1`"), "{err}");
    }

    // Nothing of anyone is in the store as a raw value.
    for (path, text) in store_files(&st) {
        assert_no_raw_value(&path.display().to_string(), &text);
    }

    // Forget Bob by his raw email: his profile goes, with his CRM id.
    let (code, receipt, err) = o2o(&[
        "forget",
        "--store",
        s,
        "--hmac-key-file",
        k,
        "email:Bob@Example.com",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(r["profiles_erased"], 1, "{receipt}");
    // His email and CRM id (his phone is a placeholder the store never kept).
    assert_eq!(r["identifiers_erased"], 2, "{receipt}");
    assert!(
        r["store"]["records_removed"].as_u64().unwrap() > 0,
        "{receipt}"
    );
    assert_no_raw_value("the receipt", &receipt);
    assert_no_raw_value("forget's messages", &err);
    let bob_hash = o2o_core::hashing::sha256_hex("bob@example.com");
    assert!(!receipt.contains(&bob_hash));
    for (path, text) in store_files(&st) {
        assert!(
            !text.contains(&bob_hash),
            "{} keeps Bob's hash",
            path.display()
        );
    }
    let (code, out, _) = explain("email:Bob@Example.com", "external_id:CRM-0042", Some(k));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unknown"), "{out}");
    // The customer of receipt R1001 is still there.
    let (code, _, err) = explain("loyalty_card:LC0001", "phone:+84 91 234 5678", Some(k));
    assert_eq!(code, 0, "{err}");
}

/// Ingest `exports` (simulated raw exports with their maps) into `st`.
fn ingest_exports(dir: &Path, exports: &o2o_core::sim::Exports, st: &Path, extra: &[&str]) {
    for f in &exports.files {
        let (m, file) = (dir.join(&f.map), dir.join(&f.file));
        let mut args = vec![
            "ingest",
            "--store",
            st.to_str().unwrap(),
            "--timezone",
            "Asia/Ho_Chi_Minh",
            "--map",
            m.to_str().unwrap(),
            "--max-rejected",
            "50",
        ];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        let (code, _, err) = o2o(&args);
        assert_eq!(code, 0, "{}: {err}", f.file);
    }
}

fn export(st: &Path, platform: &str, out: &Path) -> (i32, String) {
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        st.to_str().unwrap(),
        "--to",
        platform,
        "--out",
        out.to_str().unwrap(),
        "--event-source-id",
        "CQ0TESTSET",
    ]);
    (code, err)
}

/// The records of an NDJSON export: each line's `key` array, concatenated.
fn records(path: &Path, key: &[&str]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        for k in key {
            v = v[k].take();
        }
        out.extend(v.as_array().unwrap().iter().cloned());
    }
    out
}

/// The same simulated exports ingested without and with a key give the same uploads: files
/// byte for byte where the platform takes only hashed emails and phones (and names, addresses,
/// click ids, which a keyed store keeps as given); where it also takes the advertiser's
/// customer id (`external_id`, `EXTERN_ID`), exactly that field is missing from the keyed
/// store's, since it keeps CRM ids and loyalty cards only as keyed pseudonyms, and nothing else
/// differs.
#[test]
fn a_keyed_store_uploads_what_the_same_exports_give_without_a_key() {
    use o2o_core::sim::{SimConfig, simulate, write_exports};
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("store.key");
    write_key_file(&key);
    let campaign = simulate(&SimConfig {
        customers: 400,
        ..SimConfig::default()
    })
    .unwrap();
    let ex = dir.path().join("exports");
    let exports = write_exports(&campaign, &ex).unwrap();
    let (plain, keyed) = (dir.path().join("plain"), dir.path().join("keyed"));
    ingest_exports(&ex, &exports, &plain, &[]);
    ingest_exports(
        &ex,
        &exports,
        &keyed,
        &["--hmac-key-file", key.to_str().unwrap()],
    );

    let out = |store: &str, p: &str| dir.path().join(format!("{store}.{p}"));
    for p in ["google-ads-enhanced", "customer-match", "google-ads-clicks"] {
        let (a, ea) = export(&plain, p, &out("plain", p));
        let (b, eb) = export(&keyed, p, &out("keyed", p));
        assert_eq!(a, b, "{p}: {ea}\n{eb}");
        let (fa, fb) = (
            std::fs::read(out("plain", p)).unwrap(),
            std::fs::read(out("keyed", p)).unwrap(),
        );
        assert!(fa == fb, "{p}: the keyed store's upload differs");
        if p != "google-ads-clicks" {
            assert_eq!(a, 0, "{ea}");
            assert!(fa.len() > 2_000, "{p}: too little to compare");
        }
    }

    // Meta and TikTok conversions: the same events, without `external_id`.
    for (p, key, user) in [
        ("meta-capi", &["data"][..], "user_data"),
        ("tiktok-events", &["data"][..], "user"),
    ] {
        let (a, ea) = export(&plain, p, &out("plain", p));
        let (b, eb) = export(&keyed, p, &out("keyed", p));
        assert_eq!((a, b), (0, 0), "{ea}\n{eb}");
        assert!(
            eb.contains("not sent, kept only as keyed pseudonyms"),
            "{eb}"
        );
        let plain_events = records(&out("plain", p), key);
        let keyed_events = records(&out("keyed", p), key);
        assert!(
            plain_events
                .iter()
                .any(|e| e[user].get("external_id").is_some()),
            "{p}: nothing to compare"
        );
        let want: Vec<serde_json::Value> = plain_events
            .into_iter()
            .filter_map(|mut e| {
                let u = e[user].as_object_mut().unwrap();
                u.remove("external_id");
                (!u.is_empty()).then_some(e)
            })
            .collect();
        assert!(want.len() > 20, "{p}: too little to compare");
        assert_eq!(keyed_events, want, "{p}");
    }

    // Meta audience: the same rows with `EXTERN_ID` empty (rows left with nothing are gone).
    let p = "meta-audience";
    let (a, ea) = export(&plain, p, &out("plain", p));
    let (b, eb) = export(&keyed, p, &out("keyed", p));
    assert_eq!((a, b), (0, 0), "{ea}\n{eb}");
    let rows = |path: &Path| -> Vec<Vec<String>> {
        let mut r: Vec<Vec<String>> = records(path, &["payload", "data"])
            .into_iter()
            .map(|row| serde_json::from_value(row).unwrap())
            .collect();
        r.sort();
        r
    };
    let keyed_rows = rows(&out("keyed", p));
    let mut want: Vec<Vec<String>> = rows(&out("plain", p))
        .into_iter()
        .filter_map(|mut r| {
            *r.last_mut().unwrap() = String::new();
            r.iter().any(|c| !c.is_empty()).then_some(r)
        })
        .collect();
    want.sort();
    assert!(want.len() > 100);
    assert_eq!(keyed_rows, want);

    // A keyed store read its phones in its own country: another one is refused.
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        keyed.to_str().unwrap(),
        "--to",
        "meta-capi",
        "--default-country",
        "TH",
        "--out",
        out("keyed", "th").to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("default country") && err.contains("`TH`"),
        "{err}"
    );
}
