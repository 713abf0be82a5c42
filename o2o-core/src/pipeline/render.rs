//! The demo report as text for people (`o2o demo`), within 100 columns: the findings first, in
//! sentences next to the simulator's truth, then each stage with its numbers in words before
//! acronyms. `--json` serialises the same value.

use super::DemoReport;
use crate::attribution::compare::spearman;
use crate::render::format::thousands;
use crate::render::text::{COLUMNS, wrap};
use crate::table::Table;
use std::fmt;

/// A deadline as people read it: local time of the simulated stores when the time-zone
/// database is built in, else UTC.
fn when(ts: i64) -> String {
    #[cfg(feature = "ingest")]
    {
        format!(
            "{} local",
            crate::render::format::local_datetime(ts, crate::sim::TIMEZONE)
        )
    }
    #[cfg(not(feature = "ingest"))]
    {
        crate::utc::minute(ts)
    }
}

fn int(n: u64) -> String {
    thousands(n as f64, 0)
}

fn para(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "{}", wrap(s, COLUMNS, "", 0))
}

fn bullet(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "{}", wrap(s, COLUMNS, "• ", 2))
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        para(
            f,
            &format!(
                "o2o demo: {} simulated customers, seed {}, {} days, {} stores, {:.0} % kept out of every campaign (the holdout)",
                int(c.customers as u64),
                c.seed,
                c.days,
                c.stores,
                c.holdout_share * 100.0
            ),
        )?;
        writeln!(f)?;
        #[cfg(feature = "store")]
        if let Some(v) = &self.view {
            writeln!(f, "What the campaigns did")?;
            write!(f, "{}", crate::render::text::headline_text(v))?;
            writeln!(f)?;
        }
        writeln!(f, "Next to the simulator's truth")?;
        for s in truth_notes(self) {
            bullet(f, &s)?;
        }
        writeln!(f)?;

        let e = &self.events;
        para(
            f,
            &format!(
                "1. The data: {} events ({} online touches, {} store check-ins); rows read {}, rejected {}.",
                int(e.total),
                int(e.touchpoints),
                int(e.checkins),
                int(e.read.read),
                int(e.read.rejected)
            ),
        )?;
        if !self.ingest.is_empty() {
            let mut t = Table::new(["export file", "rows", "stored", "rejected", "planted bad"]);
            for l in &self.ingest {
                t.row([
                    l.file.clone(),
                    int(l.rows),
                    int(l.stored),
                    int(l.rejected),
                    int(l.planted),
                ]);
            }
            para(
                f,
                &format!(
                    "The campaign arrived as {} raw exports, read through their source maps; every planted bad row is rejected and nothing else:",
                    self.ingest.len()
                ),
            )?;
            writeln!(f, "{t}")?;
        }
        let mut t = Table::new(["how the check-in was recognised", "check-ins"]);
        for (m, n) in &e.checkins_by_method {
            t.row([m.replace('_', " "), int(*n)]);
        }
        writeln!(f, "{t}")?;

        writeln!(
            f,
            "2. Channels, with the truth every estimate is judged by:"
        )?;
        let mut t = Table::new([
            "channel",
            "touches",
            "spend",
            "people exposed",
            "true lift",
            "true extra visitors",
            "true extra revenue",
        ]);
        for ch in &self.channels {
            t.row([
                ch.channel.clone(),
                int(ch.touchpoints),
                thousands(ch.spend, 2),
                int(ch.true_exposed),
                format!("{:+.1} points", ch.true_lift * 100.0),
                thousands(ch.true_incremental_visitors, 1),
                thousands(ch.true_incremental_revenue, 2),
            ]);
        }
        writeln!(f, "{t}")?;
        let tt = &self.truth_totals;
        para(
            f,
            &format!(
                "In truth: {} visitors, {} check-ins, revenue {}, spend {}, {} people in the holdout.",
                int(tt.visitors),
                int(tt.checkins),
                thousands(tt.revenue, 2),
                thousands(tt.spend, 2),
                int(tt.holdout)
            ),
        )?;
        writeln!(f)?;

        writeln!(
            f,
            "3. Consent: what each use of the data was allowed (no consent signal = refused)"
        )?;
        let mut t = Table::new(["use", "allowed", "refused"]);
        for l in &self.consent {
            t.row([l.operation.replace('_', " "), int(l.allowed), int(l.denied)]);
        }
        writeln!(f, "{t}")?;
        let u = &self.upload;
        para(
            f,
            &format!(
                "4. Store sales sent back to Meta as offline conversions: {} check-ins, {} with consent; {} identifiers hashed (SHA-256 of the normalised value), {} invalid and never hashed, {} withheld for lack of consent. For example:",
                int(u.checkins),
                int(u.permitted),
                int(u.hashed),
                int(u.invalid),
                int(u.withheld)
            ),
        )?;
        for (k, h) in &u.sample {
            writeln!(f, "   {k:>12}  {h}")?;
        }
        writeln!(f)?;

        let id = &self.identity;
        let m = &id.metrics;
        para(
            f,
            &format!(
                "5. Matching records to people: {} raw identifier values became {} normalised identifiers and {} people; {} identifiers shared by many people (a shop's Wi-Fi, a family phone) were kept from joining them, and {} merges were stopped by per-kind limits.",
                int(id.raw_identifiers),
                int(id.identifiers),
                int(id.profiles),
                int(id.shared),
                int(id.prevented_merges)
            ),
        )?;
        para(
            f,
            &format!(
                "   Against the truth: of the pairs of records joined, {:.2} % belong to the same person (precision), and {:.2} % of true pairs were found (recall); per-record score (B-cubed F1) {:.4}. Largest person found: {} records (largest true person: {}).",
                m.pairwise_precision * 100.0,
                m.pairwise_recall * 100.0,
                m.bcubed_f1,
                m.largest_profile,
                m.largest_true_person
            ),
        )?;
        writeln!(f)?;

        let a = &self.attribution;
        para(
            f,
            &format!(
                "6. Attribution over {} customer journeys ({} ending in a store visit): visits each model credits to each channel, the truth first; the last column is the rank correlation of the model's credit with the truth (1 = same order, 0 = chance).",
                int(a.journeys),
                int(a.converting)
            ),
        )?;
        let mut header = vec!["model".to_owned()];
        header.extend(a.rows.iter().map(|r| r.channel.clone()));
        header.push("rank corr.".to_owned());
        let mut t = Table::new(header);
        let mut truth = vec!["TRUTH (extra)".to_owned()];
        truth.extend(
            a.rows
                .iter()
                .map(|r| format!("{:.1}", r.true_incremental_checkins)),
        );
        truth.push(String::new());
        t.row(truth);
        for (k, model) in a.models.iter().enumerate() {
            let mut row = vec![model.clone()];
            row.extend(
                a.rows
                    .iter()
                    .map(|r| r.credit.get(k).map_or("–".into(), |x| format!("{x:.1}"))),
            );
            row.push(
                a.spearman
                    .get(k)
                    .and_then(|(_, s)| *s)
                    .map_or("n/a".to_owned(), |s| format!("{s:+.2}")),
            );
            t.row(row);
        }
        writeln!(f, "{t}")?;

        para(
            f,
            "7. The holdout: within the target group each channel reached people at random, so the exposed against the unexposed measure what it caused (95 % intervals; revenue adjusted for each person's spend before the campaign, known as CUPED; p adjusted for testing seven channels at once):",
        )?;
        let mut t = Table::new([
            "channel",
            "extra visitors",
            "interval",
            "truth",
            "extra revenue",
            "interval",
            "truth",
            "adjusted p",
        ]);
        for l in &self.uplift {
            t.row([
                l.channel.clone(),
                format!("{:.1}", l.incremental_visitors),
                format!("{:.1} to {:.1}", l.ci[0], l.ci[1]),
                format!("{:.1}", l.true_incremental_visitors),
                thousands(l.incremental_revenue, 0),
                format!(
                    "{} to {}",
                    thousands(l.ci_revenue[0], 0),
                    thousands(l.ci_revenue[1], 0)
                ),
                thousands(l.true_incremental_revenue, 0),
                format!("{:.4}", l.p_adjusted),
            ]);
        }
        writeln!(f, "{t}")?;

        writeln!(f, "8. The report")?;
        #[cfg(feature = "store")]
        if let Some(v) = &self.view {
            writeln!(f, "{}", crate::render::text::tables(v))?;
        }
        #[cfg(feature = "store")]
        let shown = self.view.is_some();
        #[cfg(not(feature = "store"))]
        let shown = false;
        if !shown {
            writeln!(f, "{}", self.report)?;
        }

        let n = &self.next_actions;
        writeln!(f, "9. Next actions")?;
        let per_rule: Vec<String> = n
            .vouchers_by_rule
            .iter()
            .map(|(r, k)| format!("{r} {k}"))
            .collect();
        para(
            f,
            &format!(
                "Vouchers by segment rule: {}. A sample, each signed so the till can check it offline:",
                if per_rule.is_empty() {
                    "none".to_owned()
                } else {
                    per_rule.join(", ")
                }
            ),
        )?;
        for v in &n.vouchers {
            bullet(
                f,
                &format!(
                    "{} ({}, type {}): code {}, because {}",
                    v.profile,
                    v.rule,
                    v.voucher_type,
                    v.code,
                    v.because.join("; ")
                ),
            )?;
        }
        writeln!(f)?;
        para(
            f,
            &format!(
                "Satisfaction surveys: {} answers (simulated); {} low scores (under 3) still open at the campaign's end, each to be answered within 24 hours:",
                int(n.survey_responses),
                int(n.open_alerts)
            ),
        )?;
        let mut t = Table::new(["customer", "store", "score", "answer by"]);
        for a in &n.alerts {
            t.row([
                a.customer.clone(),
                a.store.clone(),
                a.score.to_string(),
                when(a.deadline),
            ]);
        }
        writeln!(f, "{t}")?;
        writeln!(
            f,
            "Loyalty reminders: {} (a sample):",
            int(n.reminders_total)
        )?;
        write!(f, "{}", crate::loyalty::reminders_table(&n.reminders))
    }
}

