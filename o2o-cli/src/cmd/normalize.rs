//! `o2o normalize --kind K [--profile meta|google|tiktok] [--default-country CC] [--threads N]`
//!
//! Values one per line on stdin; one output line per input line, in order: the normalised value,
//! or an empty line and `line N: reason` on stderr. Exit status 0 unless I/O fails.

use super::CliError;
use super::hash::{Normalizer, ValueFlags, process_lines};
use std::io;

/// Flags of `o2o normalize`: the same as `o2o hash` without a key.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub values: ValueFlags,
}

/// Run `o2o normalize`.
pub fn run(a: Args) -> Result<(), CliError> {
    let opts = a.values.options()?;
    let mut ops: Vec<Normalizer> = (0..a.values.threads.max(1))
        .map(|_| Normalizer {
            opts: opts.clone(),
            buf: String::with_capacity(128),
        })
        .collect();
    process_lines(
        a.values.kind,
        io::stdin().lock(),
        io::stdout().lock(),
        io::stderr().lock(),
        &mut ops,
    )
}
