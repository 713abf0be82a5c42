//! `o2o normalize --kind K [--profile meta|google|tiktok] [--default-country CC] [--threads N]`
//!
//! Values one per line on stdin; one output line per input line, in order: the normalised value,
//! or an empty line and `line N: reason` on stderr. Exit status 0 unless I/O fails.

use super::CliError;
use super::hash::{Normalizer, options, parse_kind, parse_profile, process_lines};
use o2o_core::event::IdKind;
use o2o_core::hashing::Profile;
use std::io;

/// Flags of `o2o normalize`.
#[derive(clap::Args)]
pub struct Args {
    /// Identifier kind: email, phone, first_name, last_name, date_of_birth, gender, city, state,
    /// zip, country, external_id, loyalty_card, device_id, mac, ip.
    #[arg(long, value_parser = parse_kind)]
    pub kind: IdKind,
    /// Platform normalisation rules.
    #[arg(long, default_value = "meta", value_parser = parse_profile)]
    pub profile: Profile,
    /// ISO 3166-1 alpha-2 country for phone numbers written without a country code.
    #[arg(long)]
    pub default_country: Option<String>,
    /// Truncate IP addresses to /24 (IPv4) or /48 (IPv6).
    #[arg(long)]
    pub ip_truncate: bool,
    /// Worker threads; output order is the input order whatever the count.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// Run `o2o normalize`.
pub fn run(a: Args) -> Result<(), CliError> {
    let opts = options(a.profile, a.default_country, a.ip_truncate)?;
    let mut ops: Vec<Normalizer> = (0..a.threads.max(1))
        .map(|_| Normalizer {
            opts: opts.clone(),
            buf: String::with_capacity(128),
        })
        .collect();
    process_lines(
        a.kind,
        io::stdin().lock(),
        io::stdout().lock(),
        io::stderr().lock(),
        &mut ops,
    )
}
