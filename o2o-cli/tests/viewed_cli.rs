//! `o2o audience --viewed-not-bought` and `o2o export --viewed-not-bought` end to end, on the
//! example exports: the CRM's consent table, the POS receipts, GA4 `view_item` events and the
//! app's product views.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn ex(p: &str) -> String {
    root().join(p).to_str().unwrap().to_owned()
}

fn store(dir: &Path) -> String {
    let st = dir.join("store");
    let s = st.to_str().unwrap().to_owned();
    for (map, file) in [
        ("crm_consent", "crm_consent.csv"),
        ("viewed_receipts", "viewed_receipts.csv"),
        ("ga4", "ga4_views.ndjson"),
        ("product_views", "product_views.csv"),
    ] {
        let (code, _, err) = o2o(&[
            "ingest",
            "--store",
            &s,
            "--timezone",
            "Asia/Ho_Chi_Minh",
            "--map",
            &ex(&format!("docs/examples/maps/{map}.toml")),
            &ex(&format!("docs/examples/maps/{file}")),
            "--max-rejected",
            "60",
        ]);
        assert_eq!(code, 0, "{file}: {err}");
    }
    s
}

#[test]
fn the_viewed_not_bought_list_as_csv_json_and_through_export() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let csv = dir.path().join("viewed.csv");
    let (code, _, err) = o2o(&[
        "audience",
        "--store",
        &s,
        "--viewed-not-bought",
        "--at",
        "2026-03-05T00:00:00Z",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "profile",
            "sku",
            "name",
            "price",
            "currency",
            "last_viewed",
            "views",
            "rule"
        ]
    );
    // Bob (CRM-0042, consented) viewed the phone, a case and a mooncake box on the web and a
    // watch in the app; he bought the case online and the mooncakes in a store after viewing
    // them. Carol (CRM-0043) opted out and Dan (CRM-0044) never said: neither is listed.
    assert!(
        !text.contains("SKU-CASE") && !text.contains("SKU-CAKE"),
        "{text}"
    );
    let listed: Vec<(&str, &str, &str)> = rows[1..].iter().map(|r| (r[1], r[2], r[5])).collect();
    assert_eq!(
        listed,
        [
            ("SKU-WATCH", "Watch S", "2026-03-04T13:15:00Z"),
            ("SKU-PHONE", "Phone X 128 GB", "2026-03-02T02:00:00Z"),
        ],
        "{text}"
    );
    assert_eq!(rows[1][0], rows[2][0], "one profile: {text}");
    assert!(err.contains("2 products for 1 members"), "{err}");

    // JSON: one object per member, its products inside.
    let (code, out, err) = o2o(&[
        "audience",
        "--store",
        &s,
        "--viewed-not-bought",
        "--viewed-within",
        "2",
        "--at",
        "2026-03-05T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let skus: Vec<&str> = v["viewed_not_bought"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["SKU-WATCH"], "a 2-day window drops the phone: {out}");
    assert_eq!(v["viewed_not_bought"][0]["price"], 2_490_000.0);

    // Through export: the members with a product to offer, as a Meta custom audience.
    let meta = dir.path().join("meta.ndjson");
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-audience",
        "--viewed-not-bought",
        "--at",
        "2026-03-05T00:00:00Z",
        "--default-country",
        "VN",
        "--out",
        meta.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("audience of 1 profiles who viewed"), "{err}");
    let body: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&meta).unwrap().trim()).unwrap();
    assert_eq!(body["payload"]["data"].as_array().unwrap().len(), 1);

    // Conversions take visits, not a list; the window needs the list.
    let (code, _, err) = o2o(&[
        "export",
        "--store",
        &s,
        "--to",
        "meta-capi",
        "--viewed-not-bought",
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("--viewed-not-bought"), "{err}");
    let (code, _, _) = o2o(&["audience", "--store", &s, "--viewed-within", "7"]);
    assert_ne!(code, 0);
}
