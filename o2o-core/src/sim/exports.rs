//! The simulated campaign as the raw exports a retailer really has, with the source maps that
//! read them: a POS export (local times, semicolons, decimal commas, item rows), a captive-portal
//! Wi-Fi log (epoch seconds), a store app's check-in log (NDJSON), a GA4 BigQuery export, display
//! ad exposure from each platform in its own time format, a search-ads click export, an email
//! platform's log with hashed addresses, a messaging app's log, account sign-ups, spend in two
//! currencies, the holdout list and the CRM's consent table — each with a few planted bad rows,
//! listed in [`Exports::planted`] so that tests check every one is rejected at its line.
//!
//! Ingesting the exports through their maps gives back the simulator's events (identifiers
//! normalised, consent carried by the rows or by the CRM's consent table), so the whole path from
//! exports to numbers is checked against the simulator's truth.

use super::{AudienceRow, Campaign, ChannelStyle, Group};
use crate::event::{CheckInMethod, Event, IdKind, Identifier, TouchAction};
use crate::hashing::{NormalizeOptions, normalize, sha256_hex};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The zone of the simulated retailer's local times.
pub const TIMEZONE: &str = "Asia/Ho_Chi_Minh";
const UTC_OFFSET: i64 = 7 * 3600;
/// Units of VND per USD used for the spend export's second currency.
pub const VND_PER_USD: f64 = 25_000.0;

/// One export file and the map that reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExportFile {
    /// The data file, relative to the exports directory.
    pub file: String,
    /// Its map, relative to the exports directory.
    pub map: String,
    /// Data rows written (bad ones included).
    pub rows: u64,
}

/// A bad row planted on purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planted {
    /// The file.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// The map key the row must be rejected on (`fields.timestamp`), or `row` for a row that is
    /// not a record at all.
    pub field: String,
}

/// What [`write_exports`] wrote, in the order the files should be ingested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Exports {
    /// The files with their maps.
    pub files: Vec<ExportFile>,
    /// The planted bad rows.
    pub planted: Vec<Planted>,
}

/// Why the exports could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct ExportError {
    /// The file.
    pub path: String,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Local time in the retailer's zone (a fixed UTC+7: Vietnam has no daylight saving).
