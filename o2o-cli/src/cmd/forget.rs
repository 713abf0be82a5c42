//! `o2o forget --store DIR [--rules rules.json] [--hmac-key-file F] ID...`
//!
//! Erase a person from the event store: every profile any of the identifiers (`kind:value`, or
//! a profile id `p…`) reaches, with every identifier in it, from every Parquet file of the
//! store; records that also carry other people's identifiers keep theirs. Prints the receipt as
//! JSON: counts, and with `--hmac-key-file` the keyed pseudonyms (`KEY_ID:HEX`) of what was
//! erased; never a value. Erasing what is no longer there erases nothing and succeeds. A store
//! that keeps keyed pseudonyms (`o2o ingest --hmac-key-file`) needs its key: the identifiers
//! given are pseudonymised with it to find the person.

use super::CliError;
use o2o_core::event::Identifier;
use o2o_core::hashing::{NormalizeOptions, Platform, Pseudonymizer};
use o2o_core::identity::{ErasureReceipt, Forget, ProfileId, parse_identifier};
use o2o_core::store::{MANIFEST, Store, StoreErasure, resolve_people};
use serde::Serialize;
use std::path::PathBuf;
use zeroize::Zeroize;

/// Flags of `o2o forget`.
#[derive(clap::Args)]
pub struct Args {
    /// The event store to erase the person from.
    #[arg(long)]
    pub store: PathBuf,
    /// Resolution rules as JSON (as given to `o2o resolve`): they decide who the person is.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Key file (`KEY_ID:HEX` lines; the first key is used): the receipt lists the keyed
    /// pseudonyms of the erased identifiers. Required for a store that keeps keyed pseudonyms
    /// (its key, which the identifiers given are pseudonymised with).
    #[arg(long)]
    pub hmac_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub key_perms: super::voucher::KeyFileArgs,
    /// The person's identifiers, `kind:value` (`email:ann@example.com`), or profile ids.
    #[arg(required = true)]
    pub ids: Vec<String>,
}

#[derive(Serialize)]
struct Receipt {
    #[serde(flatten)]
    graph: ErasureReceipt,
    store: StoreErasure,
}

/// The targets named on the command line; a bad one is named by its position, not its value.
fn targets(ids: &mut [String]) -> Result<Vec<Forget>, CliError> {
    let mut out = Vec::with_capacity(ids.len());
    for (n, s) in ids.iter_mut().enumerate() {
        let t = if let Ok(p) = s.parse::<ProfileId>() {
            Forget::Profile(p)
        } else {
            match parse_identifier(s) {
                Ok(id) => Forget::Identifier(id),
                Err(_) => {
                    return Err(CliError::Usage(format!(
                        "identifier {}: expected kind:value (email:…, phone:…, external_id:…) or a profile id p…",
                        n + 1
                    )));
                }
            }
        };
        s.zeroize();
        out.push(t);
    }
    Ok(out)
}

/// Run `o2o forget`.
pub fn run(mut a: Args) -> Result<(), CliError> {
    let rules = super::resolve::read_rules(a.rules.as_deref())?;
    let mut what = targets(&mut a.ids)?;
    if !a.store.join(MANIFEST).exists() {
        return Err(CliError::Usage(format!(
            "{}: not an o2o event store (no {MANIFEST})",
            a.store.display()
        )));
    }
    let ring = match &a.hmac_key_file {
        Some(p) => Some(super::voucher::ring(p, &a.key_perms)?),
        None => None,
    };
    let mut pz = match &ring {
        Some(ring) => {
            let opts = NormalizeOptions {
                profile: Platform::Meta,
                default_country: rules.default_country.clone(),
                phone: rules.phone,
                ..NormalizeOptions::default()
            };
            Some(Pseudonymizer::from_ring(ring, opts))
        }
        None => None,
    };
    // Open for writing first: the lock keeps an ingest out until the erasure is done.
    let mut store = Store::create(&a.store, "UTC")?;
    // A keyed store holds pseudonyms: the person is found by theirs.
    if let Some(mut key) = store.lookup_key(ring.as_ref(), &rules)? {
        for w in &mut what {
            if let Forget::Identifier(id) = w
                && let Some(mut stored) = key.stored_form(id)
            {
                std::mem::swap(id, &mut stored);
                stored.value.zeroize();
            }
        }
    }
    let mut people = resolve_people(&store, rules)?;
    let matcher = people.graph.erasure_matcher(&what);
    let graph = people.graph.forget_all(&what, pz.as_mut())?;
    drop(people);
    let had_resolution = o2o_core::store::resolution::info(&store)
        .ok()
        .flatten()
        .is_some();
    let store_erasure = store.rewrite_without(|id| matcher.matches(id))?;
    if had_resolution && store_erasure.files_rewritten > 0 {
        eprintln!(
            "o2o forget: removed the stored resolution's files (they held the erased identifiers); `o2o resolve --store {}` stores it again",
            a.store.display()
        );
    }
    drop(matcher);
    for w in &mut what {
        if let Forget::Identifier(Identifier { value, .. }) = w {
            value.zeroize();
        }
    }
    if graph.identifiers_erased == 0 {
        eprintln!(
            "o2o forget: nothing in {} matches the identifiers given (already erased, or never ingested)",
            a.store.display()
        );
    }
    let text = serde_json::to_string_pretty(&Receipt {
        graph,
        store: store_erasure,
    })?;
    println!("{text}");
    Ok(())
}
