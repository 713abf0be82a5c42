//! The demo report as aligned text for people (`o2o demo`); `--json` serialises the same value.

use super::DemoReport;
use crate::report::Table;
use std::fmt;

fn when(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

fn ci(v: [f64; 2], digits: usize) -> String {
    format!("[{:.*}, {:.*}]", digits, v[0], digits, v[1])
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        writeln!(
            f,
            "o2o demo — {} customers, seed {}, {} days, {} stores, {:.0} % holdout\n",
            c.customers,
            c.seed,
            c.days,
            c.stores,
            c.holdout_share * 100.0
        )?;
        let e = &self.events;
        writeln!(
            f,
            "1. Events: {} ({} online touchpoints, {} offline check-ins); export re-read: {}\n",
            e.total, e.touchpoints, e.checkins, e.read
        )?;
        if !self.ingest.is_empty() {
            let mut t = Table::new(["export file", "rows", "stored", "rejected", "planted bad"]);
            for l in &self.ingest {
                t.row([
                    l.file.clone(),
                    l.rows.to_string(),
                    l.stored.to_string(),
                    l.rejected.to_string(),
                    l.planted.to_string(),
                ]);
            }
            writeln!(
                f,
                "The campaign arrived as {} raw exports, read through their source maps:\n{t}",
                self.ingest.len()
            )?;
        }
        let mut t = Table::new(["check-in method", "count"]);
        for (m, n) in &e.checkins_by_method {
            t.row([m.clone(), n.to_string()]);
        }
        writeln!(f, "{t}")?;

        writeln!(
            f,
            "2. Channels, with the ground truth every model is judged by:"
        )?;
        let mut t = Table::new([
            "channel",
            "touchpoints",
            "spend",
            "exposed",
            "true lift",
            "true incr. visitors",
            "true incr. check-ins",
            "true incr. revenue",
        ]);
        for ch in &self.channels {
            t.row([
                ch.channel.clone(),
                ch.touchpoints.to_string(),
                format!("{:.2}", ch.spend),
                ch.true_exposed.to_string(),
                format!("{:+.1} pp", ch.true_lift * 100.0),
                format!("{:.1}", ch.true_incremental_visitors),
                format!("{:.1}", ch.true_incremental_checkins),
                format!("{:.2}", ch.true_incremental_revenue),
            ]);
        }
        writeln!(f, "{t}")?;
        let tt = &self.truth_totals;
        writeln!(
            f,
            "Truth totals: {} visitors, {} check-ins, revenue {:.2}, spend {:.2}, {} in holdout\n",
            tt.visitors, tt.checkins, tt.revenue, tt.spend, tt.holdout
        )?;

        writeln!(f, "3. Consent gate (unknown = denied):")?;
        let mut t = Table::new(["operation", "allowed", "denied"]);
        for l in &self.consent {
            t.row([
                l.operation.clone(),
                l.allowed.to_string(),
                l.denied.to_string(),
            ]);
        }
        writeln!(f, "{t}")?;
        let u = &self.upload;
        writeln!(
            f,
            "4. Offline conversions for a Meta upload: {} check-ins, {} with consent; {} identifiers hashed (SHA-256 of the Meta-normalised value), {} invalid never hashed, {} withheld for lack of consent",
            u.checkins, u.permitted, u.hashed, u.invalid, u.withheld
        )?;
        for (k, h) in &u.sample {
            writeln!(f, "   {k:>12}  {h}")?;
        }
        writeln!(f)?;

        let id = &self.identity;
        let m = &id.metrics;
        writeln!(
            f,
            "5. Identity graph: {} raw identifier values → {} normalised identifiers → {} profiles ({} identifiers shared by the hub guard, {} merges prevented by limits)",
            id.raw_identifiers, id.identifiers, id.profiles, id.shared, id.prevented_merges
        )?;
        writeln!(
            f,
            "   against the truth: pairwise precision {:.4}, recall {:.4}, F1 {:.4}; B-cubed F1 {:.4}; largest profile {} (largest true person {})\n",
            m.pairwise_precision,
            m.pairwise_recall,
            m.pairwise_f1,
            m.bcubed_f1,
            m.largest_profile,
            m.largest_true_person
        )?;

        let a = &self.attribution;
        writeln!(
            f,
            "6. Attribution over {} journeys of resolved profiles ({} ending in a check-in): credited check-ins per model, next to the true incremental check-ins",
            a.journeys, a.converting
        )?;
        let mut header = vec!["channel".to_owned()];
        header.extend(a.models.iter().cloned());
        header.push("TRUTH".to_owned());
        let mut t = Table::new(header);
        for r in &a.rows {
            let mut row = vec![r.channel.clone()];
            row.extend(r.credit.iter().map(|x| format!("{x:.1}")));
            row.push(format!("{:.1}", r.true_incremental_checkins));
            t.row(row);
        }
        let mut row = vec!["Spearman vs truth".to_owned()];
        row.extend(
            a.spearman
                .iter()
                .map(|(_, s)| s.map_or("n/a".to_owned(), |s| format!("{s:+.2}"))),
        );
        row.push(String::new());
        t.row(row);
        writeln!(f, "{t}")?;

        writeln!(
            f,
            "7. Holdout uplift per channel (exposed vs unexposed targets, 95 % intervals; revenue with CUPED):"
        )?;
        let mut t = Table::new([
            "channel",
            "incr. visitors",
            "95 % CI",
            "truth",
            "covered",
            "incr. revenue",
            "95 % CI",
            "truth",
            "p (BH)",
        ]);
        for l in &self.uplift {
            t.row([
                l.channel.clone(),
                format!("{:.1}", l.incremental_visitors),
                ci(l.ci, 1),
                format!("{:.1}", l.true_incremental_visitors),
                if l.covers_truth { "yes" } else { "NO" }.to_owned(),
                format!("{:.0}", l.incremental_revenue),
                ci(l.ci_revenue, 0),
                format!("{:.0}", l.true_incremental_revenue),
                format!("{:.2e}", l.p_adjusted),
            ]);
        }
        writeln!(f, "{t}")?;

        writeln!(f, "8. Reports\n")?;
        writeln!(f, "{}", self.report)?;

        let n = &self.next_actions;
        writeln!(f, "9. Next actions")?;
        let per_rule: Vec<String> = n
            .vouchers_by_rule
            .iter()
            .map(|(r, k)| format!("{r} {k}"))
            .collect();
        writeln!(
            f,
            "Vouchers by segment rule: {} (sample, signed for offline verification at the till):",
            if per_rule.is_empty() {
                "none".to_owned()
            } else {
                per_rule.join(", ")
            }
        )?;
        let mut t = Table::new(["profile", "rule", "type", "code", "bound to", "because"]);
        for v in &n.vouchers {
            t.row([
                v.profile.clone(),
                v.rule.clone(),
                v.voucher_type.to_string(),
                v.code.clone(),
                v.customer.clone(),
                v.because.join("; "),
            ]);
        }
        writeln!(f, "{t}")?;
        writeln!(
            f,
            "Survey alerts: {} responses (simulated), {} open at campaign end (score < 3, answer within 24 h)",
            n.survey_responses, n.open_alerts
        )?;
        let mut t = Table::new(["customer", "store", "score", "deadline"]);
        for a in &n.alerts {
            t.row([
                a.customer.clone(),
                a.store.clone(),
                a.score.to_string(),
                when(a.deadline),
            ]);
        }
        writeln!(f, "{t}")?;
        writeln!(f, "Loyalty reminders: {} (sample):", n.reminders_total)?;
        write!(f, "{}", crate::loyalty::reminders_table(&n.reminders))
    }
}
