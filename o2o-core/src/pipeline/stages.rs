//! The stages of the demo pipeline, each one call into its module.

use super::{
    AttributionRow, AttributionSummary, ChannelLine, ConsentLine, DemoReport, EventCounts,
    IdentitySummary, PipelineError, UpliftLine, UploadSummary,
};
use crate::attribution::incremental::ExposureTable;
use crate::attribution::{JourneyConfig, build_journeys_keyed, compare::compare_models};
use crate::consent::{ConsentGate, Operation};
use crate::event::{Event, IdKind, ReadSummary};
use crate::hashing::{NormalizeOptions, Platform, hash_for_upload};
use crate::identity::{IdentityGraph, ResolutionRules, evaluate_with_events};
use crate::report::{HoldoutRow, ModelCredit, O2oOptions, build_report, estimate_incremental};
use crate::sim::Campaign;
use crate::uplift::{Correction, adjust_p_values, channel_readouts};
use std::collections::{BTreeMap, HashSet};

/// Identifier kinds sent with offline conversions (Meta CAPI customer information).
const UPLOAD_KINDS: [IdKind; 11] = [
    IdKind::Email,
    IdKind::Phone,
    IdKind::ExternalId,
    IdKind::FirstName,
    IdKind::LastName,
    IdKind::DateOfBirth,
    IdKind::Gender,
    IdKind::City,
    IdKind::State,
    IdKind::Zip,
    IdKind::Country,
];

pub(super) fn run(
    c: &Campaign,
    events: &[Event],
    read: ReadSummary,
) -> Result<DemoReport, PipelineError> {
    let gate = ConsentGate::default();
    let (counts, channels) = observe(c, events, read);
    let consent = Operation::ALL
        .iter()
        .map(|&op| {
            let allowed = events
                .iter()
                .filter(|e| gate.check(op, e.consent()).allowed)
                .count() as u64;
            ConsentLine {
                operation: op.as_str().to_owned(),
                allowed,
                denied: events.len() as u64 - allowed,
            }
        })
        .collect();
    let upload = upload(c, events, &gate);

    // Identity: every event is an observation; the graph's own gate skips non-consenting ones.
    let graph = IdentityGraph::from_events(ResolutionRules::default(), events)?;
    let res = graph.profiles();
    let raw: HashSet<(IdKind, &str)> = events
        .iter()
        .flat_map(|e| e.identifiers().iter().map(|i| (i.kind, i.value.as_str())))
        .collect();
    let identity = IdentitySummary {
        raw_identifiers: raw.len() as u64,
        identifiers: graph.identifiers() as u64,
        profiles: res.len() as u64,
        prevented_merges: res.prevented_merges() as u64,
        shared: res.shared().len() as u64,
        metrics: evaluate_with_events(&graph, &c.truth, events),
    };

    // Journeys keyed by resolved profile: an event belongs to the profile of its strongest
    // linked identifier.
    let keys: Vec<Option<String>> = events
        .iter()
        .map(|e| graph.profile_id_of_event(e).map(String::from))
        .collect();
    let journeys = build_journeys_keyed(events, &keys, &JourneyConfig::default());
    let truth_checkins: Vec<(String, f64)> = c
        .truth
        .channels
        .iter()
        .map(|t| (t.channel.clone(), t.incremental_checkins))
        .collect();
    let exposure = ExposureTable::from_keyed_events(
        events,
        &keys,
        &JourneyConfig::default(),
        Some(c.window()),
    )?;
    let cmp = compare_models(&journeys, Some(&exposure), &truth_checkins)?;
    let models: Vec<String> = cmp.spearman.iter().map(|(m, _)| m.clone()).collect();
    let rows = cmp
        .channels
        .iter()
        .zip(&cmp.truth)
        .map(|(ch, &t)| AttributionRow {
            channel: ch.clone(),
            credit: cmp
                .models
                .iter()
                .map(|m| m.get(ch).map_or(0.0, |x| x.conversions))
                .collect(),
            true_incremental_checkins: t,
        })
        .collect();
    let attribution = AttributionSummary {
        journeys: journeys.len() as u64,
        converting: journeys.iter().filter(|j| j.converted).count() as u64,
        models: models.clone(),
        rows,
        spearman: cmp.spearman.clone(),
    };

    // Uplift from the holdout design: each channel is randomised among targets.
    let names: Vec<&str> = c
        .truth
        .channels
        .iter()
        .map(|t| t.channel.as_str())
        .collect();
    let readouts = channel_readouts(&c.audience, &names, 0.05)?;
    let ps: Vec<f64> = readouts.iter().map(|r| r.p_value).collect();
    let adjusted = adjust_p_values(&ps, 0.05, Correction::BenjaminiHochberg)?;
    let uplift = readouts
        .iter()
        .zip(&c.truth.channels)
        .zip(&adjusted.p_adjusted)
        .map(|((r, t), &p_adj)| {
            let ci = r.incremental_visitors.ci;
            UpliftLine {
                channel: r.channel.clone(),
                incremental_visitors: r.incremental_visitors.value,
                ci,
                true_incremental_visitors: t.incremental_visitors,
                covers_truth: ci[0] <= t.incremental_visitors && t.incremental_visitors <= ci[1],
                incremental_revenue: r.incremental_revenue_cuped.value,
                ci_revenue: r.incremental_revenue_cuped.ci,
                true_incremental_revenue: t.incremental_revenue,
                p_value: r.p_value,
                p_adjusted: p_adj,
                visit_rate_unexposed: r.visit_rate_unexposed,
                lift: r.lift.value,
                lift_ci: r.lift.ci,
            }
        })
        .collect();

    // Reports: credit under three models, holdout increments as simultaneous 95 % intervals
    // (Bonferroni over the channels: the report claims every channel at once).
    let credits: Vec<ModelCredit> = cmp
        .models
        .iter()
        .zip(&models)
        .filter(|(_, name)| matches!(name.as_str(), "last" | "markov1" | "shapley"))
        .flat_map(|(m, name)| {
            m.channels.iter().map(move |ch| ModelCredit {
                model: name.clone(),
                channel: ch.channel.clone(),
                campaign: None,
                conversions: ch.conversions,
                value: ch.value,
            })
        })
        .collect();
    let holdout: Vec<HoldoutRow> = c.audience.iter().map(HoldoutRow::from).collect();
    let k = c.truth.channels.len().max(1) as f64;
    let incremental = estimate_incremental(&holdout, 1.0 - 0.05 / k)?;
    let key = |e: &Event| graph.profile_id_of_event(e).map(String::from);
    let report = build_report(events, &key, &O2oOptions::default(), &credits, &incremental);
    let next_actions = super::next_actions(events, &key, c.config.seed, c.truth.end)?;

    Ok(DemoReport {
        config: c.config.clone(),
        events: counts,
        channels,
        truth_totals: c.truth.totals.clone(),
        consent,
        upload,
        identity,
        attribution,
        uplift,
        report,
        next_actions,
        ingest: Vec::new(),
        #[cfg(feature = "store")]
        view: None,
    })
}

