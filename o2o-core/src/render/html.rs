//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no
//! font or image fetched from anywhere — it opens from an email attachment and prints on A4.
//! Every number shown carries its JSON path and raw value (`data-path`, `data-value`) so a
//! reader can check it against the report's JSON.

use super::format::{count_digits, date_words, minor_digits, money, percent, thousands};
use super::svg::{Bar, Columns, HBars, Lines, Row, esc};
use super::view::ReportView;
use super::words::{HOW_TO_READ, headline};
use std::fmt::Write as _;

const CSS: &str = r#"
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0 auto;max-width:820px;padding:24px 20px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}
.meta{color:#555;margin:0 0 12px}
.headline{list-style:none;padding:0;margin:12px 0}
.headline li{padding:8px 12px;margin:6px 0;border-left:5px solid #999;background:#f6f6f6}
.headline li.good{border-color:#009E73;background:#eef8f4}
.headline li.bad{border-color:#D55E00;background:#fbf0ea}
.chart{margin:8px 0 4px;break-inside:avoid}
.chart p{margin:2px 0 0;color:#555;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:12px;break-inside:auto}
th,td{padding:3px 6px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td[data-path],.num{white-space:nowrap}
dl.read dt{font-weight:600;margin-top:6px}
dl.read dd{margin:0 0 4px 0}
footer{color:#666;font-size:12px;margin-top:24px}
@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}tr{break-inside:avoid}.chart{break-inside:avoid}}
"#;

/// A number as shown, with its path and raw value.
fn n(path: &str, value: f64, shown: &str) -> String {
    format!(
        "<span class=\"num\" data-path=\"{}\" data-value=\"{value}\">{}</span>",
        esc(path),
        esc(shown)
    )
}

/// A table cell holding a number.
fn td(path: &str, value: f64, shown: &str) -> String {
    format!(
        "<td class=\"n\" data-path=\"{}\" data-value=\"{value}\">{}</td>",
        esc(path),
        esc(shown)
    )
}

/// A count: a whole number with thousands separators.
fn count_td(path: &str, n: f64) -> String {
    td(path, n, &thousands(n, 0))
}

fn td_text(s: &str) -> String {
    format!("<td>{}</td>", esc(s))
}

fn th(cols: &[&str], numeric_from: usize) -> String {
    let mut s = String::from("<tr>");
    for (i, c) in cols.iter().enumerate() {
        let _ = write!(
            s,
            "<th{}>{}</th>",
            if i >= numeric_from {
                " class=\"n\""
            } else {
                ""
            },
            esc(c)
        );
    }
    s.push_str("</tr>");
    s
}

fn chart(out: &mut String, svg: &str, caption: &str) {
    let _ = write!(
        out,
        "<figure class=\"chart\" style=\"margin:0\">{svg}<p>{}</p></figure>",
        esc(caption)
    );
}

/// Render the page.
#[must_use]
pub fn render(v: &ReportView) -> String {
    let cur = v.currency.as_str();
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"><title>{}</title><style>{CSS}</style></head><body>",
        esc(&v.title)
    );
    let _ = write!(
        o,
        "<header><h1>{}</h1><p class=\"meta\">{} to {} ({}) · population: {} · money in {}</p></header>",
        esc(&v.title),
        esc(&date_words(&v.period.from)),
        esc(&date_words(&v.period.to)),
        esc(&v.timezone),
        esc(&v.population),
        esc(if cur.is_empty() {
            "the data's currency"
        } else {
            cur
        })
    );

    // Headline.
    o.push_str("<section id=\"headline\"><h2>What the campaigns did</h2><ul class=\"headline\">");
    for s in headline(v) {
        let mut li = String::new();
        let mut nums = s.numbers.iter();
        let mut parts = s.text.split("{}");
        if let Some(p) = parts.next() {
            li.push_str(&esc(p));
        }
        for p in parts {
            if let Some(x) = nums.next() {
                li.push_str(&n(&x.path, x.value, &x.shown));
            }
            li.push_str(&esc(p));
        }
        let _ = write!(o, "<li class=\"{}\">{li}</li>", s.tone);
    }
    o.push_str("</ul>");
    if !v.truth_notes.is_empty() {
        o.push_str("<h3>Next to the simulator's truth</h3><ul>");
        for t in &v.truth_notes {
            let _ = write!(o, "<li>{}</li>", esc(t));
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");

    // Charts.
    o.push_str("<section id=\"charts\"><h2>Charts</h2>");
    let measured: Vec<(usize, &super::view::CampaignView)> = v
        .campaigns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.incremental.is_some())
        .collect();
    if measured.is_empty() {
        o.push_str("<p>No campaign has a holdout or randomised exposure: there is no incremental figure to chart.</p>");
    } else {
        let mut rows = Vec::new();
        let mut iroas = Vec::new();
        for (_, c) in &measured {
            let Some(i) = &c.incremental else { continue };
            let (val, ci) = match (i.visits, i.visits_ci, i.visitors, i.visitors_ci) {
                (Some(x), ci, _, _) => (x, ci),
                (None, _, Some(x), ci) => (x, ci),
                _ => (0.0, None),
            };
            rows.push(Row {
                label: c.label(),
                bars: vec![Bar {
                    series: 0,
                    value: val,
                    ci,
                    text: ci.map_or_else(
                        || thousands(val, count_digits(val)),
                        |[a, b]| {
                            format!(
                                "{} ({} to {})",
                                thousands(val, count_digits(val)),
                                thousands(a, 0),
                                thousands(b, 0)
                            )
                        },
                    ),
                }],
            });
            if let Some(r) = i.iroas {
                iroas.push(Row {
                    label: c.label(),
                    bars: vec![Bar {
                        series: 0,
                        value: r,
                        ci: i.iroas_ci,
                        text: i.iroas_ci.map_or_else(
                            || thousands(r, 2),
                            |[a, b]| {
                                format!(
                                    "{} ({} to {})",
                                    thousands(r, 2),
                                    thousands(a, 2),
                                    thousands(b, 2)
                                )
                            },
                        ),
                    }],
                });
            }
        }
        let what = if measured
            .iter()
            .any(|(_, c)| c.incremental.as_ref().is_some_and(|i| i.visits.is_some()))
        {
            "visits"
        } else {
            "visitors"
        };
        chart(
            &mut o,
            &HBars {
                id: "incremental".into(),
                title: format!("Incremental {what} per campaign"),
                series: vec![format!("incremental {what}")],
                rows,
                reference: None,
                dots: true,
            }
            .svg(),
            &format!(
                "Incremental {what} per campaign: the dot is the estimate, the whisker its interval. A whisker crossing zero shows no effect."
            ),
        );
        if !iroas.is_empty() {
            chart(
                &mut o,
                &HBars {
                    id: "iroas".into(),
                    title: "iROAS per campaign".into(),
                    series: vec!["iROAS".into()],
                    rows: iroas,
                    reference: Some((1.0, "pays back".into())),
                    dots: true,
                }
                .svg(),
                "Incremental revenue per unit spent. Right of the dashed line at 1 the campaign pays back its spend.",
            );
        }
    }
    let models = v.models();
    if !models.is_empty() {
        let mut series: Vec<String> = models.iter().map(|m| format!("credited: {m}")).collect();
        series.push("incremental".into());
        let rows = v
            .campaigns
            .iter()
            .map(|c| {
                let mut bars: Vec<Bar> = models
                    .iter()
                    .enumerate()
                    .map(|(k, m)| {
                        let x = c.credited.get(m).copied().unwrap_or(0.0);
                        Bar {
                            series: k,
                            value: x,
                            ci: None,
                            text: thousands(x, count_digits(x)),
                        }
                    })
                    .collect();
                if let Some(i) = &c.incremental
                    && let Some(x) = i.visits.or(i.visitors)
                {
                    let ci = i.visits_ci.or(i.visitors_ci);
                    bars.push(Bar {
                        series: models.len(),
                        value: x,
                        ci,
                        text: format!("{} incremental", thousands(x, count_digits(x))),
                    });
                }
                Row {
                    label: c.label(),
                    bars,
                }
            })
            .collect();
        chart(
            &mut o,
            &HBars {
                id: "credited".into(),
                title: "Credited visits per attribution model, beside the incremental figure"
                    .into(),
                series,
                rows,
                reference: None,
                dots: false,
            }
            .svg(),
            "Credited visits (a split of the visits that happened) beside incremental visits (what the campaign caused). A long credited bar over an incremental bar near zero is credit the campaign did not earn.",
        );
    }
    if !v.daily.is_empty() {
        chart(
            &mut o,
            &Lines {
                id: "daily".into(),
                title: "Daily visits per 1,000 people, target group and holdout".into(),
                x: v.daily.iter().map(|d| d.date.clone()).collect(),
                series: vec![
                    (
                        "target group".into(),
                        v.daily.iter().map(|d| d.target).collect(),
                    ),
                    (
                        "holdout".into(),
                        v.daily.iter().map(|d| d.holdout).collect(),
                    ),
                ],
            }
            .svg(),
            &format!(
                "Visits per day per 1,000 members of each group ({} time). The gap between the lines is what the campaigns added.",
                v.timezone
            ),
        );
    }
    let r = &v.ropo;
    chart(
        &mut o,
        &Columns {
            id: "lag".into(),
            title: "Time from online research to store purchase, and from store visit to online purchase".into(),
            categories: r.webrooming_lag.iter().map(|b| b.label.clone()).collect(),
            series: vec![
                (
                    "webrooming (online, then store)".into(),
                    r.webrooming_lag.iter().map(|b| b.count as f64).collect(),
                ),
                (
                    "showrooming (store, then online)".into(),
                    r.showrooming_lag.iter().map(|b| b.count as f64).collect(),
                ),
            ],
            unit: String::new(),
        }
        .svg(),
        "Purchases by the time since the last online research (webrooming) or store visit (showrooming).",
    );
    chart(
        &mut o,
        &HBars {
            id: "by_method".into(),
            title: "Visits by check-in method".into(),
            series: vec!["visits".into()],
            rows: v
                .visits
                .by_method
                .iter()
                .map(|(m, k)| Row {
                    label: m.replace('_', " "),
                    bars: vec![Bar {
                        series: 0,
                        value: *k as f64,
                        ci: None,
                        text: thousands(*k as f64, 0),
                    }],
                })
                .collect(),
            reference: None,
            dots: false,
        }
        .svg(),
        "How visits were recognised: a receipt at the till, a QR scan, a Wi-Fi join… A visit recognised by Wi-Fi and at the till counts under both; the table below lists the check-ins as recorded.",
    );
    let stores = top_stores(v, 20);
    if !stores.is_empty() {
        chart(
            &mut o,
            &HBars {
                id: "by_store".into(),
                title: "Visits by store".into(),
                series: vec!["visits".into()],
                rows: stores
                    .iter()
                    .map(|s| Row {
                        label: match &s.region {
                            Some(r) => format!("{} ({r})", s.store),
                            None => s.store.clone(),
                        },
                        bars: vec![Bar {
                            series: 0,
                            value: s.visits as f64,
                            ci: None,
                            text: thousands(s.visits as f64, 0),
                        }],
                    })
                    .collect(),
                reference: None,
                dots: false,
            }
            .svg(),
            if v.by_store.len() > stores.len() {
                "The 20 most visited stores; the table lists every store."
            } else {
                "Visits per store (region in brackets)."
            },
        );
    }
    o.push_str("</section>");

    tables(&mut o, v, cur);

    // How to read this.
    o.push_str("<section id=\"read\"><h2>How to read this</h2><dl class=\"read\">");
    for (t, d) in HOW_TO_READ {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(t), esc(d));
    }
    let grouping = match v.visits.visit_window_secs {
        0 => "every check-in counted as a visit".to_owned(),
        w => format!(
            "check-ins of one person at one store within {} minutes of the first are one visit (a Wi-Fi join minutes before a receipt is one visit, on the day and at the store of its first check-in)",
            w / 60
        ),
    };
    let _ = write!(
        o,
        "<dt>Visits</dt><dd>Store visits by people in the population ({}): {}; a visit is influenced when the person was touched at most {} days before.</dd></dl></section>",
        esc(&v.population),
        esc(&grouping),
        v.provenance.window_days
    );

    // Provenance.
    let p = &v.provenance;
    o.push_str("<section id=\"provenance\"><h2>Where the numbers come from</h2>");
    let _ = write!(
        o,
        "<p>Period {} to {} ({}); population: {}; {} rows read, {} rejected; identity rules fingerprint <code>{}</code>.</p>",
        esc(&date_words(&v.period.from)),
        esc(&date_words(&v.period.to)),
        esc(&v.timezone),
        esc(&v.population),
        n(
            "provenance.rows_read",
            p.rows_read as f64,
            &thousands(p.rows_read as f64, 0)
        ),
        n(
            "provenance.rows_rejected",
            p.rows_rejected as f64,
            &thousands(p.rows_rejected as f64, 0)
        ),
        esc(&p.rules_fingerprint)
    );
    if !p.sources.is_empty() {
        o.push_str("<table><thead>");
        o.push_str(&th(&["source", "file", "rows read", "rejected"], 2));
        o.push_str("</thead><tbody>");
        for (i, s) in p.sources.iter().enumerate() {
            let _ = write!(
                o,
                "<tr>{}{}{}{}</tr>",
                td_text(&s.source),
                td_text(&s.file),
                count_td(&format!("provenance.sources.{i}.rows"), s.rows as f64),
                count_td(
                    &format!("provenance.sources.{i}.rejected"),
                    s.rejected as f64
                )
            );
        }
        o.push_str("</tbody></table>");
    }
    let _ = write!(
        o,
        "</section><footer>Made by {} from the data above; no part of this page is fetched from the network.</footer></body></html>",
        esc(&p.generator)
    );
    o
}

fn top_stores(v: &ReportView, k: usize) -> Vec<&super::view::StoreVisits> {
    v.by_store.iter().take(k).collect()
}

fn tables(o: &mut String, v: &ReportView, cur: &str) {
    let md = minor_digits(cur);
    let money_td = |path: String, x: f64| td(&path, x, &money(x, cur));
    o.push_str("<section id=\"tables\"><h2>Tables</h2>");
    o.push_str("<h3>Campaigns: reach and influenced visits (an upper bound, not an effect)</h3><table><thead>");
    o.push_str(&th(
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
        2,
    ));
    o.push_str("</thead><tbody>");
    for (i, c) in v.campaigns.iter().enumerate() {
        let _ = write!(
            o,
            "<tr>{}{}{}{}{}{}{}{}</tr>",
            td_text(&c.channel),
            td_text(c.campaign.as_deref().unwrap_or("–")),
            money_td(format!("campaigns.{i}.spend"), c.spend),
            count_td(&format!("campaigns.{i}.exposed"), c.exposed as f64),
            count_td(
                &format!("campaigns.{i}.influenced.visits"),
                c.influenced.visits as f64
            ),
            money_td(
                format!("campaigns.{i}.influenced.revenue"),
                c.influenced.revenue
            ),
            count_td(
                &format!("campaigns.{i}.instrument_only.visits"),
                c.instrument_only.visits as f64
            ),
            money_td(
                format!("campaigns.{i}.instrument_only.revenue"),
                c.instrument_only.revenue
            ),
        );
    }
    o.push_str("</tbody></table>");
    o.push_str("<p class=\"meta\">Visits identified only by its own voucher: a code the campaign handed out, redeemed with nothing else to say who paid. They are real visits, but only the campaign's exposed could be identified that way, so every estimate leaves them out.</p>");

    let models = v.models();
    if !models.is_empty() {
        o.push_str("<h3>Credited visits per attribution model (a split of observed visits, not an effect)</h3><table><thead>");
        let mut cols = vec!["channel", "campaign"];
        cols.extend(models.iter().map(String::as_str));
        o.push_str(&th(&cols, 2));
        o.push_str("</thead><tbody>");
        for (i, c) in v.campaigns.iter().enumerate() {
            let _ = write!(
                o,
                "<tr>{}{}",
                td_text(&c.channel),
                td_text(c.campaign.as_deref().unwrap_or("–"))
            );
            for m in &models {
                match c.credited.get(m) {
                    Some(x) => o.push_str(&td(
                        &format!("campaigns.{i}.credited.{m}"),
                        *x,
                        &thousands(*x, 1),
                    )),
                    None => o.push_str("<td class=\"n\">–</td>"),
                }
            }
            o.push_str("</tr>");
        }
        o.push_str("</tbody></table>");
    }

    if v.campaigns.iter().any(|c| c.incremental.is_some()) {
        o.push_str(
            "<h3>Incremental: what each campaign caused, with its interval</h3><table><thead>",
        );
        o.push_str(&th(
            &[
                "campaign",
                "method",
                "extra visitors",
                "extra visits",
                "extra revenue",
                "iROAS",
                "adjusted p",
            ],
            2,
        ));
        o.push_str("</thead><tbody>");
        for (i, c) in v.campaigns.iter().enumerate() {
            let Some(x) = &c.incremental else { continue };
            let p = format!("campaigns.{i}.incremental");
            let with_ci = |key: &str,
                           val: Option<f64>,
                           ci: Option<[f64; 2]>,
                           f: &dyn Fn(f64) -> String| {
                match val {
                    None => "<td class=\"n\">–</td>".to_owned(),
                    Some(val) => {
                        let mut s =
                            format!("<td class=\"n\">{}", n(&format!("{p}.{key}"), val, &f(val)));
                        if let Some([a, b]) = ci {
                            let _ = write!(
                                s,
                                "<br>({} to {})",
                                n(&format!("{p}.{key}_ci.0"), a, &f(a)),
                                n(&format!("{p}.{key}_ci.1"), b, &f(b))
                            );
                        }
                        s.push_str("</td>");
                        s
                    }
                }
            };
            let cnt = |x: f64| thousands(x, 1);
            let mon = |x: f64| thousands(x, md);
            let ratio = |x: f64| thousands(x, 2);
            let _ = write!(
                o,
                "<tr>{}{}{}{}{}{}{}</tr>",
                td_text(&c.label()),
                td_text(&x.method.replace('_', " ")),
                with_ci("visitors", x.visitors, x.visitors_ci, &cnt),
                with_ci("visits", x.visits, x.visits_ci, &cnt),
                with_ci("revenue", Some(x.revenue), Some(x.revenue_ci), &mon),
                with_ci("iroas", x.iroas, x.iroas_ci, &ratio),
                match x.p_adjusted {
                    Some(pv) => td(&format!("{p}.p_adjusted"), pv, &format!("{pv:.4}")),
                    None => "<td class=\"n\">–</td>".to_owned(),
                }
            );
        }
        let _ = write!(
            o,
            "</tbody></table><p class=\"meta\">Revenue in {}. Intervals are {} % confidence intervals.</p>",
            esc(cur),
            v.campaigns
                .iter()
                .find_map(|c| c
                    .incremental
                    .as_ref()
                    .map(|i| format!("{:.0}", i.confidence * 100.0)))
                .unwrap_or_default()
        );
    }

    let vi = &v.visits;
    o.push_str("<h3>Store visits</h3><table><thead>");
    o.push_str(&th(&["", "value"], 1));
    let _ = write!(
        o,
        "</thead><tbody><tr><td>visits</td>{}</tr><tr><td>visits with a purchase</td>{}</tr><tr><td>revenue</td>{}</tr>",
        count_td("visits.count", vi.count as f64),
        count_td("visits.with_purchase", vi.with_purchase as f64),
        money_td("visits.revenue".into(), vi.revenue)
    );
    for (m, k) in &vi.by_method {
        let _ = write!(
            o,
            "<tr><td>visits recognised by {}</td>{}</tr>",
            esc(&m.replace('_', " ")),
            count_td(&format!("visits.by_method.{m}"), *k as f64)
        );
    }
    if vi.checkins > 0 {
        let _ = write!(
            o,
            "<tr><td>check-ins, as recorded</td>{}</tr>",
            count_td("visits.checkins", vi.checkins as f64)
        );
        for (m, k) in &vi.checkins_by_method {
            let _ = write!(
                o,
                "<tr><td>check-ins by {}</td>{}</tr>",
                esc(&m.replace('_', " ")),
                count_td(&format!("visits.checkins_by_method.{m}"), *k as f64)
            );
        }
    }
    o.push_str("</tbody></table>");

    let r = &v.ropo;
    o.push_str("<h3>Webrooming and showrooming</h3><table><thead>");
    o.push_str(&th(
        &["journey", "purchases", "after research or a visit", "share"],
        1,
    ));
    let share = |path: &str, x: Option<f64>| match x {
        Some(s) => td(path, s, &percent(s, false)),
        None => "<td class=\"n\">–</td>".to_owned(),
    };
    let _ = write!(
        o,
        "</thead><tbody><tr><td>webrooming: online research, then a store purchase</td>{}{}{}</tr><tr><td>showrooming: a store visit, then an online purchase</td>{}{}{}</tr></tbody></table>",
        count_td("ropo.offline_purchases", r.offline_purchases as f64),
        count_td("ropo.webrooming", r.webrooming as f64),
        share("ropo.webrooming_share", r.webrooming_share),
        count_td("ropo.online_purchases", r.online_purchases as f64),
        count_td("ropo.showrooming", r.showrooming as f64),
        share("ropo.showrooming_share", r.showrooming_share),
    );

    if !v.daily.is_empty() {
        o.push_str("<h3>Daily visits per 1,000 people</h3><table><thead>");
        o.push_str(&th(&["date", "target group", "holdout"], 1));
        o.push_str("</thead><tbody>");
        for (i, d) in v.daily.iter().enumerate() {
            let _ = write!(
                o,
                "<tr>{}{}{}</tr>",
                td_text(&d.date),
                td(
                    &format!("daily.{i}.target"),
                    d.target,
                    &thousands(d.target, 2)
                ),
                td(
                    &format!("daily.{i}.holdout"),
                    d.holdout,
                    &thousands(d.holdout, 2)
                )
            );
        }
        o.push_str("</tbody></table>");
    }

    if !v.by_store.is_empty() {
        o.push_str("<h3>Visits by store</h3><table><thead>");
        o.push_str(&th(
            &["store", "region", "visits", "check-ins", "revenue"],
            2,
        ));
        o.push_str("</thead><tbody>");
        for (i, s) in v.by_store.iter().enumerate() {
            let _ = write!(
                o,
                "<tr>{}{}{}{}{}</tr>",
                td_text(&s.store),
                td_text(s.region.as_deref().unwrap_or("–")),
                count_td(&format!("by_store.{i}.visits"), s.visits as f64),
                count_td(&format!("by_store.{i}.checkins"), s.checkins as f64),
                money_td(format!("by_store.{i}.revenue"), s.revenue)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");
}

/// A large synthetic view for size tests and benchmarks: 20 campaigns with three attribution
/// models and holdout estimates, 90 days, 50 stores, 15 sources.
#[doc(hidden)]
pub mod tests_support {
    use super::super::view::*;
    use crate::report::RopoReport;
    use crate::report::ropo::LagBucket;

    /// The view.
    #[must_use]
    pub fn view_20_campaigns_90_days() -> ReportView {
        let campaigns = (0..20)
            .map(|i| {
                let x = i as f64;
                CampaignView {
                    channel: format!("channel{i:02}"),
                    campaign: Some(format!("channel{i:02}-autumn-2026")),
                    spend: 12_345.67 + 1000.0 * x,
                    exposed: 40_000 + 1000 * i,
                    credited: [("last", 1.0), ("markov1", 0.9), ("shapley", 0.8)]
                        .iter()
                        .map(|(m, k)| ((*m).to_owned(), (1500.0 + 10.0 * x) * k))
                        .collect(),
                    influenced: Influenced {
                        visits: 5000 + 10 * i,
                        revenue: 123_456.78 + x,
                    },
                    instrument_only: super::super::view::InstrumentOnlyView {
                        visits: 20 + i,
                        revenue: 456.78 + x,
                    },
                    incremental: Some(IncrementalView {
                        method: "holdout".into(),
                        confidence: 0.95,
                        lift: Some(0.05 + x / 1000.0),
                        lift_ci: Some([0.01, 0.09]),
                        visitors: Some(300.0 + x),
                        visitors_ci: Some([100.0, 500.0 + x]),
                        visits: Some(400.0 + x),
                        visits_ci: Some([150.0, 650.0]),
                        revenue: 20_000.0 + 100.0 * x,
                        revenue_ci: [5_000.0, 35_000.0],
                        iroas: Some(1.6 - x / 20.0),
                        iroas_ci: Some([0.4 - x / 20.0, 2.8 - x / 20.0]),
                        p_adjusted: Some(0.01 * x),
                    }),
                }
            })
            .collect();
        let bucket = |l: &str, n: u64| LagBucket {
            label: l.to_owned(),
            count: n,
            share: Some(0.2),
        };
        let lags = || {
            [
                "[0, 1 h)",
                "[1 h, 1 d)",
                "[1 d, 3 d)",
                "[3 d, 7 d)",
                "[7 d, ∞)",
            ]
            .iter()
            .map(|l| bucket(l, 1000))
            .collect::<Vec<_>>()
        };
        ReportView {
            title: "Synthetic report".into(),
            period: Period {
                from: "2026-09-01".into(),
                to: "2026-11-29".into(),
            },
            population: "customers".into(),
            currency: "EUR".into(),
            timezone: "Europe/Paris".into(),
            holdout: None,
            campaigns,
            visits: VisitsView {
                count: 1_234_567,
                with_purchase: 654_321,
                revenue: 98_765_432.1,
                by_method: [
                    "pos_purchase",
                    "qr_scan",
                    "wifi_join",
                    "beacon",
                    "app_checkin",
                ]
                .iter()
                .map(|m| ((*m).to_owned(), 100_000))
                .collect(),
                checkins: 1_500_000,
                checkins_by_method: [
                    "pos_purchase",
                    "qr_scan",
                    "wifi_join",
                    "beacon",
                    "app_checkin",
                ]
                .iter()
                .map(|m| ((*m).to_owned(), 300_000))
                .collect(),
                visit_window_secs: 7_200,
            },
            ropo: RopoReport {
                window_days: 28,
                offline_purchases: 654_321,
                webrooming: 300_000,
                webrooming_share: Some(0.46),
                online_purchases: 100_000,
                showrooming: 20_000,
                showrooming_share: Some(0.2),
                webrooming_lag: lags(),
                showrooming_lag: lags(),
            },
            daily: (0..90)
                .map(|d| DailyVisits {
                    date: format!("2026-{:02}-{:02}", 9 + d / 30, 1 + d % 30),
                    target: 12.34 + (d % 7) as f64,
                    holdout: 11.1 + (d % 5) as f64,
                })
                .collect(),
            by_store: (0..50)
                .map(|s| StoreVisits {
                    store: format!("S{s:03}"),
                    region: Some("north".into()),
                    visits: 20_000 - 100 * s,
                    checkins: 25_000 - 100 * s,
                    revenue: 1_234_567.0,
                })
                .collect(),
            provenance: Provenance {
                sources: (0..15)
                    .map(|i| SourceView {
                        source: format!("source{i}"),
                        file: format!("export{i}.csv"),
                        rows: 1_000_000,
                        rejected: 12,
                    })
                    .collect(),
                rows_read: 15_000_000,
                rows_rejected: 180,
                rules_fingerprint: "0123456789abcdef".into(),
                window_days: 28,
                generator: "o2o".into(),
            },
            truth_notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_for_20_campaigns_and_90_days_is_under_2_mb() {
        let v = tests_support::view_20_campaigns_90_days();
        let page = render(&v);
        assert!(page.len() <= 2_000_000, "{} bytes", page.len());
        // Every campaign has its marks in each per-campaign chart, every day in the daily one.
        assert_eq!(
            page.matches("class=\"mark\" data-series=\"target group\"")
                .count(),
            90
        );
        assert_eq!(
            page.matches("class=\"mark\" data-series=\"iROAS\"").count(),
            20
        );
        assert!(!page.contains("<script"));
    }

    #[test]
    fn a_report_without_a_holdout_says_so_instead_of_guessing() {
        let mut v = tests_support::view_20_campaigns_90_days();
        for c in &mut v.campaigns {
            c.incremental = None;
        }
        let page = render(&v);
        assert!(page.contains("cannot say what they caused"));
        assert!(!page.contains("data-chart=\"iroas\""));
    }
}
