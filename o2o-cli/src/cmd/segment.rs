//! `o2o segment --events FILE --rules rules.json [--at TIME]`: who gets which voucher next.
//!
//! Groups the events into people with the identity graph (default rules, as `o2o report`),
//! summarises each profile (first seen, store visits and spend, regions, consent) and applies
//! the segment rules (docs/activation.md, "Segment rules"). Prints one JSON line per profile a
//! rule matches, `{"profile", "rule", "voucher_type", "because"}`, in profile order, and a count
//! per rule on stderr. Rules that look at behaviour never fire without personalisation consent.

use super::{CliError, profiles};
use o2o_core::segment::{RuleSet, decide_all, summarise};
use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

/// Flags of `o2o segment`.
#[derive(clap::Args)]
pub struct Args {
    /// Events (NDJSON, as `o2o simulate` writes).
    #[arg(long)]
    events: PathBuf,
    /// Segment rules, JSON: `{"rules": [{"name", "priority", "voucher_type", "when": […]}]}`.
    #[arg(long)]
    rules: PathBuf,
    /// When to evaluate (Unix seconds or RFC 3339), on the events up to then; default: the
    /// latest event's time.
    #[arg(long)]
    at: Option<String>,
}

/// Run `o2o segment`.
pub fn run(a: Args) -> Result<(), CliError> {
    let text = fs::read_to_string(&a.rules).map_err(CliError::io(&a.rules))?;
    let rules = RuleSet::from_json(&text)
        .map_err(|e| CliError::Usage(format!("{}: {e}", a.rules.display())))?;
    let (events, graph) = profiles::load(&a.events)?;
    let now = profiles::at(a.at.as_deref(), &events)?;
    let events = profiles::up_to(events, now);
    let people = summarise(&events, |e| graph.profile_id_of_event(e).map(String::from));
    let decisions = decide_all(&rules, &people, now);

    let mut by_rule: BTreeMap<&str, u64> = BTreeMap::new();
    let mut out = String::new();
    for d in &decisions {
        *by_rule.entry(d.rule.as_str()).or_default() += 1;
        out.push_str(&serde_json::to_string(d)?);
        out.push('\n');
    }
    crate::output::print(&out)?;
    let counts: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
    eprintln!(
        "{} profiles at {}: {} matched a rule ({}), {} none",
        people.len(),
        profiles::when(now),
        decisions.len(),
        if counts.is_empty() {
            "no rule matched".to_owned()
        } else {
            counts.join(", ")
        },
        people.len() - decisions.len()
    );
    Ok(())
}