fn local(ts: i64) -> (i64, u32, u32, u32, u32, u32) {
    let t = ts + UTC_OFFSET;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let (y, m, d) = crate::event::timestamp::civil_from_days(days);
    // Months and days are 1..=12 and 1..=31: the casts cannot truncate.
    let (m, d) = (m as u32, d as u32);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

fn utc(ts: i64) -> (i64, u32, u32, u32, u32, u32) {
    local(ts - UTC_OFFSET)
}

fn iso_local(ts: i64) -> String {
    let (y, mo, d, h, mi, s) = local(ts);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

fn rfc3339_local(ts: i64) -> String {
    let (y, mo, d, h, mi, s) = local(ts);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+07:00")
}

fn rfc3339_utc(ts: i64) -> String {
    let (y, mo, d, h, mi, s) = utc(ts);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `1.234.567,89`: the Vietnamese way, exactly the digits of the shortest round-trip form.
fn vn_number(x: f64) -> String {
    let s = format!("{x}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// A table being written: a header, rows, identifier columns sized to the events.
struct Sheet {
    file: &'static str,
    map: &'static str,
    ndjson: bool,
    delimiter: u8,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    objects: Vec<Value>,
    planted: Vec<(usize, &'static str)>,
}

impl Sheet {
    fn csv(file: &'static str, map: &'static str, delimiter: u8, header: &[&str]) -> Sheet {
        Sheet {
            file,
            map,
            ndjson: false,
            delimiter,
            header: header.iter().map(|s| (*s).to_owned()).collect(),
            rows: Vec::new(),
            objects: Vec::new(),
            planted: Vec::new(),
        }
    }

    fn ndjson(file: &'static str, map: &'static str) -> Sheet {
        Sheet {
            ndjson: true,
            ..Sheet::csv(file, map, b',', &[])
        }
    }

    fn len(&self) -> usize {
        if self.ndjson {
            self.objects.len()
        } else {
            self.rows.len()
        }
    }

    /// Plant a bad row after the `at`-th row: `row` (CSV cells) or `object` (an NDJSON line).
    fn plant_csv(&mut self, at: usize, row: Vec<String>, field: &'static str) {
        let at = at.min(self.rows.len());
        self.rows.insert(at, row);
        self.planted.push((at, field));
    }

    fn plant_json(&mut self, at: usize, line: Value, field: &'static str) {
        let at = at.min(self.objects.len());
        self.objects.insert(at, line);
        self.planted.push((at, field));
    }

    fn write(&self, dir: &Path, out: &mut Exports) -> Result<(), ExportError> {
        let path = dir.join(self.file);
        let io = |source| ExportError {
            path: path.display().to_string(),
            source,
        };
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
        if self.ndjson {
            for o in &self.objects {
                match o {
                    // A planted broken line is written as raw text.
                    Value::String(raw) if raw.starts_with('{') => writeln!(w, "{raw}"),
                    o => writeln!(w, "{o}"),
                }
                .map_err(io)?;
            }
        } else {
            let mut cw = csv::WriterBuilder::new()
                .delimiter(self.delimiter)
                .from_writer(&mut w);
            let csv_err = |e: csv::Error| io(std::io::Error::other(e));
            cw.write_record(&self.header).map_err(csv_err)?;
            for r in &self.rows {
                cw.write_record(r).map_err(csv_err)?;
            }
            cw.flush().map_err(io)?;
        }
        w.flush().map_err(io)?;
        // Lines: a header, then one line per row (no cell holds a newline).
        let first = if self.ndjson { 1 } else { 2 };
        let mut planted: Vec<_> = self.planted.clone();
        planted.sort();
        // Rows planted earlier shift later ones down: positions are final after all inserts.
        for (k, (at, field)) in planted.iter().enumerate() {
            let _ = k;
            out.planted.push(Planted {
                file: self.file.to_owned(),
                line: (*at as u64) + first,
                field: (*field).to_owned(),
            });
        }
        out.files.push(ExportFile {
            file: self.file.to_owned(),
            map: format!("maps/{}.toml", self.map),
            rows: self.len() as u64,
        });
        Ok(())
    }
}

/// Identifier columns of a CSV export: one column per kind and occurrence (`phone`, `phone_2`).
struct IdColumns {
    cols: Vec<(IdKind, usize)>,
}

impl IdColumns {
    fn new<'e>(events: impl Iterator<Item = &'e Event>) -> IdColumns {
        let mut max: BTreeMap<IdKind, usize> = BTreeMap::new();
        for e in events {
            let mut n: BTreeMap<IdKind, usize> = BTreeMap::new();
            for i in e.identifiers() {
                *n.entry(i.kind).or_default() += 1;
            }
            for (k, c) in n {
                let m = max.entry(k).or_default();
                *m = (*m).max(c);
            }
        }
        IdColumns {
            cols: max
                .into_iter()
                .flat_map(|(k, n)| (0..n).map(move |i| (k, i)))
                .collect(),
        }
    }

    /// The same columns without those of `kind` (written elsewhere in the row).
    fn without(mut self, kind: IdKind) -> IdColumns {
        self.cols.retain(|(k, _)| *k != kind);
        self
    }

    fn name(kind: IdKind, i: usize) -> String {
        if i == 0 {
            kind.as_str().to_owned()
        } else {
            format!("{}_{}", kind.as_str(), i + 1)
        }
    }

    fn header(&self) -> Vec<String> {
        self.cols.iter().map(|(k, i)| Self::name(*k, *i)).collect()
    }

    fn cells(&self, ids: &[Identifier]) -> Vec<String> {
        self.cols
            .iter()
            .map(|(k, i)| {
                ids.iter()
                    .filter(|x| x.kind == *k)
                    .nth(*i)
                    .map(|x| x.value.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The `[identifiers]` table of a map for these columns (`column` names where a column is).
    fn toml(&self, column: impl Fn(&str) -> String) -> String {
        let mut by_kind: BTreeMap<IdKind, Vec<String>> = BTreeMap::new();
        for (k, i) in &self.cols {
            by_kind
                .entry(*k)
                .or_default()
                .push(column(&Self::name(*k, *i)));
        }
        let mut s = String::from("[identifiers]\n");
        for (k, cols) in by_kind {
            let spec = |c: &str| {
                if k == IdKind::Phone {
                    format!("{{ column = \"{c}\", default_country = \"VN\" }}")
                } else {
                    format!("\"{c}\"")
                }
            };
            let specs: Vec<String> = cols.iter().map(|c| spec(c)).collect();
            if specs.len() == 1 {
                s.push_str(&format!("{} = {}\n", k.as_str(), specs[0]));
            } else {
                s.push_str(&format!("{} = [{}]\n", k.as_str(), specs.join(", ")));
            }
        }
        s
    }
}

fn consent_yn(e: &Event) -> (&'static str, &'static str) {
    let g = e.consent().and_then(|c| c.gcm);
    let yn = |s: Option<crate::consent::ConsentState>| match s {
        Some(crate::consent::ConsentState::Granted) => "Y",
        Some(crate::consent::ConsentState::Denied) => "N",
        _ => "",
    };
    (
        yn(g.map(|g| g.ad_user_data)),
        yn(g.map(|g| g.analytics_storage)),
    )
}

const CONSENT_TOML: &str = r#"[consent]
ad_storage         = { column = "marketing_opt_in", values = ["Y"] }
ad_user_data       = { column = "marketing_opt_in", values = ["Y"] }
ad_personalization = { column = "marketing_opt_in", values = ["Y"] }
analytics_storage  = { column = "analytics_opt_in", values = ["Y"] }
"#;

/// Which export an event goes to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dest {
    Pos,
    Wifi,
    App,
    Accounts,
    Ga4,
    Display(usize),
    Search(usize),
    Email(usize),
    Messaging(usize),
}

fn dest(c: &Campaign, e: &Event) -> Dest {
    match e {
        Event::CheckIn(ci) => match ci.method {
            CheckInMethod::PosPurchase | CheckInMethod::VoucherRedemption => Dest::Pos,
            CheckInMethod::WifiJoin => Dest::Wifi,
            _ => Dest::App,
        },
        Event::ProductView(_) => Dest::Ga4,
        Event::Touchpoint(t) => {
            if t.action == TouchAction::SignUp {
                return Dest::Accounts;
            }
            let ch = c.config.channels.iter().position(|s| s.name == t.channel);
            match ch {
                None => Dest::Ga4,
                Some(_) if t.action == TouchAction::Visit => Dest::Ga4,
                Some(i) => match c.config.channels[i].style {
                    ChannelStyle::Display => Dest::Display(i),
                    ChannelStyle::Search => Dest::Search(i),
                    ChannelStyle::Email => Dest::Email(i),
                    ChannelStyle::Messaging => Dest::Messaging(i),
                },
            }
        }
    }
}

/// Write the campaign's raw exports and their maps into `dir` (created when absent).
pub fn write_exports(c: &Campaign, dir: &Path) -> Result<Exports, ExportError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| ExportError { path, source }
    };
    std::fs::create_dir_all(dir.join("maps")).map_err(io(dir))?;
    let mut by: BTreeMap<Dest, Vec<(usize, &Event)>> = BTreeMap::new();
    for (i, e) in c.events.iter().enumerate() {
        by.entry(dest(c, e)).or_default().push((i, e));
    }
    let mut out = Exports::default();
    let mut maps: Vec<(String, String)> = Vec::new();
    let empty = Vec::new();
    let get = |d: Dest| by.get(&d).unwrap_or(&empty);

    // The CRM's consent table first: later rows without consent of their own rely on it.
    let consent = crm_consent(c);
    consent.write(dir, &mut out)?;
    maps.push(("crm_consent".into(), CRM_CONSENT_MAP.into()));
    let holdout = holdout(c);
    holdout.write(dir, &mut out)?;
    maps.push(("holdout".into(), HOLDOUT_MAP.into()));

    let (sheet, map) = pos(get(Dest::Pos));
    sheet.write(dir, &mut out)?;
    maps.push(("pos".into(), map));
    let (sheet, map) = wifi(get(Dest::Wifi));
    sheet.write(dir, &mut out)?;
    maps.push(("wifi".into(), map));
    let (sheet, map) = app(get(Dest::App));
    sheet.write(dir, &mut out)?;
    maps.push(("app".into(), map));
    let (sheet, map) = accounts(get(Dest::Accounts));
    sheet.write(dir, &mut out)?;
    maps.push(("accounts".into(), map));
    let (sheet, map) = ga4(get(Dest::Ga4));
    sheet.write(dir, &mut out)?;
    maps.push(("ga4".into(), map));
    for (i, spec) in c.config.channels.iter().enumerate() {
        let (file, map_name): (&'static str, &'static str) = leak_names(&spec.name, spec.style);
        let (sheet, map) = match spec.style {
            ChannelStyle::Display => display(get(Dest::Display(i)), &spec.name, file, map_name),
            ChannelStyle::Search => search(get(Dest::Search(i)), &spec.name, file, map_name),
            ChannelStyle::Email => email(get(Dest::Email(i)), &spec.name, file, map_name),
            ChannelStyle::Messaging => {
                messaging(get(Dest::Messaging(i)), &spec.name, file, map_name)
            }
        };
        sheet.write(dir, &mut out)?;
        maps.push((map_name.to_owned(), map));
    }
    let spend = spend(c);
    spend.write(dir, &mut out)?;
    maps.push(("spend".into(), SPEND_MAP.into()));
    for (name, text) in maps {
        let p = dir.join("maps").join(format!("{name}.toml"));
        std::fs::write(&p, text).map_err(io(&p))?;
    }
    // Exchange rates for `o2o report --currency USD --rates rates.csv` (not a store record).
    let p = dir.join("rates.csv");
    let day = iso_local(c.config.start - 90 * 86_400);
    let day = day.split(' ').next().unwrap_or_default();
    std::fs::write(
        &p,
        format!("currency,date,rate\nUSD,{day},1\nVND,{day},{VND_PER_USD}\n"),
    )
    .map_err(io(&p))?;
    let p = dir.join("planted.json");
    let text = serde_json::to_string_pretty(&out).map_err(|e| ExportError {
        path: p.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    std::fs::write(&p, text).map_err(io(&p))?;
    Ok(out)
}

/// File and map names of a channel's export, kept for the life of the process (a handful of
/// channel names per run).
fn leak_names(channel: &str, style: ChannelStyle) -> (&'static str, &'static str) {
    let (file, map) = match style {
        ChannelStyle::Display => (
            format!("{channel}_exposure.csv"),
            format!("{channel}_exposure"),
        ),
        ChannelStyle::Search => (format!("{channel}_clicks.csv"), format!("{channel}_clicks")),
        ChannelStyle::Email => (format!("{channel}_esp.csv"), format!("{channel}_esp")),
        ChannelStyle::Messaging => (format!("{channel}.ndjson"), channel.to_owned()),
    };
    (
        Box::leak(file.into_boxed_str()),
        Box::leak(map.into_boxed_str()),
    )
}

/// How many bad rows to plant among `n`: one per 500 rows, none in files too small to take
/// one under the default 5 % threshold.
fn plants(n: usize) -> usize {
    if n < 40 { 0 } else { (n / 500).max(1) }
}

fn spread(n: usize, k: usize, j: usize) -> usize {
    (j + 1) * n / (k + 1)
}

fn pos(events: &[(usize, &Event)]) -> (Sheet, String) {
    // The redeemed code has its own column, read both as the voucher and as its identifier.
    let ids = IdColumns::new(events.iter().map(|(_, e)| *e)).without(IdKind::VoucherCode);
    let code_id = events
        .iter()
        .any(|(_, e)| e.identifiers().iter().any(|i| i.kind.is_instrument()));
    let mut header: Vec<String> = [
        "receipt_id",
        "ts",
        "store_id",
        "region",
        "sale_type",
        "total",
        "currency",
        "sku",
        "qty",
        "unit_price",
        "voucher_code",
        "campaign",
        "marketing_opt_in",
        "analytics_opt_in",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(ids.header());
    let mut sheet = Sheet::csv("pos.csv", "pos", b';', &[]);
    sheet.header = header;
    for (n, e) in events {
        let Event::CheckIn(ci) = e else { continue };
        let (mk, an) = consent_yn(e);
        let (sku, qty, price) = match ci.items.first() {
            Some(i) => (i.sku.clone(), i.quantity.to_string(), vn_number(i.price)),
            None => (String::new(), String::new(), String::new()),
        };
        let (y, mo, d, h, mi, s) = local(ci.timestamp);
        let mut row = vec![
            format!("R{n:09}"),
            format!("{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}:{s:02}"),
            ci.store.clone(),
            ci.region.clone().unwrap_or_default(),
            if ci.method == CheckInMethod::VoucherRedemption {
                "voucher"
            } else {
                "sale"
            }
            .to_owned(),
            ci.value.map(vn_number).unwrap_or_default(),
            ci.currency.clone().unwrap_or_default(),
            sku,
            qty,
            price,
            ci.voucher.clone().unwrap_or_default(),
            ci.campaign.clone().unwrap_or_default(),
            mk.to_owned(),
            an.to_owned(),
        ];
        row.extend(ids.cells(&ci.identifiers));
        sheet.rows.push(row);
    }
    let template = sheet.rows.first().cloned().unwrap_or_default();
    let k = plants(sheet.rows.len());
    let n = sheet.rows.len();
    for j in 0..k {
        let mut bad = template.clone();
        if let Some(c) = bad.first_mut() {
            *c = format!("BAD{j:06}");
        }
        let field = if j % 2 == 0 {
            if let Some(c) = bad.get_mut(1) {
                *c = "31/02/2026 10:00:00".to_owned();
            }
            "fields.timestamp"
        } else {
            if let Some(c) = bad.get_mut(5) {
                *c = "-12,50".to_owned();
            }
            "fields.value"
        };
        sheet.plant_csv(spread(n, k, j) + j, bad, field);
    }
    let map = format!(
        r#"# The POS export: semicolons, local times, Vietnamese numbers, one row per receipt line.
[source]
name = "pos"
format = "csv"
produces = "checkin"
timezone = "{TIMEZONE}"
delimiter = ";"
dedupe = ["receipt_id"]

[fields]
timestamp = {{ column = "ts", format = "%d/%m/%Y %H:%M:%S" }}
id        = "receipt_id"
store     = "store_id"
region    = "region"
method    = {{ column = "sale_type", map = {{ "sale" = "pos_purchase", "voucher" = "voucher_redemption" }}, map_strict = true }}
value     = {{ column = "total", decimal = ",", thousands = "." }}
currency  = "currency"
sku       = "sku"
quantity  = "qty"
price     = {{ column = "unit_price", decimal = ",", thousands = "." }}
voucher   = "voucher_code"
campaign  = "campaign"

{}{}
{CONSENT_TOML}"#,
        ids.toml(|c| c.to_owned()),
        if code_id {
            "voucher_code = \"voucher_code\"\n"
        } else {
            ""
        }
    );
    (sheet, map)
}

fn wifi(events: &[(usize, &Event)]) -> (Sheet, String) {
    let ids = IdColumns::new(events.iter().map(|(_, e)| *e));
    let mut sheet = Sheet::csv("wifi.csv", "wifi", b',', &[]);
    let mut header: Vec<String> = [
        "session_id",
        "login_time",
        "ap_name",
        "marketing_opt_in",
        "analytics_opt_in",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend(ids.header());
    sheet.header = header;
    for (n, e) in events {
        let Event::CheckIn(ci) = e else { continue };
        let (mk, an) = consent_yn(e);
        let mut row = vec![
            format!("W{n:09}"),
            ci.timestamp.to_string(),
            format!("ap-{}", ci.store.to_lowercase()),
            mk.to_owned(),
            an.to_owned(),
        ];
        row.extend(ids.cells(&ci.identifiers));
        sheet.rows.push(row);
    }
    let n = sheet.rows.len();
    let k = plants(n);
    let template = sheet.rows.first().cloned().unwrap_or_default();
    for j in 0..k {
        let mut bad = template.clone();
        bad[0] = format!("BAD{j:06}");
        bad[1] = "not-a-time".to_owned();
        sheet.plant_csv(spread(n, k, j) + j, bad, "fields.timestamp");
    }
    let map = format!(
        r#"# The captive-portal Wi-Fi log: epoch seconds, the access point's name, the device's MAC.
[source]
name = "wifi"
format = "csv"
produces = "checkin"
dedupe = ["session_id"]

[fields]
timestamp = {{ column = "login_time", unit = "s" }}
id        = "session_id"
store     = {{ column = "ap_name", trim = true }}
method    = {{ value = "wifi_join" }}

{}
{CONSENT_TOML}"#,
        ids.toml(|c| c.to_owned())
    );
    // The AP name carries the store id after `ap-`: map it back.
    let stores: std::collections::BTreeSet<String> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::CheckIn(c) => Some(c.store.clone()),
            _ => None,
        })
        .collect();
    let table: Vec<String> = stores
        .iter()
        .map(|s| format!("\"ap-{}\" = \"{s}\"", s.to_lowercase()))
        .collect();
    let map = map.replace(
        "store     = { column = \"ap_name\", trim = true }",
        &format!(
            "store     = {{ column = \"ap_name\", map = {{ {} }} }}",
            table.join(", ")
        ),
    );
    (sheet, map)
}

fn id_object(ids: &[Identifier]) -> Value {
    let mut m = Map::new();
    let mut n: BTreeMap<IdKind, usize> = BTreeMap::new();
    for i in ids {
        let k = n.entry(i.kind).or_default();
        m.insert(IdColumns::name(i.kind, *k), Value::String(i.value.clone()));
        *k += 1;
    }
    Value::Object(m)
}

fn json_ids_toml(events: &[(usize, &Event)], prefix: &str) -> String {
    IdColumns::new(events.iter().map(|(_, e)| *e)).toml(|c| format!("{prefix}.{c}"))
}

fn consent_object(e: &Event) -> Value {
    let (mk, an) = consent_yn(e);
    json!({"marketing_opt_in": mk, "analytics_opt_in": an})
}

const JSON_CONSENT_TOML: &str = r#"[consent]
ad_storage         = { column = "consent.marketing_opt_in", values = ["Y"] }
ad_user_data       = { column = "consent.marketing_opt_in", values = ["Y"] }
ad_personalization = { column = "consent.marketing_opt_in", values = ["Y"] }
analytics_storage  = { column = "consent.analytics_opt_in", values = ["Y"] }
"#;

fn app(events: &[(usize, &Event)]) -> (Sheet, String) {
    let mut sheet = Sheet::ndjson("app_checkins.ndjson", "app");
    for (n, e) in events {
        let Event::CheckIn(ci) = e else { continue };
        sheet.objects.push(json!({
            "id": format!("A{n:09}"),
            "at": rfc3339_local(ci.timestamp),
            "kind": ci.method.as_str(),
            "store": ci.store,
            "region": ci.region,
            "customer": id_object(&ci.identifiers),
            "consent": consent_object(e),
        }));
    }
    let n = sheet.objects.len();
    for j in 0..plants(n) {
        sheet.plant_json(
            spread(n, plants(n), j) + j,
            Value::String(format!("{{\"id\": \"BAD{j:06}\", \"at\": ")),
            "row",
        );
    }
    let map = format!(
        r#"# The store app's check-in log: QR scans at the door, product QR scans, CRM consultations.
[source]
name = "app"
format = "ndjson"
produces = "checkin"
dedupe = ["id"]

[fields]
timestamp = "at"
id        = "id"
method    = "kind"
store     = "store"
region    = "region"

{}
{JSON_CONSENT_TOML}"#,
        json_ids_toml(events, "customer")
    );
    (sheet, map)
}

fn accounts(events: &[(usize, &Event)]) -> (Sheet, String) {
    let mut sheet = Sheet::ndjson("accounts.ndjson", "accounts");
    for (n, e) in events {
        let Event::Touchpoint(t) = e else { continue };
        sheet.objects.push(json!({
            "id": format!("S{n:09}"),
            "created": iso_local(t.timestamp),
            "customer": id_object(&t.identifiers),
            "consent": consent_object(e),
        }));
    }
    let map = format!(
        r#"# Account sign-ups and loyalty enrolments from the web shop: the moment a person's card,
# CRM id, email, phone and devices are recorded together.
[source]
name = "accounts"
format = "ndjson"
produces = "touchpoint"
timezone = "{TIMEZONE}"
dedupe = ["id"]

[fields]
timestamp = "created"
id        = "id"
action    = {{ value = "sign_up" }}
channel   = {{ value = "account" }}

{}
{JSON_CONSENT_TOML}"#,
        json_ids_toml(events, "customer")
    );
    (sheet, map)
}

/// A product view as the GA4 BigQuery export's `view_item` row
/// (<https://developers.google.com/analytics/devguides/collection/ga4/reference/events#view_item>):
/// the product in `items[]`, the currency as an event parameter, identifiers as for sessions.
fn ga4_view_item(n: usize, v: &crate::event::ProductView, e: &Event) -> Value {
    let mut params = vec![json!({"key": "ga_session_id", "value": {"int_value": v.timestamp}})];
    if let Some(c) = &v.currency {
        params.push(json!({"key": "currency", "value": {"string_value": c}}));
    }
    let mut device = None;
    for (k, val) in id_object(&v.identifiers)
        .as_object()
        .cloned()
        .unwrap_or_default()
    {
        if k == "device_id" && device.is_none() {
            device = Some(val);
        } else {
            params.push(json!({"key": format!("o2o_{k}"), "value": {"string_value": val}}));
        }
    }
    let (mk, an) = consent_yn(e);
    let yes = |s: &str| match s {
        "Y" => Value::String("Yes".into()),
        "N" => Value::String("No".into()),
        _ => Value::Null,
    };
    let (y, m, d, ..) = local(v.timestamp);
    json!({
        "event_date": format!("{y:04}{m:02}{d:02}"),
        "event_timestamp": v.timestamp * 1_000_000,
        "event_name": "view_item",
        "batch_event_index": n,
        "user_pseudo_id": device,
        "privacy_info": {"ads_storage": yes(mk), "analytics_storage": yes(an)},
        "collected_traffic_source": {"manual_source": v.channel, "manual_campaign_name": v.campaign},
        "event_params": params,
        "items": [{"item_id": v.sku, "item_name": v.name, "price": v.price, "quantity": 1}],
    })
}

fn ga4(events: &[(usize, &Event)]) -> (Sheet, String) {
    let mut sheet = Sheet::ndjson("ga4.ndjson", "ga4");
    for (n, e) in events {
        if let Event::ProductView(v) = e {
            sheet.objects.push(ga4_view_item(*n, v, e));
            continue;
        }
        let Event::Touchpoint(t) = e else { continue };
        let mut params = vec![json!({"key": "ga_session_id", "value": {"int_value": t.timestamp}})];
        let mut extra = Map::new();
        let mut device = None;
        for (k, v) in id_object(&t.identifiers)
            .as_object()
            .cloned()
            .unwrap_or_default()
        {
            if k == "device_id" && device.is_none() {
                device = Some(v);
            } else {
                extra.insert(format!("o2o_{k}"), v);
            }
        }
        for (k, v) in extra {
            params.push(json!({"key": k, "value": {"string_value": v}}));
        }
        let (mk, an) = consent_yn(e);
        let yes = |s: &str| match s {
            "Y" => Value::String("Yes".into()),
            "N" => Value::String("No".into()),
            _ => Value::Null,
        };
        let mut row = json!({
            "event_date": format!("{:04}{:02}{:02}", local(t.timestamp).0, local(t.timestamp).1, local(t.timestamp).2),
            "event_timestamp": t.timestamp * 1_000_000,
            "event_name": if t.action == TouchAction::Purchase { "purchase" } else { "session_start" },
            "batch_event_index": n,
            "user_pseudo_id": device,
            "privacy_info": {"ads_storage": yes(mk), "analytics_storage": yes(an)},
            "collected_traffic_source": {"manual_source": t.channel, "manual_campaign_name": t.campaign},
            "event_params": params,
        });
        if t.action == TouchAction::Purchase
            && let Some(o) = row.as_object_mut()
        {
            o.insert(
                "ecommerce".into(),
                json!({"transaction_id": format!("T{n:09}"), "purchase_revenue": t.value}),
            );
        }
        sheet.objects.push(row);
    }
    let n = sheet.objects.len();
    for j in 0..plants(n) {
        sheet.plant_json(
            spread(n, plants(n), j) + j,
            json!({"event_name": "session_start", "event_timestamp": "yesterday", "user_pseudo_id": format!("BAD{j}")}),
            "fields.timestamp",
        );
    }
    // Identifiers other than the GA client id travel as the site's own event parameters.
    let ids = IdColumns::new(events.iter().map(|(_, e)| *e));
    let mut id_toml = String::from("[identifiers]\ndevice_id = \"user_pseudo_id\"\n");
    let mut by_kind: BTreeMap<IdKind, Vec<String>> = BTreeMap::new();
    for (k, i) in &ids.cols {
        let name = IdColumns::name(*k, *i);
        if name == "device_id" {
            continue;
        }
        let col = format!("\"param.o2o_{name}\"");
        by_kind.entry(*k).or_default().push(if *k == IdKind::Phone {
            format!("{{ column = {col}, default_country = \"VN\" }}")
        } else {
            col
        });
    }
    for (k, cols) in by_kind {
        if k == IdKind::DeviceId {
            id_toml = format!(
                "[identifiers]\ndevice_id = [\"user_pseudo_id\", {}]\n",
                cols.join(", ")
            );
            continue;
        }
        if cols.len() == 1 {
            id_toml.push_str(&format!("{} = {}\n", k.as_str(), cols[0]));
        } else {
            id_toml.push_str(&format!("{} = [{}]\n", k.as_str(), cols.join(", ")));
        }
    }
    let map = format!(
        r#"# The GA4 BigQuery export of the web shop: sessions with their traffic source, purchases.
[source]
name = "ga4"
format = "ga4"

{id_toml}
[consent]
ad_storage         = {{ column = "privacy_info.ads_storage", values = ["Yes"] }}
ad_user_data       = {{ column = "privacy_info.ads_storage", values = ["Yes"] }}
ad_personalization = {{ column = "privacy_info.ads_storage", values = ["Yes"] }}
analytics_storage  = {{ column = "privacy_info.analytics_storage", values = ["Yes"] }}
"#
    );
    (sheet, map)
}

fn display(
    events: &[(usize, &Event)],
    channel: &str,
    file: &'static str,
    map_name: &'static str,
) -> (Sheet, String) {
    let ids = IdColumns::new(events.iter().map(|(_, e)| *e));
    // Each platform writes time its own way.
    let (time_col, time_spec, fmt): (&str, String, fn(i64) -> String) = match channel {
        "facebook" => (
            "reporting_time",
            "{ column = \"reporting_time\", format = \"%Y-%m-%d %H:%M:%S\" }".to_string(),
            iso_local,
        ),
        "tiktok" => (
            "stat_time_ms",
            "{ column = \"stat_time_ms\", unit = \"ms\" }".to_owned(),
            |t| (t * 1000).to_string(),
        ),
        _ => ("event_time", "\"event_time\"".to_owned(), rfc3339_local),
    };
    let mut sheet = Sheet::csv(file, map_name, b',', &[]);
    let mut header: Vec<String> = ["row_id", time_col, "event", "campaign", "cost"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(ids.header());
    sheet.header = header;
    for (n, e) in events {
        let Event::Touchpoint(t) = e else { continue };
        let mut row = vec![
            format!("X{n:09}"),
            fmt(t.timestamp),
            t.action.as_str().to_owned(),
            t.campaign.clone().unwrap_or_default(),
            t.cost.map(|c| c.to_string()).unwrap_or_default(),
        ];
        row.extend(ids.cells(&t.identifiers));
        sheet.rows.push(row);
    }
    let n = sheet.rows.len();
    let k = plants(n);
    let template = sheet.rows.first().cloned().unwrap_or_default();
    for j in 0..k {
        let mut bad = template.clone();
        bad[0] = format!("BAD{j:06}");
        bad[1] = "2026-13-45".to_owned();
        sheet.plant_csv(spread(n, k, j) + j, bad, "fields.timestamp");
    }
    let map = format!(
        r#"# {channel}: the platform's exposure export (impressions and clicks with the device's
# advertising id). It carries no consent: the CRM's consent table and the person decide.
# The platform split the campaign's audience at random (a conversion-lift study).
[source]
name = "{map_name}"
format = "csv"
produces = "touchpoint"
timezone = "{TIMEZONE}"
dedupe = ["row_id"]
exposure = "randomised"

[fields]
timestamp = {time_spec}
id        = "row_id"
action    = "event"
channel   = {{ value = "{channel}" }}
campaign  = "campaign"
cost      = "cost"

{}"#,
        ids.toml(|c| c.to_owned())
    );
    (sheet, map)
}

fn search(
    events: &[(usize, &Event)],
    channel: &str,
    file: &'static str,
    map_name: &'static str,
) -> (Sheet, String) {
    let (mut sheet, map) = display(events, channel, file, map_name);
    sheet.header[1] = "Click time".to_owned();
    // Search ads reach whoever searches: exposure follows intent and was not randomised.
    let map = map
        .replace("\"event_time\"", "\"Click time\"")
        .replace(
            "exposure export (impressions and clicks",
            "click export (paid search clicks",
        )
        .replace(
            "# The platform split the campaign's audience at random (a conversion-lift study).\n",
            "# Whoever searched saw the ad: exposure follows intent, it was not randomised.\n",
        )
        .replace("exposure = \"randomised\"\n", "");
    (sheet, map)
}

fn email(
    events: &[(usize, &Event)],
    channel: &str,
    file: &'static str,
    map_name: &'static str,
) -> (Sheet, String) {
    let mut sheet = Sheet::csv(
        file,
        map_name,
        b',',
        &[
            "message_id",
            "opened_at",
            "event",
            "campaign",
            "cost",
            "email_sha256",
            "device_id",
            "marketing_opt_in",
            "analytics_opt_in",
        ],
    );
    for (n, e) in events {
        let Event::Touchpoint(t) = e else { continue };
        let email = t
            .identifiers
            .iter()
            .find(|i| i.kind == IdKind::Email)
            .and_then(|i| normalize(IdKind::Email, &i.value, &NormalizeOptions::default()).ok())
            .map(|v| sha256_hex(&v))
            .unwrap_or_default();
        let device = t
            .identifiers
            .iter()
            .find(|i| i.kind == IdKind::DeviceId)
            .map(|i| i.value.clone())
            .unwrap_or_default();
        let (mk, an) = consent_yn(e);
        sheet.rows.push(vec![
            format!("M{n:09}"),
            rfc3339_utc(t.timestamp),
            t.action.as_str().to_owned(),
            t.campaign.clone().unwrap_or_default(),
            t.cost.map(|c| c.to_string()).unwrap_or_default(),
            email,
            device,
            mk.to_owned(),
            an.to_owned(),
        ]);
    }
    let map = format!(
        r#"# {channel}: the email platform's log. Addresses are exported as the SHA-256 of the
# normalised address; o2o links them to the customer whose address hashes to it.
# The send list was a random draw of the campaign's targets.
[source]
name = "{map_name}"
format = "csv"
produces = "touchpoint"
dedupe = ["message_id"]
exposure = "randomised"

[fields]
timestamp = "opened_at"
id        = "message_id"
action    = "event"
channel   = {{ value = "{channel}" }}
campaign  = "campaign"
cost      = "cost"

[identifiers]
email_sha256 = "email_sha256"
device_id    = "device_id"

{CONSENT_TOML}"#
    );
    (sheet, map)
}

fn messaging(
    events: &[(usize, &Event)],
    channel: &str,
    file: &'static str,
    map_name: &'static str,
) -> (Sheet, String) {
    let mut sheet = Sheet::ndjson(file, map_name);
    for (n, e) in events {
        let Event::Touchpoint(t) = e else { continue };
        sheet.objects.push(json!({
            "event_id": format!("Z{n:09}"),
            "sent_at": rfc3339_local(t.timestamp),
            "oa_event": match t.action { TouchAction::VoucherClaim => "voucher_claim", _ => "message_open" },
            "campaign": t.campaign,
            "cost": t.cost,
            "follower": id_object(&t.identifiers),
            "consent": consent_object(e),
        }));
    }
    let map = format!(
        r#"# {channel}: the messaging app's official-account log (message opens, voucher claims).
# The send list was a random draw of the campaign's targets.
[source]
name = "{map_name}"
format = "ndjson"
produces = "touchpoint"
dedupe = ["event_id"]
exposure = "randomised"

[fields]
timestamp = "sent_at"
id        = "event_id"
action    = {{ column = "oa_event", map = {{ "message_open" = "open", "voucher_claim" = "voucher_claim" }}, map_strict = true }}
channel   = {{ value = "{channel}" }}
campaign  = "campaign"
cost      = "cost"

{}
{JSON_CONSENT_TOML}"#,
        json_ids_toml(events, "follower")
    );
    (sheet, map)
}

fn person_key(c: &Campaign, person: u64) -> Option<(IdKind, String)> {
    let p = c.truth.persons.get(person as usize)?;
    [
        IdKind::ExternalId,
        IdKind::LoyaltyCard,
        IdKind::Email,
        IdKind::Phone,
    ]
    .into_iter()
    .find_map(|k| {
        p.identifiers
            .iter()
            .find(|i| i.kind == k)
            .map(|i| (k, i.value.clone()))
    })
}

fn holdout(c: &Campaign) -> Sheet {
    let mut sheet = Sheet::csv(
        "holdout.csv",
        "holdout",
        b',',
        &["member", "member_type", "group", "assigned_at"],
    );
    let at = iso_local(c.config.start - 86_400);
    for AudienceRow { person, group, .. } in &c.audience {
        let Some((kind, value)) = person_key(c, *person) else {
            continue;
        };
        sheet.rows.push(vec![
            value,
            kind.as_str().to_owned(),
            match group {
                Group::Holdout => "holdout",
                Group::Target => "target",
            }
            .to_owned(),
            at.clone(),
        ]);
    }
    let n = sheet.rows.len();
    let k = plants(n);
    let template = sheet.rows.first().cloned().unwrap_or_default();
    for j in 0..k {
        let mut bad = template.clone();
        bad[2] = "maybe".to_owned();
        sheet.plant_csv(spread(n, k, j) + j, bad, "fields.group");
    }
    sheet
}

const HOLDOUT_MAP: &str = r#"# The campaign's holdout list: every customer assigned to the target group or the global
# holdout, keyed by their strongest identifier.
[source]
name = "holdout"
format = "csv"
produces = "assignment"
timezone = "Asia/Ho_Chi_Minh"
dedupe = ["member", "member_type"]

[fields]
timestamp = "assigned_at"
group     = "group"

[identifiers]
external_id  = { column = "member", when = { column = "member_type", equals = "external_id" } }
loyalty_card = { column = "member", when = { column = "member_type", equals = "loyalty_card" } }
email        = { column = "member", when = { column = "member_type", equals = "email" } }
phone        = { column = "member", when = { column = "member_type", equals = "phone" }, default_country = "VN" }
"#;

fn crm_consent(c: &Campaign) -> Sheet {
    let mut sheet = Sheet::csv(
        "crm_consent.csv",
        "crm_consent",
        b',',
        &[
            "customer_id",
            "card_no",
            "email",
            "phone",
            "opt_in",
            "updated",
        ],
    );
    let at = iso_local(c.config.start - 30 * 86_400);
    for p in &c.truth.persons {
        let first = |k: IdKind| {
            p.identifiers
                .iter()
                .find(|i| i.kind == k)
                .map(|i| i.value.clone())
                .unwrap_or_default()
        };
        let row = vec![
            first(IdKind::ExternalId),
            first(IdKind::LoyaltyCard),
            first(IdKind::Email),
            first(IdKind::Phone),
            if p.consent { "yes" } else { "no" }.to_owned(),
            at.clone(),
        ];
        if row[..4].iter().all(String::is_empty) {
            continue;
        }
        sheet.rows.push(row);
    }
    let n = sheet.rows.len();
    let k = plants(n);
    let template = sheet.rows.first().cloned().unwrap_or_default();
    for j in 0..k {
        let mut bad = template.clone();
        bad[5] = "last tuesday".to_owned();
        sheet.plant_csv(spread(n, k, j) + j, bad, "fields.timestamp");
    }
    sheet
}

const CRM_CONSENT_MAP: &str = r#"# The CRM's consent table: each customer's marketing opt-in, for all their identifiers.
[source]
name = "crm_consent"
format = "csv"
produces = "consent"
timezone = "Asia/Ho_Chi_Minh"

[fields]
timestamp = { column = "updated", format = "%Y-%m-%d %H:%M:%S" }

[identifiers]
external_id  = "customer_id"
loyalty_card = "card_no"
email        = "email"
phone        = { column = "phone", default_country = "VN" }

[consent]
granted = { column = "opt_in", values = ["yes"] }
"#;

fn spend(c: &Campaign) -> Sheet {
    // Spend per local day, channel and campaign, from the touches' costs. The social platforms
    // bill in đồng, the others in dollars.
    let mut by: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for e in &c.events {
        let Event::Touchpoint(t) = e else { continue };
        let Some(cost) = t.cost else { continue };
        let (y, m, d, ..) = local(t.timestamp);
        *by.entry((
            format!("{y:04}-{m:02}-{d:02}"),
            t.channel.clone(),
            t.campaign.clone().unwrap_or_default(),
        ))
        .or_default() += cost;
    }
    let mut sheet = Sheet::csv(
        "spend.csv",
        "spend",
        b',',
        &["date", "channel", "campaign", "amount", "currency"],
    );
    for ((day, ch, camp), usd) in by {
        let vnd = matches!(ch.as_str(), "facebook" | "tiktok" | "zalo");
        let (amount, cur) = if vnd {
            (format!("{:.0}", usd * VND_PER_USD), "VND")
        } else {
            (format!("{:.2}", usd), "USD")
        };
        sheet.rows.push(vec![day, ch, camp, amount, cur.to_owned()]);
    }
    let n = sheet.rows.len();
    let k = plants(n);
    let template = sheet.rows.first().cloned().unwrap_or_default();
    for j in 0..k {
        let mut bad = template.clone();
        bad[0] = format!("2026-02-{:02}", 1 + j % 27);
        bad[4] = "DONG".to_owned();
        sheet.plant_csv(spread(n, k, j) + j, bad, "fields.currency");
    }
    sheet
}

const SPEND_MAP: &str = r#"# Daily spend per channel and campaign, in the currency each platform bills in.
[source]
name = "spend"
format = "csv"
produces = "spend"
timezone = "Asia/Ho_Chi_Minh"
dedupe = ["date", "channel", "campaign"]

[fields]
timestamp = "date"
channel   = "channel"
campaign  = "campaign"
value     = "amount"
currency  = "currency"
"#;

/// The campaign's assignments (every customer in the target group or the global holdout, by
/// their strongest identifier) and its spend per local day, channel and campaign (in USD): what
/// a store of the simulated campaign holds beside the events.
#[must_use]
pub fn side_records(c: &Campaign) -> Vec<crate::event::Record> {
    use crate::event::{Assignment, AssignmentGroup, Record, SpendRecord};
    let mut out = Vec::new();
    let at = c.config.start - 86_400;
    for row in &c.audience {
        if let Some((kind, value)) = person_key(c, row.person) {
            out.push(Record::Assignment(Assignment {
                timestamp: at,
                identifiers: vec![Identifier::new(kind, value)],
                campaign: None,
                group: match row.group {
                    Group::Holdout => AssignmentGroup::Holdout,
                    Group::Target => AssignmentGroup::Target,
                },
            }));
        }
    }
    let mut by: BTreeMap<(i64, String, String), f64> = BTreeMap::new();
    for e in &c.events {
        let Event::Touchpoint(t) = e else { continue };
        let Some(cost) = t.cost else { continue };
        let day = (t.timestamp + UTC_OFFSET).div_euclid(86_400);
        *by.entry((
            day,
            t.channel.clone(),
            t.campaign.clone().unwrap_or_default(),
        ))
        .or_default() += cost;
    }
    for ((day, channel, campaign), value) in by {
        let (y, m, d, ..) = local(day * 86_400 - UTC_OFFSET);
        out.push(Record::Spend(SpendRecord {
            day: format!("{y:04}-{m:02}-{d:02}"),
            timestamp: day * 86_400 - UTC_OFFSET,
            channel,
            campaign: (!campaign.is_empty()).then_some(campaign),
            value,
            currency: "USD".to_owned(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_and_numbers() {
        // 2026-03-01T00:00:00Z is 07:00 in Ho Chi Minh City.
        assert_eq!(iso_local(1_772_323_200), "2026-03-01 07:00:00");
        assert_eq!(rfc3339_utc(1_772_323_200), "2026-03-01T00:00:00Z");
        assert_eq!(local(951_782_400).0, 2000); // 2000-02-29T00:00Z
        assert_eq!(vn_number(1_250_000.5), "1.250.000,5");
        assert_eq!(vn_number(38.25), "38,25");
        assert_eq!(vn_number(999.0), "999");
    }
}