fn observe(c: &Campaign, events: &[Event], read: ReadSummary) -> (EventCounts, Vec<ChannelLine>) {
    let mut counts = EventCounts {
        total: events.len() as u64,
        read,
        ..EventCounts::default()
    };
    let mut touch_by_channel: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for ev in events {
        match ev {
            Event::Touchpoint(t) => {
                counts.touchpoints += 1;
                let e = touch_by_channel.entry(t.channel.as_str()).or_default();
                e.0 += 1;
                e.1 += t.cost.unwrap_or(0.0);
            }
            Event::CheckIn(ci) => {
                counts.checkins += 1;
                *counts
                    .checkins_by_method
                    .entry(ci.method.as_str().to_owned())
                    .or_default() += 1;
            }
            Event::ProductView(_) => counts.product_views += 1,
        }
    }
    let channels = c
        .truth
        .channels
        .iter()
        .map(|t| {
            let (touchpoints, spend) = touch_by_channel
                .get(t.channel.as_str())
                .copied()
                .unwrap_or_default();
            ChannelLine {
                channel: t.channel.clone(),
                touchpoints,
                spend,
                true_exposed: t.exposed,
                true_lift: t.lift,
                true_incremental_visitors: t.incremental_visitors,
                true_incremental_checkins: t.incremental_checkins,
                true_incremental_revenue: t.incremental_revenue,
            }
        })
        .collect();
    (counts, channels)
}

/// Offline conversions of the campaign period, hashed for a Meta upload where consent allows.
fn upload(c: &Campaign, events: &[Event], gate: &ConsentGate) -> UploadSummary {
    let opts = NormalizeOptions {
        profile: Platform::Meta,
        default_country: Some("VN".to_owned()),
        ..NormalizeOptions::default()
    };
    let mut u = UploadSummary::default();
    for ev in events {
        let Event::CheckIn(ci) = ev else { continue };
        if ci.timestamp < c.truth.start {
            continue;
        }
        u.checkins += 1;
        let ids = ci
            .identifiers
            .iter()
            .filter(|i| UPLOAD_KINDS.contains(&i.kind));
        match gate.permit(Operation::HashForUpload, ci.consent.as_ref()) {
            Ok(permit) => {
                u.permitted += 1;
                for id in ids {
                    match hash_for_upload(&permit, id.kind, &id.value, &opts) {
                        Ok(h) => {
                            u.hashed += 1;
                            if u.sample.len() < 3 {
                                u.sample.push((id.kind.as_str().to_owned(), h.hex));
                            }
                        }
                        Err(_) => u.invalid += 1,
                    }
                }
            }
            Err(_) => u.withheld += ids.count() as u64,
        }
    }
    u
}
