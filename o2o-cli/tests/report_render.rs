//! The report for people, as a user gets it: `o2o demo --html/--xlsx` and `o2o report --store
//! --html/--xlsx`. The workbook is read back with calamine and its cells must equal the report
//! JSON; the text output must fit 100 columns and open with the headline. (The HTML page is
//! checked in a real browser by tests/browser/report.test.mjs.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

fn o2o() -> Command {
    Command::new(env!("CARGO_BIN_EXE_o2o"))
}

struct Demo {
    _dir: tempfile::TempDir,
    work: std::path::PathBuf,
    json: Value,
    xlsx: std::path::PathBuf,
    html: String,
}

/// One demo run shared by the tests (it is the slow part).
fn demo() -> &'static Demo {
    static D: OnceLock<Demo> = OnceLock::new();
    D.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("w");
        let (xlsx, html) = (dir.path().join("r.xlsx"), dir.path().join("r.html"));
        let out = o2o()
            .args([
                "demo",
                "--customers",
                "3000",
                "--seed",
                "11",
                "--json",
                "--work",
            ])
            .arg(&work)
            .arg("--xlsx")
            .arg(&xlsx)
            .arg("--html")
            .arg(&html)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Demo {
            json: serde_json::from_slice(&out.stdout).unwrap(),
            html: std::fs::read_to_string(&html).unwrap(),
            _dir: dir,
            work,
            xlsx,
        }
    })
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    r.rows().map(<[Data]>::to_vec).collect()
}

fn f(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn the_workbook_holds_the_json_numbers_one_sheet_per_table() {
    let d = demo();
    let v = &d.json["view"];
    let wb = open_workbook_auto(&d.xlsx).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Campaigns",
            "Credited",
            "Incremental",
            "Visits",
            "Check-in methods",
            "ROPO lag",
            "Daily",
            "Stores",
            "Sources"
        ]
    );
    let campaigns = v["campaigns"].as_array().unwrap();
    let sheet = rows(&d.xlsx, "Campaigns");
    assert_eq!(sheet.len(), campaigns.len() + 1);
    for (r, c) in sheet[1..].iter().zip(campaigns) {
        assert_eq!(s(&r[0]), c["channel"].as_str().unwrap());
        assert_eq!(s(&r[1]), c["campaign"].as_str().unwrap_or(""));
        assert_eq!(f(&r[2]), num(&c["spend"]));
        assert_eq!(f(&r[3]), num(&c["exposed"]));
        assert_eq!(f(&r[4]), num(&c["influenced"]["visits"]));
        assert_eq!(f(&r[5]), num(&c["influenced"]["revenue"]));
    }
    let credited = rows(&d.xlsx, "Credited");
    let models: Vec<String> = credited[0][2..].iter().map(s).collect();
    assert!(models.len() >= 3, "{models:?}");
    for (r, c) in credited[1..].iter().zip(campaigns) {
        for (k, m) in models.iter().enumerate() {
            assert_eq!(f(&r[2 + k]), num(&c["credited"][m]), "{m}");
        }
    }
    let inc = rows(&d.xlsx, "Incremental");
    let measured: Vec<&Value> = campaigns
        .iter()
        .filter(|c| !c["incremental"].is_null())
        .collect();
    assert_eq!(inc.len(), measured.len() + 1);
    for (r, c) in inc[1..].iter().zip(&measured) {
        let i = &c["incremental"];
        assert_eq!(s(&r[2]), i["method"].as_str().unwrap());
        assert_eq!(f(&r[4]), num(&i["lift"]));
        assert_eq!(f(&r[7]), num(&i["visitors"]));
        assert_eq!(f(&r[8]), num(&i["visitors_ci"][0]));
        assert_eq!(f(&r[9]), num(&i["visitors_ci"][1]));
        assert_eq!(f(&r[13]), num(&i["revenue"]));
        assert_eq!(f(&r[16]), num(&i["iroas"]));
        assert_eq!(f(&r[18]), num(&i["iroas_ci"][1]));
        assert_eq!(f(&r[19]), num(&i["p_adjusted"]));
    }
    let visits = rows(&d.xlsx, "Visits");
    assert_eq!(f(&visits[1][1]), num(&v["visits"]["count"]));
    assert_eq!(f(&visits[3][1]), num(&v["visits"]["revenue"]));
    // Dates are Excel dates, not text.
    match &visits[4][1] {
        Data::DateTime(dt) => {
            // Excel counts days from 1899-12-30.
            let from = v["period"]["from"].as_str().unwrap();
            let parts: Vec<i32> = from.split('-').map(|p| p.parse().unwrap()).collect();
            let date = time::Date::from_calendar_date(
                parts[0],
                time::Month::try_from(parts[1] as u8).unwrap(),
                parts[2] as u8,
            )
            .unwrap();
            let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).unwrap();
            assert_eq!(dt.as_f64(), (date - epoch).whole_days() as f64, "{from}");
        }
        other => panic!("period from is not a date: {other:?}"),
    }
    let daily = rows(&d.xlsx, "Daily");
    let want = v["daily"].as_array().unwrap();
    assert!(want.len() >= 28);
    assert_eq!(daily.len(), want.len() + 1);
    for (r, w) in daily[1..].iter().zip(want) {
        assert!(matches!(r[0], Data::DateTime(_)), "{:?}", r[0]);
        assert_eq!(f(&r[1]), num(&w["target"]));
        assert_eq!(f(&r[2]), num(&w["holdout"]));
    }
    let methods = rows(&d.xlsx, "Check-in methods");
    for r in &methods[1..] {
        assert_eq!(f(&r[1]), num(&v["visits"]["by_method"][s(&r[0])]));
    }
    let stores = rows(&d.xlsx, "Stores");
    assert_eq!(stores.len(), v["by_store"].as_array().unwrap().len() + 1);
    assert_eq!(f(&stores[1][3]), num(&v["by_store"][0]["revenue"]));
}

