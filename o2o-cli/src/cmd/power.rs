//! `o2o power --baseline P --mde-relative R [--alpha A] [--power B] [--n-per-group N]`

use super::CliError;
use o2o_core::uplift::{PowerOptions, mde_proportions, power_proportions};

/// Flags of `o2o power`.
#[derive(clap::Args)]
#[command(
    after_help = "Output (JSON on stdout): {\"cohens_h\", \"n_per_group_arcsine\", \
\"n_per_group_normal\", …}\n\
cohens_h = 2·asin√p₂ − 2·asin√p₁ with p₁ the baseline and p₂ = p₁·(1 + R). \
Sizes are customers PER GROUP for a two-sided test, UNROUNDED: round up before recruiting. \
n_per_group_arcsine solves statsmodels NormalIndPower on h; n_per_group_normal is the unpooled \
normal approximation ((z₁₋α/₂ + z_power)·√(p₁q₁ + p₂q₂)/(p₂ − p₁))². \
Example: o2o power --baseline 0.08 --mde-relative 0.1"
)]
pub struct Args {
    /// Baseline (control) conversion rate p₁, in (0, 1).
    #[arg(long)]
    pub baseline: f64,
    /// Relative lift to detect, R: p₂ = p₁·(1 + R) (0.1 = +10 %; negative for a drop).
    #[arg(long, allow_negative_numbers = true)]
    pub mde_relative: f64,
    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Target power (1 − β).
    #[arg(long, default_value_t = 0.8)]
    pub power: f64,
    /// Also report the minimum detectable effect for this many customers per group (`mde`).
    #[arg(long)]
    pub n_per_group: Option<f64>,
}

/// Run `o2o power`.
pub fn run(a: Args) -> Result<(), CliError> {
    let o = PowerOptions {
        alpha: a.alpha,
        power: a.power,
        ..PowerOptions::default()
    };
    let p = power_proportions(a.baseline, a.mde_relative, &o)
        .map_err(|e| CliError::Usage(format!("--{e}").replace('_', "-")))?;
    let mut v = serde_json::to_value(&p)?;
    if let Some(n) = a.n_per_group {
        let m = mde_proportions(a.baseline, n, &o)
            .map_err(|e| CliError::Usage(format!("--n-per-group {n}: {e}")))?;
        v["mde"] = serde_json::to_value(&m)?;
    }
    super::uplift::print_json(&v)
}
