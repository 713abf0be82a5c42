//! The demo's report for people: the report view filled from the store the demo ingested, with
//! the holdout readout as each channel's incremental figure and the findings next to the truth.

use super::DemoReport;
use crate::identity::IdentityGraph;
use crate::render::series::{SeriesOptions, context_from_store};
use crate::render::view::round_money;
use crate::render::{IncrementalView, ReportView};
use crate::store::{Store, StoreError};

/// Title of the demo's report.
pub const TITLE: &str = "o2o demo: the simulated spring campaign";

/// Build the view of `demo` from the store it read.
pub(super) fn demo_view(
    demo: &DemoReport,
    store: &Store,
    graph: &IdentityGraph,
    events: &[crate::event::Event],
) -> Result<ReportView, StoreError> {
    // The series and the visits object count visits (a Wi-Fi join minutes before a receipt is
    // one), over every day of the data as the demo's report does.
    let ctx = context_from_store(
        store,
        graph,
        events,
        TITLE,
        demo.report.o2o.window_days,
        &SeriesOptions::default(),
    )?;
    let mut v = ReportView::from_report(&demo.report, ctx);
    v.population = "customers in the campaign's audience".to_owned();
    let cur = v.currency.clone();
    for c in &mut v.campaigns {
        let Some(u) = demo.uplift.iter().find(|u| u.channel == c.channel) else {
            continue;
        };
        let rel = |x: f64| (u.visit_rate_unexposed > 0.0).then(|| x / u.visit_rate_unexposed);
        let revenue = round_money(u.incremental_revenue, &cur);
        let revenue_ci = [
            round_money(u.ci_revenue[0], &cur),
            round_money(u.ci_revenue[1], &cur),
        ];
        let per_spend = |x: f64| (c.spend > 0.0).then(|| x / c.spend);
        c.incremental = Some(IncrementalView {
            method: "randomised_exposure".to_owned(),
            confidence: 0.95,
            lift: rel(u.lift),
            lift_ci: rel(u.lift_ci[0])
                .zip(rel(u.lift_ci[1]))
                .map(|(a, b)| [a, b]),
            visitors: Some(u.incremental_visitors),
            visitors_ci: Some(u.ci),
            visits: None,
            visits_ci: None,
            revenue,
            revenue_ci,
            iroas: per_spend(u.incremental_revenue),
            iroas_ci: per_spend(u.ci_revenue[0])
                .zip(per_spend(u.ci_revenue[1]))
                .map(|(a, b)| [a, b]),
            p_adjusted: Some(u.p_adjusted),
        });
    }
    v.truth_notes = super::render::truth_notes(demo);
    Ok(v)
}
