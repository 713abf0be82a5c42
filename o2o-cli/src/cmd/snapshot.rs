//! `o2o snapshot --events FILE | --store DIR --out FILE [--rules rules.json] [--hmac-key-file F]`
//! and `o2o restore --snapshot FILE [--explain A B [--hmac-key-file F]]`.
//!
//! A snapshot is the identity graph as canonical JSON (`docs/identity.md`, Snapshots): a POS or
//! CRM keeps it between runs instead of resolving every record again. It keeps the weights of
//! scored links (`o2o match --store`). With `--hmac-key-file` every identifier in it is a keyed
//! pseudonym (`docs/privacy.md`). `o2o restore` reads one back and prints its profiles as
//! `o2o resolve` does (one JSON line each) and a summary on stderr; with `--explain A B` it
//! prints instead the explanation of A and B (`kind:value`) in the restored graph, as
//! `o2o explain` does (JSON, exit 2 when one is unknown). A snapshot of keyed pseudonyms needs
//! its key (`--hmac-key-file`) to look raw identifiers up.

use super::CliError;
use o2o_core::hashing::{NormalizeOptions, Platform, Pseudonymizer};
use o2o_core::identity::{IdentityGraph, parse_identifier};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Flags of `o2o snapshot`.
#[derive(clap::Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub input: super::input::EventsInput,
    /// Resolution rules as JSON (kept in the snapshot).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Where to write the snapshot.
    #[arg(long)]
    pub out: PathBuf,
    /// Key file (`KEY_ID:HEX` lines; the first key is used): identifiers are written as keyed
    /// pseudonyms. A store that keeps keyed pseudonyms gives them as they are, with or without
    /// this flag (with it, the key must be the store's).
    #[arg(long)]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
}

/// Flags of `o2o restore`.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A snapshot written by `o2o snapshot`.
    #[arg(long)]
    pub snapshot: PathBuf,
    /// Explain whether and why A and B (`kind:value`) are one person in the restored graph
    /// (JSON, as `o2o explain` prints it) instead of printing the profiles.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub explain: Option<Vec<String>>,
    /// With --explain: key file holding the key of a snapshot of keyed pseudonyms; A and B
    /// are pseudonymised with it.
    #[arg(long, requires = "explain")]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
}

/// Run `o2o snapshot`.
pub fn snapshot(a: SnapshotArgs) -> Result<(), CliError> {
    // Resolved afresh from a store: a stored resolution does not keep scored links' weights.
    let (graph, _) = a
        .input
        .people_fresh(super::resolve::read_rules(a.rules.as_deref())?)?;
    if graph.observations() == 0 {
        return Err(CliError::Usage(format!(
            "{}: nothing to link (no record with a linkable identifier and consent to link)",
            a.input.describe()
        )));
    }
    let bytes = match &a.hmac_key_file {
        Some(p) => {
            let ring = super::voucher::ring(p, &a.key_perms)?;
            let opts = NormalizeOptions {
                profile: Platform::Meta,
                default_country: graph.rules().default_country.clone(),
                phone: graph.rules().phone,
                ..NormalizeOptions::default()
            };
            let mut pz = Pseudonymizer::from_ring(&ring, opts);
            graph.snapshot_pseudonymized(&mut pz)?
        }
        None => graph.snapshot(),
    };
    std::fs::write(&a.out, &bytes).map_err(CliError::io(&a.out))?;
    eprintln!(
        "{}: {} identifiers, {} observations, {} profiles",
        a.out.display(),
        graph.identifiers(),
        graph.observations(),
        graph.profiles().len()
    );
    Ok(())
}

/// Run `o2o restore`.
pub fn restore(a: RestoreArgs) -> Result<(), CliError> {
    let bytes = std::fs::read(&a.snapshot).map_err(CliError::io(&a.snapshot))?;
    let graph = IdentityGraph::restore(&bytes)
        .map_err(|e| CliError::Usage(format!("{}: {e}", a.snapshot.display())))?;
    if let Some(ids) = &a.explain {
        let ring = match &a.hmac_key_file {
            Some(p) => Some(super::voucher::ring(p, &a.key_perms)?),
            None => None,
        };
        let mut query = Vec::with_capacity(2);
        for s in ids {
            let id = parse_identifier(s).map_err(|e| CliError::Usage(e.to_string()))?;
            let stored = graph
                .stored_form(&id, ring.as_ref())
                .map_err(|e| CliError::Usage(format!("{}: {e}", a.snapshot.display())))?;
            query.push(stored);
        }
        let e = graph.explain(&query[0], &query[1]);
        return super::explain::print(&e, &a.snapshot.display().to_string());
    }
    let profiles = graph.profiles();
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| CliError::Io {
        path: "stdout".to_owned(),
        source: e,
    };
    for p in &profiles {
        let line = serde_json::json!({"profile": p.id, "identifiers": p.identifiers});
        serde_json::to_writer(&mut w, &line).map_err(|e| io(e.into()))?;
        w.write_all(b"\n").map_err(io)?;
    }
    w.flush().map_err(io)?;
    eprintln!(
        "{}: {} identifiers, {} observations, {} profiles",
        a.snapshot.display(),
        graph.identifiers(),
        graph.observations(),
        profiles.len()
    );
    Ok(())
}
