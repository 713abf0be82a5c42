//! `o2o did --panel FILE [--alpha A]`: difference-in-differences on a store × period panel.

use super::CliError;
use o2o_core::uplift::{DidEstimator, DidOptions, did, did_log, read_panel_csv};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

/// Flags of `o2o did`.
#[derive(clap::Args)]
#[command(
    after_help = "Panel CSV with a header naming the columns store, period, treated, post, \
value (any order; treated/post as 1/0/true/false). Bad rows are reported on stderr with their \
line and field and skipped; good rows are kept.\n\
Output (JSON on stdout): {\"estimate\", \"se\", \"ci\": [lo, hi], \"p_value\", \"ci_t\", \
\"p_value_t\", \"relative\", \"estimator\", \"balanced\", \"cell_means\", \"stores\", \"periods\", \
\"rows\", \"bad_rows\"}. se is clustered by store (statsmodels cov_type='cluster' with its \
small-sample correction); ci/p_value are normal (statsmodels' default), ci_t/p_value_t use t with \
stores − 1 df (prefer them with few stores). estimator is pooled (value ~ treated + post + \
treated·post) or two-way-fixed-effects (value ~ store + period + treated·post, used by default \
when some store misses a period)."
)]
pub struct Args {
    /// The panel CSV.
    #[arg(long)]
    pub panel: PathBuf,
    /// Fit on ln(value): the effect is relative (`relative`, `ci_relative`). Use it when the
    /// groups differ in size and the market moves in per cent.
    #[arg(long)]
    pub log: bool,
    /// Significance level; intervals are at 1 − alpha.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Estimator: `auto` (pooled 2×2 on a balanced panel, two-way fixed effects on an
    /// unbalanced one), `pooled`, or `twfe` (store and period fixed effects). The output's
    /// `estimator` says which was used.
    #[arg(long, default_value = "auto")]
    pub estimator: String,
}

/// Run `o2o did`.
pub fn run(a: Args) -> Result<(), CliError> {
    let f = File::open(&a.panel).map_err(CliError::io(&a.panel))?;
    let (rows, errors) = read_panel_csv(BufReader::new(f))
        .map_err(|e| CliError::Usage(format!("{}: {e}", a.panel.display())))?;
    for e in &errors {
        eprintln!("o2o did: {}: {e} (row skipped)", a.panel.display());
    }
    let estimator: DidEstimator = a
        .estimator
        .parse()
        .map_err(|e: o2o_core::uplift::UpliftError| CliError::Usage(format!("--{e}")))?;
    let options = DidOptions {
        alpha: a.alpha,
        estimator,
    };
    let fit = if a.log { did_log } else { did };
    let d = fit(&rows, &options).map_err(|e| {
        if e.to_string().starts_with("alpha") {
            CliError::Usage(format!("--{}: {e}", a.panel.display()))
        } else {
            CliError::at(&a.panel)(e)
        }
    })?;
    let mut v = serde_json::to_value(&d)?;
    v["bad_rows"] = serde_json::to_value(&errors)?;
    super::uplift::print_json(&v)
}
