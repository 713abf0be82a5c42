//! `o2o export`, `o2o audience` and bulk vouchers end to end: flags as the issue names them,
//! exit codes, files.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A store from the POS example export and the landing-page clicks.
fn store(dir: &Path) -> String {
    let st = dir.join("store");
    let s = st.to_str().unwrap();
    let ex = |p: &str| root().join(p).to_str().unwrap().to_owned();
    let (code, _, err) = o2o(&[
        "ingest",
        "--store",
        s,
        "--timezone",
        "Asia/Ho_Chi_Minh",
        "--map",
        &ex("docs/examples/maps/pos.toml"),
        &ex("docs/examples/maps/pos.csv"),
        "--max-rejected",
        "60",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = o2o(&[
        "ingest",
        "--store",
        s,
        "--map",
        &ex("docs/examples/activation/landing.toml"),
        &ex("docs/examples/activation/landing.csv"),
    ]);
    assert_eq!(code, 0, "{err}");
    s.to_owned()
}

#[test]
fn export_takes_the_platform_and_the_period_from_to() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let out = dir.path().join("meta.ndjson");
    let o = out.to_str().unwrap();
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-capi",
        "--out",
        o,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("2 of 3 records exported") && err.contains("1 without upload consent"),
        "{err}"
    );
    let body: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    // A period without visits writes nothing and exits 1.
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-capi",
        "--out",
        o,
        "--from",
        "2026-04-01",
        "--to",
        "2026-04-30",
    ]);
    assert_eq!(code, 1, "{err}");
    // Two platforms, or neither a platform nor a day: usage errors naming the value.
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-capi",
        "--to",
        "tiktok-events",
        "--out",
        o,
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = o2o(&["export", "--store", &s, "--to", "myspace", "--out", o]);
    assert!(code == 2 && err.contains("myspace"), "{err}");
}

#[test]
fn google_clicks_and_audiences_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let csv = dir.path().join("clicks.csv");
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "google-ads-clicks",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("Google Click ID,GBRAID,WBRAID,Conversion Name,Conversion Time"));
    assert!(
        text.contains("Cj0KCQiA-sample,,,Store purchase,2026-03-01 09:15:00+07:00,1250000,VND"),
        "{text}"
    );

    let list = dir.path().join("audience.csv");
    let (code, _, err) = o2o(&["audience", "--store", &s, "--out", list.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let cm = dir.path().join("cm.csv");
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "customer-match",
        "--audience",
        list.to_str().unwrap(),
        "--out",
        cm.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&cm)
            .unwrap()
            .starts_with("Email,Email,Email,Phone,Phone,Phone,First Name,Last Name,Country,Zip\n")
    );
    // Suppression: LC0001 bought SKU-TEA on March 1st.
    let (code, out, err) = o2o(&[
        "audience",
        "--store",
        &s,
        "--exclude-bought",
        "SKU-TEA",
        "--within",
        "30",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("suppressed"), "{err}");
    assert!(
        out.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    // An audience platform takes no period.
    let (code, _, _) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-audience",
        "--to",
        "2026-03-31",
        "--out",
        cm.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
}

#[test]
fn bulk_vouchers_and_the_tills_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    common::write_key_file(&keys);
    let k = keys.to_str().unwrap();
    let t = dir.path().join("campaigns.json");
    std::fs::write(&t, r#"[{"name":"spring","expires":"2030-03-31"}]"#).unwrap();
    let t = t.to_str().unwrap();
    let (code, out, err) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaigns",
        t,
        "--campaign",
        "spring",
        "--type",
        "1",
        "--format",
        "bulk",
        "--first-serial",
        "1048574",
        "--count",
        "2",
        "--code-only",
    ]);
    assert_eq!(code, 0, "{err}");
    let codes: Vec<&str> = out.lines().collect();
    assert_eq!(codes.len(), 2);
    assert!(codes.iter().all(|c| c.len() == 20));
    let verify = |at: &str| {
        o2o(&[
            "voucher",
            "verify",
            codes[1],
            "--key-file",
            k,
            "--campaigns",
            t,
            "--at",
            at,
            "--timezone",
            "Asia/Ho_Chi_Minh",
        ])
    };
    let (code, out, _) = verify("2030-03-31T16:59:59Z");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"serial\":1048575") && out.contains("\"format\":\"bulk\""));
    let (code, out, _) = verify("2030-03-31T22:00:00Z");
    assert_eq!(code, 1);
    assert!(out.contains("\"reason\":\"expired\""));
    // Beyond the last serial.
    let (code, _, err) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaigns",
        t,
        "--campaign",
        "spring",
        "--type",
        "1",
        "--format",
        "bulk",
        "--first-serial",
        "1048575",
        "--count",
        "2",
    ]);
    assert_eq!(code, 2, "{err}");
}
