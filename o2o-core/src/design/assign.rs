//! The holdout list: a seeded, reproducible random split of the customers, stratified by region
//! and value tier, written as an assignment source that `o2o ingest` reads
//! (`docs/examples/maps/design_assignment.toml`).
//!
//! Stratifying makes the arms alike in what drives the outcome most — where customers shop and
//! how much they spend — so that the difference between them is the campaign's, not the
//! luck of the draw. Value tiers are the terciles of each customer's revenue in the history
//! (visits when no purchase carried a value). Within each stratum (in a fixed order) customers
//! are shuffled by one ChaCha8 stream and the first are held out; the number held out follows
//! the running total `round(share × customers so far)`, so the overall share is exact to one
//! customer and each stratum's to one.

use super::error::DesignError;
use super::history::History;
use crate::event::{IdKind, Identifier};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// One customer's assignment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssignmentRow {
    /// The identifier the list names them by.
    pub identifier: Identifier,
    /// Region (`unknown` when no check-in named one).
    pub region: String,
    /// Value tier: `low`, `mid` or `high`.
    pub tier: &'static str,
    /// Whether they are held out.
    pub holdout: bool,
}

/// The split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assigned {
    /// One row per customer, sorted by identifier.
    pub rows: Vec<AssignmentRow>,
    /// Customers held out.
    pub holdout: u64,
    /// Customers targeted.
    pub target: u64,
    /// Customers seen only by identifiers an assignment list cannot name (device, IP…): left
    /// out of the list (they stay out of the comparison).
    pub unnamed: u64,
    /// Per stratum (`region/tier`): customers and customers held out.
    pub strata: BTreeMap<String, (u64, u64)>,
}

const TIERS: [&str; 3] = ["low", "mid", "high"];

/// Split every customer of `history` that an identifier names: `share` held out, stratified by
/// region and value tier, seeded by `seed`.
pub fn assign_holdout(history: &History, share: f64, seed: u64) -> Result<Assigned, DesignError> {
    if !(share > 0.0 && share < 1.0) {
        return Err(DesignError::flag(
            "share",
            format!("{share} must be in (0, 1)"),
        ));
    }
    let by_value = history
        .customers
        .iter()
        .any(|c| c.visits.iter().any(|v| v.1 > 0.0));
    let value = |i: usize| -> f64 {
        let c = &history.customers[i];
        if by_value {
            c.visits.iter().map(|v| v.1).sum()
        } else {
            c.visits.len() as f64
        }
    };
    let named: Vec<usize> = (0..history.customers.len())
        .filter(|&i| history.customers[i].identifier.is_some())
        .collect();
    let unnamed = (history.customers.len() - named.len()) as u64;
    if named.len() < 2 {
        return Err(DesignError::History(format!(
            "{} customers carry an identifier an assignment list can name (external id, loyalty \
             card, email or phone); a split needs at least 2",
            named.len()
        )));
    }
    // Terciles of value, by rank (ties broken by profile key, so the order is total).
    let mut ranked = named.clone();
    ranked.sort_by(|&a, &b| {
        value(a).total_cmp(&value(b)).then_with(|| {
            history.customers[a]
                .profile
                .cmp(&history.customers[b].profile)
        })
    });
    let mut tier = vec![0usize; history.customers.len()];
    for (r, &i) in ranked.iter().enumerate() {
        tier[i] = r * 3 / ranked.len();
    }
    let mut strata: BTreeMap<(String, usize), Vec<usize>> = BTreeMap::new();
    for &i in &named {
        let region = history.customers[i]
            .region
            .clone()
            .unwrap_or_else(|| "unknown".to_owned());
        strata.entry((region, tier[i])).or_default().push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut held = vec![false; history.customers.len()];
    let (mut seen, mut out) = (0u64, 0u64);
    let mut summary = BTreeMap::new();
    for ((region, t), members) in &mut strata {
        members.sort_by(|&a, &b| {
            history.customers[a]
                .profile
                .cmp(&history.customers[b].profile)
        });
        members.shuffle(&mut rng);
        seen += members.len() as u64;
        let due = (share * seen as f64).round() as u64;
        let k = due.saturating_sub(out).min(members.len() as u64);
        for &i in members.iter().take(k as usize) {
            held[i] = true;
        }
        out += k;
        summary.insert(format!("{region}/{}", TIERS[*t]), (members.len() as u64, k));
    }
    let mut rows: Vec<AssignmentRow> = named
        .iter()
        .filter_map(|&i| {
            let c = &history.customers[i];
            Some(AssignmentRow {
                identifier: c.identifier.clone()?,
                region: c.region.clone().unwrap_or_else(|| "unknown".to_owned()),
                tier: TIERS[tier[i]],
                holdout: held[i],
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.identifier.kind, &a.identifier.value).cmp(&(b.identifier.kind, &b.identifier.value))
    });
    Ok(Assigned {
        holdout: out,
        target: seen - out,
        unnamed,
        strata: summary,
        rows,
    })
}

/// The columns of the assignment file, as `docs/examples/maps/design_assignment.toml` reads them.
pub const ASSIGNMENT_COLUMNS: [&str; 9] = [
    "external_id",
    "loyalty_card",
    "email",
    "phone",
    "group",
    "campaign",
    "assigned_at",
    "region",
    "tier",
];

/// Write the split as CSV: one identifier column filled per row, the group (`holdout` or
/// `target`), the campaign, the day of assignment (`YYYY-MM-DD`), region and tier.
pub fn write_assignment_csv<W: Write>(
    assigned: &Assigned,
    campaign: &str,
    assigned_at: &str,
    out: W,
) -> Result<(), std::io::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(ASSIGNMENT_COLUMNS)?;
    for r in &assigned.rows {
        let mut cells = [""; 4];
        let slot = match r.identifier.kind {
            IdKind::ExternalId => 0,
            IdKind::LoyaltyCard => 1,
            IdKind::Email => 2,
            _ => 3,
        };
        cells[slot] = &r.identifier.value;
        let group = if r.holdout { "holdout" } else { "target" };
        w.write_record([
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            group,
            campaign,
            assigned_at,
            &r.region,
            r.tier,
        ])?;
    }
    w.flush()
}
