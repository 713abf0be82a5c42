//! `o2o explain --events FILE | --store DIR A B [--rules rules.json] [--hmac-key-file F]`
//!
//! Why are A and B (each `kind:value`, e.g. `email:ann@example.com`) one person, or why not?
//! Prints the explanation as JSON: `{"linked": true, "profile": ID, "chain": [{"from", "to",
//! "source", "first_seen", "last_seen", "count"}...]}` or `{"linked": false, "reasons": [{"reason":
//! "hub" | "blocked" | "limit" | "window" | "consent" | "different_profiles" | …}...]}`.
//! Exits 2 when an identifier never occurs in the events (`unknown`), after printing. A store
//! that keeps keyed pseudonyms needs its key (`--hmac-key-file`): A and B are pseudonymised
//! with it before they are looked up.

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
    /// Key file holding the key of a store that keeps keyed pseudonyms (`o2o ingest
    /// --hmac-key-file`).
    #[arg(long)]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
}

/// Run `o2o explain`.
pub fn run(a: Args) -> Result<(), CliError> {
    let mut ia = parse_identifier(&a.a).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut ib = parse_identifier(&a.b).map_err(|e| CliError::Usage(e.to_string()))?;
    let rules = super::resolve::read_rules(a.rules.as_deref())?;
    if let (None, Some(dir)) = (&a.input.events, &a.input.store) {
        let store = o2o_core::store::Store::open(dir)?;
        let ring = match &a.hmac_key_file {
            Some(p) => Some(super::voucher::ring(p, &a.key_perms)?),
            None => None,
        };
        if let Some(mut key) = store.lookup_key(ring.as_ref(), &rules)? {
            for id in [&mut ia, &mut ib] {
                if let Some(stored) = key.stored_form(id) {
                    *id = stored;
                }
            }
        }
    }
    let (graph, _) = a.input.people_fresh(rules)?;
    let e = graph.explain(&ia, &ib);
    let text = serde_json::to_string_pretty(&e)?;
    crate::output::print_line(text)?;
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
