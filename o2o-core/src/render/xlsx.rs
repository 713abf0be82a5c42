//! The report's tables as an Excel workbook (rust_xlsxwriter): one sheet per table, numbers as
//! numbers, money in a number format carrying the report currency, dates as Excel dates.

use super::format::minor_digits;
use super::view::ReportView;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XlsxRenderError {
    /// The writer refused a value or could not save.
    #[error("Excel workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

struct Formats {
    bold: Format,
    money: Format,
    count: Format,
    decimal: Format,
    ratio: Format,
    percent: Format,
    date: Format,
}

impl Formats {
    fn new(currency: &str) -> Self {
        let d = minor_digits(currency);
        let frac = if d == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(d))
        };
        let money = if currency.is_empty() {
            format!("#,##0{frac}")
        } else {
            format!("#,##0{frac} \"{currency}\"")
        };
        Formats {
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format(money),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.0"),
            ratio: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.0%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }
}

fn header(ws: &mut Worksheet, f: &Formats, cols: &[&str]) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *c, &f.bold)?;
        ws.set_column_width(i as u16, (c.len() as f64 + 4.0).max(12.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn num(ws: &mut Worksheet, r: u32, c: u16, x: Option<f64>, f: &Format) -> Result<(), XlsxError> {
    if let Some(x) = x.filter(|x| x.is_finite()) {
        ws.write_number_with_format(r, c, x, f)?;
    }
    Ok(())
}

/// Sheet names, in order: what a reader of the workbook (or a test) finds.
pub const SHEETS: [&str; 9] = [
    "Campaigns",
    "Credited",
    "Incremental",
    "Visits",
    "Check-in methods",
    "ROPO lag",
    "Daily",
    "Stores",
    "Sources",
];

/// Build the workbook in memory.
pub fn workbook(v: &ReportView) -> Result<Workbook, XlsxRenderError> {
    let f = Formats::new(&v.currency);
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet().set_name(SHEETS[0])?;
    header(
        ws,
        &f,
        &[
            "channel",
            "campaign",
            "spend",
            "people reached",
            "influenced visits",
            "influenced revenue",
            "visits identified only by its own voucher",
            "their revenue",
        ],
    )?;
    for (i, c) in v.campaigns.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &c.channel)?;
        ws.write_string(r, 1, c.campaign.as_deref().unwrap_or(""))?;
        num(ws, r, 2, Some(c.spend), &f.money)?;
        num(ws, r, 3, Some(c.exposed as f64), &f.count)?;
        num(ws, r, 4, Some(c.influenced.visits as f64), &f.count)?;
        num(ws, r, 5, Some(c.influenced.revenue), &f.money)?;
        num(ws, r, 6, Some(c.instrument_only.visits as f64), &f.count)?;
        num(ws, r, 7, Some(c.instrument_only.revenue), &f.money)?;
    }

    let models = v.models();
    let ws = wb.add_worksheet().set_name(SHEETS[1])?;
    let mut cols = vec!["channel", "campaign"];
    cols.extend(models.iter().map(String::as_str));
    header(ws, &f, &cols)?;
    for (i, c) in v.campaigns.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &c.channel)?;
        ws.write_string(r, 1, c.campaign.as_deref().unwrap_or(""))?;
        for (k, m) in models.iter().enumerate() {
            num(ws, r, 2 + k as u16, c.credited.get(m).copied(), &f.decimal)?;
        }
    }

    let ws = wb.add_worksheet().set_name(SHEETS[2])?;
    header(
        ws,
        &f,
        &[
            "channel",
            "campaign",
            "method",
            "confidence",
            "lift",
            "lift low",
            "lift high",
            "visitors",
            "visitors low",
            "visitors high",
            "visits",
            "visits low",
            "visits high",
            "revenue",
            "revenue low",
            "revenue high",
            "iROAS",
            "iROAS low",
            "iROAS high",
            "adjusted p",
        ],
    )?;
    let mut r = 0u32;
    for c in &v.campaigns {
        let Some(x) = &c.incremental else { continue };
        r += 1;
        ws.write_string(r, 0, &c.channel)?;
        ws.write_string(r, 1, c.campaign.as_deref().unwrap_or(""))?;
        ws.write_string(r, 2, &x.method)?;
        num(ws, r, 3, Some(x.confidence), &f.percent)?;
        let lo = |ci: Option<[f64; 2]>| ci.map(|c| c[0]);
        let hi = |ci: Option<[f64; 2]>| ci.map(|c| c[1]);
        num(ws, r, 4, x.lift, &f.percent)?;
        num(ws, r, 5, lo(x.lift_ci), &f.percent)?;
        num(ws, r, 6, hi(x.lift_ci), &f.percent)?;
        num(ws, r, 7, x.visitors, &f.decimal)?;
        num(ws, r, 8, lo(x.visitors_ci), &f.decimal)?;
        num(ws, r, 9, hi(x.visitors_ci), &f.decimal)?;
        num(ws, r, 10, x.visits, &f.decimal)?;
        num(ws, r, 11, lo(x.visits_ci), &f.decimal)?;
        num(ws, r, 12, hi(x.visits_ci), &f.decimal)?;
        num(ws, r, 13, Some(x.revenue), &f.money)?;
        num(ws, r, 14, Some(x.revenue_ci[0]), &f.money)?;
        num(ws, r, 15, Some(x.revenue_ci[1]), &f.money)?;
        num(ws, r, 16, x.iroas, &f.ratio)?;
        num(ws, r, 17, lo(x.iroas_ci), &f.ratio)?;
        num(ws, r, 18, hi(x.iroas_ci), &f.ratio)?;
        num(
            ws,
            r,
            19,
            x.p_adjusted,
            &Format::new().set_num_format("0.0000"),
        )?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[3])?;
    header(ws, &f, &["measure", "value"])?;
    ws.write_string(1, 0, "visits")?;
    num(ws, 1, 1, Some(v.visits.count as f64), &f.count)?;
    ws.write_string(2, 0, "visits with a purchase")?;
    num(ws, 2, 1, Some(v.visits.with_purchase as f64), &f.count)?;
    ws.write_string(3, 0, "revenue")?;
    num(ws, 3, 1, Some(v.visits.revenue), &f.money)?;
    ws.write_string(4, 0, "period from")?;
    write_date(ws, 4, 1, &v.period.from, &f)?;
    ws.write_string(5, 0, "period to")?;
    write_date(ws, 5, 1, &v.period.to, &f)?;
    ws.write_string(6, 0, "population")?;
    ws.write_string(6, 1, &v.population)?;
    ws.write_string(7, 0, "currency")?;
    ws.write_string(7, 1, &v.currency)?;
    ws.write_string(8, 0, "time zone")?;
    ws.write_string(8, 1, &v.timezone)?;
    ws.write_string(9, 0, "check-ins, as recorded")?;
    num(ws, 9, 1, Some(v.visits.checkins as f64), &f.count)?;
    ws.write_string(10, 0, "visit window (minutes)")?;
    num(
        ws,
        10,
        1,
        Some((v.visits.visit_window_secs / 60) as f64),
        &f.count,
    )?;
    ws.set_column_width(0, 24)?;

    let ws = wb.add_worksheet().set_name(SHEETS[4])?;
    header(ws, &f, &["method", "visits", "check-ins"])?;
    for (i, (m, k)) in v.visits.by_method.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, m)?;
        num(ws, i as u32 + 1, 1, Some(*k as f64), &f.count)?;
        let c = v.visits.checkins_by_method.get(m).copied();
        num(ws, i as u32 + 1, 2, c.map(|c| c as f64), &f.count)?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[5])?;
    header(
        ws,
        &f,
        &[
            "lag",
            "webrooming",
            "webrooming share",
            "showrooming",
            "showrooming share",
        ],
    )?;
    for (i, (w, s)) in v
        .ropo
        .webrooming_lag
        .iter()
        .zip(&v.ropo.showrooming_lag)
        .enumerate()
    {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &w.label)?;
        num(ws, r, 1, Some(w.count as f64), &f.count)?;
        num(ws, r, 2, w.share, &f.percent)?;
        num(ws, r, 3, Some(s.count as f64), &f.count)?;
        num(ws, r, 4, s.share, &f.percent)?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[6])?;
    header(ws, &f, &["date", "target per 1,000", "holdout per 1,000"])?;
    for (i, d) in v.daily.iter().enumerate() {
        let r = i as u32 + 1;
        write_date(ws, r, 0, &d.date, &f)?;
        num(
            ws,
            r,
            1,
            Some(d.target),
            &Format::new().set_num_format("0.00"),
        )?;
        num(
            ws,
            r,
            2,
            Some(d.holdout),
            &Format::new().set_num_format("0.00"),
        )?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[7])?;
    header(
        ws,
        &f,
        &["store", "region", "visits", "revenue", "check-ins"],
    )?;
    for (i, s) in v.by_store.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &s.store)?;
        ws.write_string(r, 1, s.region.as_deref().unwrap_or(""))?;
        num(ws, r, 2, Some(s.visits as f64), &f.count)?;
        num(ws, r, 3, Some(s.revenue), &f.money)?;
        num(ws, r, 4, Some(s.checkins as f64), &f.count)?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[8])?;
    header(ws, &f, &["source", "file", "rows read", "rejected"])?;
    for (i, s) in v.provenance.sources.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &s.source)?;
        ws.write_string(r, 1, &s.file)?;
        num(ws, r, 2, Some(s.rows as f64), &f.count)?;
        num(ws, r, 3, Some(s.rejected as f64), &f.count)?;
    }
    let r = v.provenance.sources.len() as u32 + 2;
    ws.write_string(r, 0, "identity rules fingerprint")?;
    ws.write_string(r, 1, &v.provenance.rules_fingerprint)?;
    Ok(wb)
}

fn write_date(ws: &mut Worksheet, r: u32, c: u16, d: &str, f: &Formats) -> Result<(), XlsxError> {
    match ExcelDateTime::parse_from_str(d) {
        Ok(dt) => ws
            .write_datetime_with_format(r, c, &dt, &f.date)
            .map(|_| ()),
        Err(_) => ws.write_string(r, c, d).map(|_| ()),
    }
}

/// Write the workbook to `path`.
pub fn write(v: &ReportView, path: &Path) -> Result<(), XlsxRenderError> {
    workbook(v)?.save(path)?;
    Ok(())
}
