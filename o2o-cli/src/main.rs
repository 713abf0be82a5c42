//! `o2o`: the command line over o2o-core, for analysts working on exported data.
//!
//! Each subcommand lives in its own module under `cmd/` and only translates: it parses flags,
//! reads files, calls the core, and prints. Flags and JSON field names are contracts (see the
//! issues and `docs/cli.md`).

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

#[derive(Subcommand)]
enum Command {
    /// Simulate a campaign with a known ground truth; writes events.ndjson, truth.json, audience.csv.
    Simulate(cmd::simulate::Args),
    /// Simulate a campaign and run the whole pipeline on it, printing a report.
    Demo(cmd::demo::Args),
    /// Issue and verify offline-checkable voucher codes.
    Voucher(cmd::voucher::Args),
    /// The O2O report per channel and campaign, the ROPO report and the KPIs.
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Voucher(a) => cmd::voucher::run(a),
        Command::Report(a) => cmd::report::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("o2o: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
