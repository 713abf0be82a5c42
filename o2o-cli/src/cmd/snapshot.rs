//! `o2o snapshot --events FILE | --store DIR --out FILE [--rules rules.json] [--hmac-key-file F]`
//! and `o2o restore --snapshot FILE`.
//!
//! A snapshot is the identity graph as canonical JSON (`docs/identity.md`, Snapshots): a POS or
//! CRM keeps it between runs instead of resolving every record again. With `--hmac-key-file`
//! every identifier in it is a keyed pseudonym (`docs/privacy.md`). `o2o restore` reads one back
//! and prints its profiles as `o2o resolve` does (one JSON line each) and a summary on stderr.

use super::CliError;
use o2o_core::hashing::{NormalizeOptions, Platform, Pseudonymizer};
use o2o_core::identity::IdentityGraph;
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
}

/// Run `o2o snapshot`.
pub fn snapshot(a: SnapshotArgs) -> Result<(), CliError> {
    let (graph, _) = super::resolve::load(&a.input, a.rules.as_deref())?;
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
