//! The report as terminal text for people: the headline first, in sentences wrapped to 100
//! columns, then narrow tables with money in the report currency and local dates.

use super::format::{count, date_words, money, percent, thousands};
use super::view::{CampaignView, ReportView};
use super::words::{HOW_TO_READ, headline};
use crate::table::Table;
use std::fmt::Write as _;

/// Widest line the text output writes.
pub const COLUMNS: usize = 100;

/// A ratio with as many decimals as it needs to be read: 2 under 10, 1 under 100, else none.
fn rt(x: f64) -> String {
    let a = x.abs();
    thousands(
        x,
        if a < 10.0 {
            2
        } else if a < 100.0 {
            1
        } else {
            0
        },
    )
}

/// Wrap `s` to `width` columns, continuation lines indented by `indent` spaces.
#[must_use]
pub fn wrap(s: &str, width: usize, first: &str, indent: usize) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut len = first.chars().count();
    let mut fresh = true;
    for w in s.split_whitespace() {
        let wl = w.chars().count();
        if !fresh && len + 1 + wl > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            len = indent;
            fresh = true;
        }
        if !fresh {
            line.push(' ');
            len += 1;
        }
        line.push_str(w);
        len += wl;
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The headline sentences as bullets, wrapped.
#[must_use]
pub fn headline_text(v: &ReportView) -> String {
    let mut o = String::new();
    for s in headline(v) {
        o.push_str(&wrap(&s.plain(), COLUMNS, "• ", 2));
    }
    o
}

/// Render the report.
#[must_use]
pub fn render(v: &ReportView) -> String {
    let cur = v.currency.as_str();
    let mut o = String::new();
    let _ = writeln!(o, "{}", v.title);
    let _ = writeln!(
        o,
        "{} to {} ({}), population: {}, money in {}\n",
        date_words(&v.period.from),
        date_words(&v.period.to),
        v.timezone,
        v.population,
        if cur.is_empty() {
            "the data's currency"
        } else {
            cur
        }
    );
    o.push_str("What the campaigns did\n");
    o.push_str(&headline_text(v));
    o.push('\n');
    o.push_str(&tables(v));
    o.push('\n');
    o.push_str(&how_to_read(v));
    o
}