/// The demo's findings in sentences, next to the truth the simulator planted.
pub fn truth_notes(d: &DemoReport) -> Vec<String> {
    let mut out = Vec::new();
    let click: Vec<f64> = d
        .attribution
        .spearman
        .iter()
        .filter(|(m, _)| m != "incremental")
        .filter_map(|(_, s)| *s)
        .collect();
    let est: Vec<f64> = d.uplift.iter().map(|u| u.incremental_visitors).collect();
    let truth: Vec<f64> = d
        .uplift
        .iter()
        .map(|u| u.true_incremental_visitors)
        .collect();
    if let (Some(lo), Some(hi), Some(h)) = (
        click.iter().copied().reduce(f64::min),
        click.iter().copied().reduce(f64::max),
        spearman(&est, &truth),
    ) {
        out.push(format!(
            "Models that credit clicks and touches rank the channels against the truth with a rank correlation of {lo:.2} to {hi:.2} (0 is chance); the holdout estimate ranks them at {h:.2}: trust the holdout."
        ));
    }
    let covered = d.uplift.iter().filter(|u| u.covers_truth).count();
    out.push(format!(
        "The holdout's 95 % interval of incremental visitors covers the true figure for {covered} of {} channels.",
        d.uplift.len()
    ));
    for row in &d.attribution.rows {
        if row.true_incremental_checkins.abs() < 1e-9 && !row.credit.is_empty() {
            let (lo, hi) = row
                .credit
                .iter()
                .zip(&d.attribution.models)
                .filter(|(_, m)| m.as_str() != "incremental")
                .map(|(x, _)| x)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(*x), b.max(*x))
                });
            out.push(format!(
                "{}: models that credit clicks and touches give it {lo:.0} to {hi:.0} visits; the truth is 0 — credit is not effect.",
                row.channel
            ));
        }
    }
    out
}
