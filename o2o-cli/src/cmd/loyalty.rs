//! `o2o loyalty --events FILE [--at TIME] [--points-per-unit 1] [--valid-days 60]
//! [--tier NAME=POINTS]… [--expiring-within-days 14] [--near-tier-within 30] [--json]
//! [--ledger-out FILE]`: loyalty points from store purchases, and the reminders that bring
//! members back.
//!
//! Members are the identity graph's profiles (default rules, as `o2o report`). Every POS
//! purchase or voucher redemption with a value earns its whole points (value × points per unit,
//! rounded down), usable for `--valid-days`; at `--at` expired points are removed and members get
//! a reminder when points expire within `--expiring-within-days` or a tier is within
//! `--near-tier-within` points. Prints the reminders (a table, or `{"at", "members", "earned",
//! "balance", "expired", "reminders"}` with `--json`); `--ledger-out` writes the points ledger as
//! JSON (lots per member).

use super::{CliError, profiles};
use o2o_core::loyalty::{EarnRule, PointsLedger, ReminderPolicy, Tier, reminders_table};
use serde_json::json;
use std::fs;
use std::path::PathBuf;

const DAY: i64 = 86_400;

/// Flags of `o2o loyalty`.
#[derive(clap::Args)]
pub struct Args {
    /// Events (NDJSON, as `o2o simulate` writes).
    #[arg(long)]
    events: PathBuf,
    /// When to expire points and remind (Unix seconds or RFC 3339), on the purchases up to
    /// then; default: the latest event's time.
    #[arg(long)]
    at: Option<String>,
    /// Points per unit of purchase value.
    #[arg(long, default_value_t = EarnRule::default().points_per_unit)]
    points_per_unit: f64,
    /// Days points stay usable after the purchase.
    #[arg(long, default_value_t = EarnRule::default().valid_for / DAY)]
    valid_days: i64,
    /// A tier reached on lifetime points, `NAME=POINTS` (repeat for several: `--tier silver=100
    /// --tier gold=300`). Without tiers there are no near-tier reminders.
    #[arg(long = "tier", value_parser = parse_tier)]
    tiers: Vec<Tier>,
    /// Remind of points expiring within this many days.
    #[arg(long, default_value_t = 14)]
    expiring_within_days: i64,
    /// Remind members at most this many points below their next tier.
    #[arg(long, default_value_t = 30)]
    near_tier_within: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the points ledger (JSON: lots, lifetime, redeemed and expired points per member).
    #[arg(long)]
    ledger_out: Option<PathBuf>,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    let (name, points) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected NAME=POINTS, e.g. silver=100"))?;
    let min_points = points
        .trim()
        .parse::<u64>()
        .map_err(|e| format!("`{s}`: points: {e}"))?;
    if name.trim().is_empty() {
        return Err(format!("`{s}`: the tier has no name"));
    }
    Ok(Tier {
        name: name.trim().to_owned(),
        min_points,
    })
}

/// Run `o2o loyalty`.
pub fn run(a: Args) -> Result<(), CliError> {
    if a.expiring_within_days < 0 {
        return Err(CliError::Usage(
            "--expiring-within-days must not be negative".into(),
        ));
    }
    let rule = EarnRule {
        points_per_unit: a.points_per_unit,
        valid_for: a.valid_days.saturating_mul(DAY),
    };
    let (events, graph) = profiles::load(&a.events)?;
    let now = profiles::at(a.at.as_deref(), &events)?;
    let events = profiles::up_to(events, now);
    let mut ledger = PointsLedger::from_purchases(
        &events,
        |e| graph.profile_id_of_event(e).map(String::from),
        &rule,
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    ledger.expire(now);
    let policy = ReminderPolicy {
        expiring_within: a.expiring_within_days.saturating_mul(DAY),
        near_tier_within: a.near_tier_within,
    };
    let reminders = ledger.reminders(now, &policy, &a.tiers);
    let (mut members, mut earned, mut balance, mut expired) = (0u64, 0u64, 0u64, 0u64);
    for (m, acc) in ledger.accounts() {
        members += 1;
        earned += acc.lifetime;
        expired += acc.expired;
        balance += ledger.balance(m, now);
    }
    if let Some(p) = &a.ledger_out {
        let text = serde_json::to_string_pretty(&ledger)?;
        fs::write(p, text + "\n").map_err(CliError::io(p))?;
    }
    let text = if a.json {
        let out = json!({
            "at": now,
            "members": members,
            "earned": earned,
            "balance": balance,
            "expired": expired,
            "reminders": reminders,
        });
        serde_json::to_string_pretty(&out)? + "\n"
    } else {
        format!(
            "{members} members earned {earned} points; at {}: {balance} usable, {expired} \
             expired; {} reminder(s)\n{}",
            profiles::when(now),
            reminders.len(),
            reminders_table(&reminders)
        )
    };
    crate::output::print(&text)?;
    Ok(())
}
