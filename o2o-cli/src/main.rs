//! `o2o`: the command line over o2o-core, for analysts working on exported data.
//!
//! Each subcommand lives in its own module under `cmd/` and only translates: it parses flags,
//! reads files, calls the core, and prints. Flags and JSON field names are contracts (see
//! `o2o <command> --help` and the page per topic in `docs/`).

mod cmd;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Measure and drive Online-to-Offline marketing.
#[derive(Parser)]
#[command(name = "o2o", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest command's flags does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Read exports (POS, Wi-Fi, GA4, ad platforms, spend, holdouts, consent) through a source
    /// map into the event store.
    Ingest(cmd::ingest::Args),
    /// Simulate a campaign with a known ground truth; writes events.ndjson, truth.json, audience.csv.
    Simulate(cmd::simulate::Args),
    /// Simulate a campaign and run the whole pipeline on it, printing a report.
    Demo(cmd::demo::Args),
    /// Normalise identifiers (one per line on stdin) by an ad platform's rules.
    Normalize(cmd::normalize::Args),
    /// Normalise and SHA-256 identifiers (one per line on stdin), or keyed HMAC pseudonyms.
    Hash(cmd::hash::Args),
    /// Consent signals: decode TCF v2.2 TC strings, check what the consent gate allows.
    Consent(cmd::consent::Args),
    /// Did the test group convert (or spend) more than control? z / Welch tests with intervals.
    Uplift(cmd::uplift::Args),
    /// Sample size per group to detect a relative lift of a conversion rate.
    Power(cmd::power::Args),
    /// Difference-in-differences on a store × period panel, SEs clustered by store.
    Did(cmd::did::Args),
    /// Design a test before the money is spent: holdout share and duration, the holdout list,
    /// which stores to treat; writes the plan `o2o report --design` reads.
    Design(cmd::design::Args),
    /// Attribute conversions to channels (first, last, linear, position, Markov, Shapley…).
    Attribute(cmd::attribute::Args),
    /// Resolve the events' identifiers into profiles (one JSON line each); score against truth.
    /// With --store, also store the resolution for the later commands on that store.
    Resolve(cmd::resolve::Args),
    /// Explain why two identifiers (`kind:value`) are one person, or why not.
    Explain(cmd::explain::Args),
    /// Erase a person (every profile their identifiers reach) from the event store.
    Forget(cmd::forget::Args),
    /// Write the identity graph of the events as a snapshot (keyed pseudonyms with a key).
    Snapshot(cmd::snapshot::SnapshotArgs),
    /// Read a snapshot back and print its profiles.
    Restore(cmd::snapshot::RestoreArgs),
    /// Probabilistic matching: records that are one person without a shared identifier.
    Match(cmd::matching::Args),
    /// Issue and verify offline-checkable voucher codes.
    Voucher(cmd::voucher::Args),
    /// Write a new secret key (32 random bytes) to a key file, mode 0600.
    Keygen(cmd::keygen::Args),
    /// The O2O report per channel and campaign, the ROPO report and the KPIs.
    Report(cmd::report::Args),
    /// Who gets which voucher next: segment rules over the events' profiles.
    Segment(cmd::segment::Args),
    /// Write the file an ad platform's import takes (Meta CAPI, Google Ads, TikTok, Customer
    /// Match, Meta audiences), consent-gated per record.
    Export(cmd::export::Args),
    /// The profiles a segment selects, minus recent buyers of a product (CSV or JSON lines).
    Audience(cmd::audience::Args),
    /// Survey answers: alerts for unhappy customers, satisfaction per store and segment.
    Survey(cmd::survey::Args),
    /// Loyalty points from store purchases, and reminders (points expiring, a tier near).
    Loyalty(cmd::loyalty::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest(a) => cmd::ingest::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Normalize(a) => cmd::normalize::run(a),
        Command::Hash(a) => cmd::hash::run(a),
        Command::Consent(a) => cmd::consent::run(a),
        Command::Uplift(a) => cmd::uplift::run(a),
        Command::Power(a) => cmd::power::run(a),
        Command::Did(a) => cmd::did::run(a),
        Command::Design(a) => cmd::design::run(a),
        Command::Attribute(a) => cmd::attribute::run(a),
        Command::Resolve(a) => cmd::resolve::run(a),
        Command::Explain(a) => cmd::explain::run(a),
        Command::Forget(a) => cmd::forget::run(a),
        Command::Snapshot(a) => cmd::snapshot::snapshot(a),
        Command::Restore(a) => cmd::snapshot::restore(a),
        Command::Match(a) => cmd::matching::run_cmd(a),
        Command::Voucher(a) => cmd::voucher::run(a),
        Command::Keygen(a) => cmd::keygen::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Segment(a) => cmd::segment::run(a),
        Command::Export(a) => cmd::export::run(a),
        Command::Audience(a) => cmd::audience::run(a),
        Command::Survey(a) => cmd::survey::run(a),
        Command::Loyalty(a) => cmd::loyalty::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("o2o: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
