//! The people view of a [`Measurement`]: tables that say which kind of number they show, and
//! one sentence per campaign on what to make of it.

use super::{CampaignRow, Measurement, Method, format_money, group_thousands};
use crate::table::Table;
use std::fmt;

/// What to trust, and why.
pub const TRUST: &str = "Trust the incremental numbers measured against a holdout or a randomised exposure, with their intervals: they are what the campaigns caused. Credited visits split the observed visits between channels and influenced visits bound them from above; neither is an effect. Observational incremental numbers are models, labelled as such.";

fn pct(x: f64) -> String {
    format!("{:+.1} %", x * 100.0)
}

fn count(x: f64) -> String {
    group_thousands(&format!("{x:.0}"))
}

/// One sentence on a campaign: what its numbers say and whether to fund it.
pub(super) fn verdict(r: &CampaignRow, alpha: f64, currency: &str) -> String {
    let credited = r.credited.get("last_touch").copied().unwrap_or(0.0);
    let Some(i) = &r.incremental else {
        return format!(
            "{}: {} credited visits, no incremental estimate: credit is not effect; set up a holdout",
            r.channel,
            count(credited)
        );
    };
    let range = format!("{}–{}", count(i.visitors_ci[0]), count(i.visitors_ci[1]));
    let significant = i.p_adjusted.unwrap_or(i.p_value) < alpha && i.visitors_ci[0] > 0.0;
    match i.method {
        Method::Observational => format!(
            "{}: observational incremental {} visitors ({}), not an experiment: exposure was not randomised, so intent and targeting can masquerade as effect; test it with a holdout before funding on it",
            r.channel,
            range,
            i.lift.map_or_else(|| "-".into(), pct)
        ),
        _ if significant => format!(
            "{}: {} incremental visitors ({}{}), measured by {}: trust this number",
            r.channel,
            range,
            i.lift.map_or_else(|| "-".into(), pct),
            i.iroas
                .map(|x| format!(", iROAS {x:.2}"))
                .unwrap_or_default(),
            match i.method {
                Method::Holdout => "its holdout",
                _ => "randomised exposure",
            }
        ),
        _ => format!(
            "{}: {} credited visits, {} incremental visitors (not different from 0 after correction): do not fund on credited numbers{}",
            r.channel,
            count(credited),
            range,
            r.spend
                .map(|s| format!(" ({} spent)", format_money(s, currency)))
                .unwrap_or_default()
        ),
    }
}