#[test]
fn money_cells_carry_the_currency_as_a_number_format() {
    let d = demo();
    assert_eq!(d.json["view"]["currency"], "USD");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&d.xlsx).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("#,##0.00 &quot;USD&quot;"), "{styles}");
    assert!(styles.contains("yyyy-mm-dd"), "{styles}");
}

#[test]
fn the_html_page_is_self_contained_and_small() {
    let d = demo();
    assert!(!d.html.contains("<script"));
    assert!(!d.html.contains("src=\"http") && !d.html.contains("href=\"http"));
    assert!(d.html.len() < 2_000_000);
    // Every chart of the issue is there.
    for chart in [
        "incremental",
        "iroas",
        "credited",
        "daily",
        "lag",
        "by_method",
        "by_store",
    ] {
        assert!(
            d.html.contains(&format!("data-chart=\"{chart}\"")),
            "{chart}"
        );
    }
}

#[test]
fn report_text_fits_100_columns_and_opens_with_the_headline() {
    let d = demo();
    // The demo's spend is in two currencies: the report converts them with the exports' rates.
    let rates = d.work.join("exports").join("rates.csv");
    let out = o2o()
        .arg("report")
        .arg("--store")
        .arg(d.work.join("store"))
        .args(["--currency", "USD", "--rates"])
        .arg(&rates)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "widest line {widest}:\n{text}");
    let head: Vec<&str> = text.lines().take(4).collect();
    assert_eq!(head[3], "What the campaigns did", "{text}");
    assert!(text.contains(" USD"), "money with its currency");
    // --json is the machine form, unchanged.
    let out = o2o()
        .arg("report")
        .arg("--json")
        .arg("--store")
        .arg(d.work.join("store"))
        .args(["--currency", "USD", "--rates"])
        .arg(&rates)
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["o2o"]["rows"].is_array() && j["ropo"].is_object() && j["kpis"].is_object());
    assert!(j["campaigns"].is_array() && j["visits"].is_object());
}

