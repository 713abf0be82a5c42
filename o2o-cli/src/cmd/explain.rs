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
use o2o_core::event::Identifier;
use o2o_core::identity::{Explanation, NotLinked, ResolutionRules, parse_identifier};
use o2o_core::store::Store;
use std::path::{Path, PathBuf};

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
        stored_forms(
            &store,
            a.hmac_key_file.as_deref(),
            &a.key_perms,
            &rules,
            [&mut ia, &mut ib],
        )?;
    }
    let (graph, _) = a.input.people_fresh(rules)?;
    let e = graph.explain(&ia, &ib);
    print(&e, &a.input.describe())
}

/// Print an explanation as JSON; an identifier `input` never mentions has no answer: say so in
/// the exit status too (the reason names which; the message does not repeat the value).
pub(crate) fn print(e: &Explanation, input: &str) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(e)?;
    crate::output::print_line(text)?;
    let unknown = e
        .reasons()
        .iter()
        .filter(|r| matches!(r, NotLinked::Unknown { .. }))
        .count();
    if unknown > 0 {
        return Err(CliError::Usage(format!(
            "{unknown} of the two identifiers never occur in {input} (reason `unknown` above)"
        )));
    }
    Ok(())
}

/// Replace identifiers a user typed (raw) by the forms `store` keeps them in: for a store that
/// keeps keyed pseudonyms (`o2o ingest --hmac-key-file`), their pseudonyms under its key, read
/// from `key_file` with `rules`' normalisation; unchanged for a plain store. A keyed store
/// without its key (no file, or a file without the store's key id) is an error naming the
/// store's key id, never a value. Shared by `o2o explain --store` and `o2o match --store
/// --explain`.
pub(crate) fn stored_forms<'a>(
    store: &Store,
    key_file: Option<&Path>,
    perms: &super::voucher::KeyFileArgs,
    rules: &ResolutionRules,
    ids: impl IntoIterator<Item = &'a mut Identifier>,
) -> Result<(), CliError> {
    let ring = match key_file {
        Some(p) => Some(super::voucher::ring(p, perms)?),
        None => None,
    };
    if let Some(mut key) = store.lookup_key(ring.as_ref(), rules)? {
        for id in ids {
            if let Some(stored) = key.stored_form(id) {
                *id = stored;
            }
        }
    }
    Ok(())
}