/// The tables of the report, each under a line saying which kind of number it shows.
pub fn tables(v: &ReportView) -> String {
    let cur = v.currency.as_str();
    let mut o = String::new();
    let mut t = Table::new([
        "campaign",
        "spend",
        "people reached",
        "influenced visits",
        "influenced revenue",
    ]);
    for c in &v.campaigns {
        t.row([
            c.label(),
            money(c.spend, cur),
            thousands(c.exposed as f64, 0),
            thousands(c.influenced.visits as f64, 0),
            money(c.influenced.revenue, cur),
        ]);
    }
    let _ = writeln!(
        o,
        "Reach and influenced visits (visits after a touch: an upper bound, not an effect)\n{t}"
    );
    if CampaignView::any_instrument_only(&v.campaigns) {
        let mut t = Table::new([
            "campaign",
            "visits identified only by its own voucher",
            "their revenue",
        ]);
        for c in &v.campaigns {
            t.row([
                c.label(),
                thousands(c.instrument_only.visits as f64, 0),
                money(c.instrument_only.revenue, cur),
            ]);
        }
        let _ = writeln!(
            o,
            "Visits identified only by its own voucher (real visits; kept out of every estimate)\n{t}"
        );
    }

    let models = v.models();
    if !models.is_empty() {
        let mut h = vec!["campaign".to_owned()];
        h.extend(models.iter().map(|m| format!("credited: {m}")));
        h.push("incremental".to_owned());
        let mut t = Table::new(h);
        for c in &v.campaigns {
            let mut r = vec![c.label()];
            r.extend(
                models
                    .iter()
                    .map(|m| c.credited.get(m).map_or("–".into(), |x| thousands(*x, 1))),
            );
            r.push(
                c.incremental
                    .as_ref()
                    .and_then(|i| i.visits.or(i.visitors))
                    .map_or("–".into(), count),
            );
            t.row(r);
        }
        let _ = writeln!(
            o,
            "Credited visits per attribution model (a split of observed visits) beside incremental\n{t}"
        );
    }

    if v.campaigns.iter().any(|c| c.incremental.is_some()) {
        let rev_head = if cur.is_empty() {
            "extra revenue".to_owned()
        } else {
            format!("extra revenue ({cur})")
        };
        let mut t = Table::new([
            "campaign".to_owned(),
            "extra visits".to_owned(),
            rev_head,
            "iROAS".to_owned(),
        ]);
        for c in &v.campaigns {
            let Some(i) = &c.incremental else { continue };
            let visits = match (i.visits.or(i.visitors), i.visits_ci.or(i.visitors_ci)) {
                (Some(x), Some([a, b])) => format!("{} ({} to {})", count(x), count(a), count(b)),
                (Some(x), None) => count(x),
                _ => "–".into(),
            };
            let rev = format!(
                "{} ({} to {})",
                thousands(i.revenue, super::format::minor_digits(cur)),
                thousands(i.revenue_ci[0], super::format::minor_digits(cur)),
                thousands(i.revenue_ci[1], super::format::minor_digits(cur))
            );
            let iroas = match (i.iroas, i.iroas_ci) {
                (Some(r), Some([a, b])) => format!("{} ({} to {})", rt(r), rt(a), rt(b)),
                (Some(r), None) => rt(r),
                _ => "–".into(),
            };
            t.row([c.label(), visits, rev, iroas]);
        }
        let conf = v
            .campaigns
            .iter()
            .find_map(|c| c.incremental.as_ref().map(|i| i.confidence * 100.0))
            .unwrap_or(95.0);
        let _ = writeln!(
            o,
            "Incremental: what each campaign caused ({conf:.0} % intervals in brackets)\n{t}"
        );
    }

    let vi = &v.visits;
    let mut t = Table::new(["store visits", "count"]);
    t.row(["all visits".to_owned(), thousands(vi.count as f64, 0)]);
    t.row([
        "with a purchase".to_owned(),
        thousands(vi.with_purchase as f64, 0),
    ]);
    t.row(["revenue".to_owned(), money(vi.revenue, cur)]);
    for (m, k) in &vi.by_method {
        t.row([
            format!("recognised by {}", m.replace('_', " ")),
            thousands(*k as f64, 0),
        ]);
    }
    if vi.checkins > 0 {
        t.row([
            "check-ins, as recorded".to_owned(),
            thousands(vi.checkins as f64, 0),
        ]);
        for (m, k) in vi.checkins_by_method.iter().filter(|(_, k)| **k > 0) {
            t.row([
                format!("check-ins by {}", m.replace('_', " ")),
                thousands(*k as f64, 0),
            ]);
        }
    }
    let _ = writeln!(o, "{t}");

    let r = &v.ropo;
    let pct = |x: Option<f64>| x.map_or("–".into(), |s| percent(s, false));
    let mut t = Table::new(["journey", "purchases", "after research or visit", "share"]);
    t.row([
        "online research, then store (webrooming)".to_owned(),
        thousands(r.offline_purchases as f64, 0),
        thousands(r.webrooming as f64, 0),
        pct(r.webrooming_share),
    ]);
    t.row([
        "store visit, then online (showrooming)".to_owned(),
        thousands(r.online_purchases as f64, 0),
        thousands(r.showrooming as f64, 0),
        pct(r.showrooming_share),
    ]);
    let _ = write!(o, "{t}");
    o
}

/// What each kind of number means, and where the data came from.
#[must_use]
pub fn how_to_read(v: &ReportView) -> String {
    let mut o = String::new();
    o.push_str("How to read this\n");
    for (t, d) in HOW_TO_READ {
        o.push_str(&wrap(&format!("{t}: {d}"), COLUMNS, "• ", 2));
    }
    let p = &v.provenance;
    o.push('\n');
    o.push_str(&wrap(
        &format!(
            "Data: {} rows read, {} rejected, from {} sources; identity rules fingerprint {}; influence window {} days.",
            thousands(p.rows_read as f64, 0),
            thousands(p.rows_rejected as f64, 0),
            p.sources.len(),
            if p.rules_fingerprint.is_empty() { "–" } else { &p.rules_fingerprint },
            p.window_days
        ),
        COLUMNS,
        "",
        0,
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_short() {
        let s = "word ".repeat(100);
        let w = wrap(&s, 30, "• ", 2);
        assert!(w.lines().all(|l| l.chars().count() <= 30), "{w}");
        assert!(w.starts_with("• word"));
        assert!(w.lines().nth(1).is_some_and(|l| l.starts_with("  word")));
    }
}
