//! `o2o resolve --events FILE | --store DIR [--rules rules.json] [--truth truth.json] [--metrics FILE]`
//!
//! Resolves the identifiers of the events into profiles and writes one JSON line per profile,
//! `{"profile": ID, "identifiers": [{"kind": K, "value": V}, ...]}`, to stdout, in profile-id
//! order. A summary goes to stderr; with `--truth` the quality metrics too, and with `--metrics`
//! the metrics as JSON (`pairwise_precision`, `pairwise_recall`, `pairwise_f1`,
//! `bcubed_precision`, `bcubed_recall`, `bcubed_f1`, `profiles`, `largest_profile`, …).
//! Rejected event lines are reported on stderr with their line and field; the good ones are used.
//!
//! With `--store`, the resolution is also written into the store (`STORE/resolution/`: a profile
//! per event, the profile table, the rules and their SHA-256, the store's fingerprint), and the
//! later commands that read the store (`attribute`, `report`, `export`, `audience`, `design`) read
//! it instead of resolving again, until the store or the rules change.

use super::CliError;
use o2o_core::event::{Event, Identifier};
use o2o_core::identity::{IdentityGraph, ProfileId, ResolutionRules, evaluate_with_events};
use o2o_core::sim::Truth;
use serde::Serialize;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Flags of `o2o resolve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: super::input::EventsInput,
    /// Resolution rules as JSON (missing fields keep their defaults; see docs/identity.md).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Ground truth (`truth.json` from `o2o simulate`): score the profiles against it.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Write the metrics as JSON to this file (needs --truth).
    #[arg(long)]
    pub metrics: Option<PathBuf>,
}

/// The rules in `path` (a file changes only what it names), or the defaults.
pub(crate) fn read_rules(path: Option<&Path>) -> Result<ResolutionRules, CliError> {
    match path {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(CliError::io(p))?;
            serde_json::from_str::<ResolutionRules>(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
        }
        None => Ok(ResolutionRules::default()),
    }
}

/// Read the events (reporting bad lines on stderr), the rules, and build the graph.
pub(crate) fn load(
    input: &super::input::EventsInput,
    rules: Option<&Path>,
) -> Result<(IdentityGraph, Vec<Event>), CliError> {
    input.people(read_rules(rules)?)
}

#[derive(Serialize)]
struct Line<'a> {
    profile: ProfileId,
    identifiers: &'a [Identifier],
}

/// Run `o2o resolve`.
pub fn run(a: Args) -> Result<(), CliError> {
    if a.metrics.is_some() && a.truth.is_none() {
        return Err(CliError::Usage("--metrics needs --truth".to_owned()));
    }
    let (graph, events) = match (&a.input.events, &a.input.store) {
        // From a store: resolve afresh and store the resolution for later commands.
        (None, Some(dir)) => {
            let store = o2o_core::store::Store::open_writable(dir)?;
            let (people, info) = o2o_core::store::resolution::resolve_and_store(
                &store,
                read_rules(a.rules.as_deref())?,
            )?;
            if people.events.is_empty() {
                return Err(CliError::empty_store(dir));
            }
            eprintln!(
                "{}: stored the resolution ({} events, {} profiles; rules SHA-256 {}) in {}: later commands read it until the store or the rules change",
                dir.display(),
                info.events,
                info.profiles,
                &info.rules_sha256[..12],
                dir.join(o2o_core::store::resolution::RESOLUTION_DIR)
                    .display()
            );
            (people.graph, people.events)
        }
        _ => load(&a.input, a.rules.as_deref())?,
    };
    let profiles = graph.profiles();
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| CliError::Io {
        path: "stdout".to_owned(),
        source: e,
    };
    for p in &profiles {
        serde_json::to_writer(
            &mut w,
            &Line {
                profile: p.id,
                identifiers: &p.identifiers,
            },
        )
        .map_err(|e| io(e.into()))?;
        w.write_all(b"\n").map_err(io)?;
    }
    w.flush().map_err(io)?;
    let s = graph.stats();
    eprintln!(
        "{} events: {} observations, {} identifiers → {} profiles (largest {}); {} shared by the hub guard, {} merges prevented by limits; {} events without consent to link, {} blocked and {} invalid values",
        events.len(),
        s.observations,
        graph.identifiers(),
        profiles.len(),
        profiles.largest(),
        profiles.shared().len(),
        profiles.prevented_merges(),
        s.consent_denied,
        s.blocked,
        s.invalid
    );
    if let Some(tp) = &a.truth {
        let text = fs::read_to_string(tp).map_err(CliError::io(tp))?;
        let truth: Truth = serde_json::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", tp.display())))?;
        let m = evaluate_with_events(&graph, &truth, &events);
        eprintln!(
            "pairwise precision {:.4} recall {:.4} F1 {:.4}; B-cubed precision {:.4} recall {:.4} F1 {:.4}; largest profile {} (largest true person {})",
            m.pairwise_precision,
            m.pairwise_recall,
            m.pairwise_f1,
            m.bcubed_precision,
            m.bcubed_recall,
            m.bcubed_f1,
            m.largest_profile,
            m.largest_true_person
        );
        if let Some(r) = &m.reachable {
            eprintln!(
                "against the reachable truth (identifiers the events connect): pairwise precision {:.4} recall {:.4} F1 {:.4}",
                r.pairwise_precision, r.pairwise_recall, r.pairwise_f1
            );
        }
        if let Some(mp) = &a.metrics {
            let f = File::create(mp).map_err(CliError::io(mp))?;
            serde_json::to_writer_pretty(BufWriter::new(f), &m).map_err(|e| CliError::Io {
                path: mp.display().to_string(),
                source: e.into(),
            })?;
        }
    }
    Ok(())
}
