//! `o2o explain --events FILE A B [--rules rules.json]`
//!
//! Why are A and B (each `kind:value`, e.g. `email:ann@example.com`) one person, or why not?
//! Prints the explanation as JSON: `{"linked": true, "profile": ID, "chain": [{"from", "to",
//! "source", "first_seen", "last_seen", "count"}...]}` or `{"linked": false, "reasons": [{"reason":
//! "hub" | "blocked" | "limit" | "window" | "consent" | "different_profiles" | …}...]}`.

use super::CliError;
use o2o_core::identity::parse_identifier;
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
    let (graph, _) = super::resolve::load(&a.input, a.rules.as_deref())?;
    let e = graph.explain(&ia, &ib);
    let text = serde_json::to_string_pretty(&e).map_err(|e| CliError::Core(e.to_string()))?;
    println!("{text}");
    Ok(())
}