impl Measurement {
    /// The tables: holdout, incremental per campaign, credited and influenced, visits.
    pub fn tables(&self) -> Vec<(String, Table)> {
        let cur = self.currency.clone().unwrap_or_default();
        let m = |x: f64| format_money(x, &cur);
        let mut out = Vec::new();
        if let Some(h) = &self.holdout {
            let mut t = Table::new(["incremental (global holdout)", "value", "interval"]);
            t.row([
                "visitor rate target / holdout".to_owned(),
                format!(
                    "{:.2} % / {:.2} %",
                    h.visitors_rate_target * 100.0,
                    h.visitors_rate_holdout * 100.0
                ),
                String::new(),
            ]);
            t.row([
                "lift".to_owned(),
                h.lift.map_or_else(|| "-".into(), pct),
                h.lift_ci
                    .map_or_else(|| "-".into(), |[a, b]| format!("[{}, {}]", pct(a), pct(b))),
            ]);
            t.row([
                "incremental visitors".to_owned(),
                count(h.incremental_visitors),
                format!(
                    "[{}, {}]",
                    count(h.incremental_visitors_ci[0]),
                    count(h.incremental_visitors_ci[1])
                ),
            ]);
            t.row([
                "incremental revenue".to_owned(),
                m(h.incremental_revenue),
                format!(
                    "[{}, {}]",
                    m(h.incremental_revenue_ci[0]),
                    m(h.incremental_revenue_ci[1])
                ),
            ]);
            out.push(("Campaign against the global holdout".to_owned(), t));
        }
        let mut inc = Table::new([
            "channel",
            "campaign",
            "kind",
            "lift",
            "lift interval",
            "incr. visitors",
            "interval",
            "incr. revenue",
            "iROAS",
            "p adj.",
        ]);
        let mut cred = Table::new([
            "channel",
            "campaign",
            "spend",
            "exposed",
            "credited visits (last touch)",
            "influenced visits",
            "influenced revenue",
            "influenced ROAS (upper bound)",
        ]);
        for r in &self.campaigns {
            let camp = r.campaign.clone().unwrap_or_else(|| "-".into());
            if let Some(i) = &r.incremental {
                inc.row([
                    r.channel.clone(),
                    camp.clone(),
                    i.label.to_owned(),
                    i.lift.map_or_else(|| "-".into(), pct),
                    i.lift_ci
                        .map_or_else(|| "-".into(), |[a, b]| format!("[{}, {}]", pct(a), pct(b))),
                    count(i.visitors),
                    format!("[{}, {}]", count(i.visitors_ci[0]), count(i.visitors_ci[1])),
                    m(i.revenue),
                    i.iroas.map_or_else(|| "-".into(), |x| format!("{x:.2}")),
                    i.p_adjusted
                        .map_or_else(|| "-".into(), |p| format!("{p:.3}")),
                ]);
            }
            cred.row([
                r.channel.clone(),
                camp,
                r.spend.map_or_else(|| "-".into(), m),
                group_thousands(&r.exposed.to_string()),
                count(r.credited.get("last_touch").copied().unwrap_or(0.0)),
                group_thousands(&r.influenced.visits.to_string()),
                m(r.influenced.revenue),
                r.spend.filter(|s| *s > 0.0).map_or_else(
                    || "-".into(),
                    |s| format!("{:.2}", r.influenced.revenue / s),
                ),
            ]);
        }
        out.push((
            "Incremental per campaign (caused; observational rows are models)".to_owned(),
            inc,
        ));
        out.push((
            "Credited and influenced (not effects: a split of observed visits, and an upper bound)"
                .to_owned(),
            cred,
        ));
        let mut v = Table::new(["visits", "value"]);
        v.row([
            "visits".to_owned(),
            group_thousands(&self.visits.count.to_string()),
        ]);
        v.row([
            "with a purchase".to_owned(),
            group_thousands(&self.visits.with_purchase.to_string()),
        ]);
        v.row(["revenue".to_owned(), m(self.visits.revenue)]);
        v.row([
            "check-ins grouped".to_owned(),
            group_thousands(&self.visits.checkins.to_string()),
        ]);
        for (k, n) in &self.visits.by_method {
            v.row([
                format!("identified by {k}"),
                group_thousands(&n.to_string()),
            ]);
        }
        out.push(("Visits".to_owned(), v));
        out
    }
}

impl fmt::Display for Measurement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Period {} to {} · population: {} ({} profiles) · currency: {} · visits: check-ins within {} min at one store",
            self.period.from.as_deref().unwrap_or("-"),
            self.period.to.as_deref().unwrap_or("-"),
            self.population,
            group_thousands(&self.population_profiles.to_string()),
            self.currency.as_deref().unwrap_or("-"),
            self.visit_window_secs / 60
        )?;
        for (title, t) in self.tables() {
            writeln!(f)?;
            writeln!(f, "{title}")?;
            write!(f, "{t}")?;
        }
        writeln!(f)?;
        writeln!(f, "What to trust")?;
        writeln!(f, "{}", self.trust)?;
        for r in &self.campaigns {
            writeln!(f, "- {}", r.verdict)?;
        }
        if !self.warnings.is_empty() {
            writeln!(f)?;
            writeln!(f, "Warnings")?;
            for w in &self.warnings {
                writeln!(f, "- {w}")?;
            }
        }
        writeln!(f)?;
        writeln!(
            f,
            "O2O report (influence window {} days; influenced and credited, not effects)",
            self.o2o.window_days
        )?;
        write!(f, "{}", self.o2o)?;
        writeln!(f)?;
        writeln!(f, "ROPO report")?;
        write!(f, "{}", self.ropo)?;
        writeln!(f)?;
        writeln!(f, "KPIs")?;
        write!(f, "{}", self.kpis)
    }
}