#[test]
fn revenue_per_store_is_in_the_report_currency_when_tills_use_two() {
    // Two stores, one till in USD and one in EUR; on 2026-03-01 one base unit bought 1 USD and
    // 0.5 EUR, so 10 EUR are 20 USD.
    let dir = tempfile::tempdir().unwrap();
    let consent = r#""consent":{"gcm":{"ad_user_data":"granted","analytics_storage":"granted"}}"#;
    let line = |store: &str, who: &str, cur: &str| {
        format!(
            r#"{{"type":"checkin","method":"pos_purchase","store":"{store}","timestamp":1772362800,"value":10,"currency":"{cur}","identifiers":[{{"kind":"external_id","value":"{who}"}}],{consent}}}"#
        ) + "\n"
    };
    let events = dir.path().join("e.ndjson");
    std::fs::write(
        &events,
        [
            line("US1", "C1", "USD"),
            line("EU1", "C2", "EUR"),
            line("EU1", "C3", "EUR"),
        ]
        .concat(),
    )
    .unwrap();
    let rates = dir.path().join("rates.csv");
    std::fs::write(
        &rates,
        "currency,date,rate\nUSD,2026-02-27,1\nEUR,2026-02-27,0.5\n",
    )
    .unwrap();
    let xlsx = dir.path().join("r.xlsx");
    let out = o2o()
        .args(["report", "--events"])
        .arg(&events)
        .args(["--currency", "USD", "--rates"])
        .arg(&rates)
        .arg("--xlsx")
        .arg(&xlsx)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["currency"], "USD");
    assert_eq!(num(&v["visits"]["revenue"]), 50.0);
    let stores = rows(&xlsx, "Stores");
    let revenue = |name: &str| {
        stores
            .iter()
            .find(|r| s(&r[0]) == name)
            .map(|r| f(&r[3]))
            .unwrap()
    };
    assert_eq!((revenue("EU1"), revenue("US1")), (40.0, 10.0));
    // The stores add up to the visits' revenue, in the one currency.
    let total: f64 = stores[1..].iter().map(|r| f(&r[3])).sum();
    assert_eq!(total, num(&v["visits"]["revenue"]));
}

#[test]
fn visits_identified_only_by_a_voucher_are_shown_beside_their_campaign_everywhere() {
    // A customer claims a voucher code of zalo-spring, then pays anonymously with it: a visit
    // known only through the campaign's own instrument.
    let dir = tempfile::tempdir().unwrap();
    let consent = r#""consent":{"gcm":{"ad_user_data":"granted","analytics_storage":"granted"}}"#;
    let events = dir.path().join("e.ndjson");
    std::fs::write(
        &events,
        [
            format!(
                r#"{{"type":"touchpoint","action":"voucher_claim","channel":"zalo","campaign":"zalo-spring","timestamp":1772355600,"identifiers":[{{"kind":"external_id","value":"C1"}},{{"kind":"phone","value":"+84912345678"}},{{"kind":"voucher_code","value":"ZL0001"}}],{consent}}}"#
            ),
            format!(
                r#"{{"type":"checkin","method":"voucher_redemption","store":"S1","timestamp":1772362800,"value":1234.5,"currency":"USD","campaign":"zalo-spring","identifiers":[{{"kind":"voucher_code","value":"ZL0001"}}],{consent}}}"#
            ),
        ]
        .join("\n")
            + "\n",
    )
    .unwrap();
    let (html, xlsx) = (dir.path().join("r.html"), dir.path().join("r.xlsx"));
    let run = |json: bool| {
        let mut c = o2o();
        c.args(["report", "--events"]).arg(&events);
        if json {
            c.arg("--json")
                .arg("--html")
                .arg(&html)
                .arg("--xlsx")
                .arg(&xlsx);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let v: Value = serde_json::from_str(&run(true)).unwrap();
    let campaigns = v["campaigns"].as_array().unwrap();
    let i = campaigns
        .iter()
        .position(|c| c["channel"] == "zalo")
        .unwrap();
    assert_eq!(campaigns[i]["instrument_only"]["visits"], 1, "{v}");
    assert_eq!(num(&campaigns[i]["instrument_only"]["revenue"]), 1234.5);
    // The page: tagged with its JSON path and value, under the label.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("visits identified only by its own voucher"));
    assert!(
        page.contains(&format!(
            r#"data-path="campaigns.{i}.instrument_only.visits" data-value="1""#
        )),
        "the page tags the count"
    );
    assert!(page.contains(&format!(
        r#"data-path="campaigns.{i}.instrument_only.revenue" data-value="1234.5""#
    )));
    // The workbook: the campaigns sheet's two last columns.
    let sheet = rows(&xlsx, "Campaigns");
    assert_eq!(s(&sheet[0][6]), "visits identified only by its own voucher");
    assert_eq!(f(&sheet[i + 1][6]), 1.0);
    assert_eq!(f(&sheet[i + 1][7]), 1234.5);
    // The text.
    let text = run(false);
    let at = text
        .find("Visits identified only by its own voucher")
        .expect("a text table of them");
    let table = &text[at..];
    let line = table.lines().find(|l| l.contains("zalo-spring")).unwrap();
    assert!(
        line.contains("1,234.50 USD") && line.contains(" 1 "),
        "{line}"
    );
}
