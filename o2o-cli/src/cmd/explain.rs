//! `o2o explain --events FILE A B [--rules rules.json]`
//!
//! Why are A and B (each `kind:value`, e.g. `email:ann@example.com`) one person, or why not?
//! Prints the explanation as JSON: `{"linked": true, "profile": ID, "chain": [{"from", "to",
//! "source", "first_seen", "last_seen", "count"}...]}` or `{"linked": false, "reasons": [{"reason":
//! "hub" | "blocked" | "limit" | "window" | "consent" | "different_profiles" | …}...]}`.
//! Exits 2 when an identifier never occurs in the events (`unknown`), after printing.

use super::CliError;
use o2o_core::identity::{NotLinked, parse_identifier};
use std::path::PathBuf;

/// Flags of `o2o explain`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: super::input::EventsInput,
    /// Resolution rules as JSON.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// First identifier, `kind:value`.
    pub a: String,
    /// Second identifier, `kind:value`.
    pub b: String,
}

/// Run `o2o explain`.
pub fn run(a: Args) -> Result<(), CliError> {
    let ia = parse_identifier(&a.a).map_err(|e| CliError::Usage(e.to_string()))?;
    let ib = parse_identifier(&a.b).map_err(|e| CliError::Usage(e.to_string()))?;
    let (graph, _) = a
        .input
        .people_fresh(super::resolve::read_rules(a.rules.as_deref())?)?;
    let e = graph.explain(&ia, &ib);
    let text = serde_json::to_string_pretty(&e)?;
    println!("{text}");
    // An identifier the events never mention has no answer: say so in the exit status too (the
    // reason names which; the message does not repeat the value).
    let unknown = e
        .reasons()
        .iter()
        .filter(|r| matches!(r, NotLinked::Unknown { .. }))
        .count();
    if unknown > 0 {
        return Err(CliError::Usage(format!(
            "{unknown} of the two identifiers never occur in {} (reason `unknown` above)",
            a.input.describe()
        )));
    }
    Ok(())
}
