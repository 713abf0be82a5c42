//! Uplift statistics: did the exposed group really buy more, and how sure are we?
//!
//! Attribution says who touched what; uplift says what the ads *caused*, by comparing a
//! randomised (or carefully matched) test group with a control group. Which tool for which
//! question (see `docs/uplift.md`):
//!
//! | question | function |
//! |---|---|
//! | did the exposed convert more? ("bought 230 % more") | [`compare_proportions`] |
//! | do they spend more per customer? | [`welch_ttest`], [`bootstrap_mean_diff`], [`mann_whitney_u`] |
//! | same, with less noise from pre-period behaviour | [`cuped`] |
//! | how many customers do I need? what can I detect? | [`power_proportions`], [`solve_n_ttest`], [`mde_proportions`] |
//! | stores near the ads vs other stores, before vs after | [`did`] |
//! | one region got the campaign, the others did not | [`synthetic_control`] |
//! | may I look at the results every day? | [`SequentialMonitor`] |
//! | seven channels, which really worked? | [`adjust_p_values`] |
//! | how much did the campaign earn per unit spent? | [`incrementality`] |
//! | per-channel readout of a holdout audience | [`channel_readout`] |
//!
//! Every method is checked against statsmodels / scipy (fixtures in
//! `o2o-core/tests/fixtures/uplift/`). Distributions come from `statrs`.

// `!(x > limit)` is deliberate throughout the module: a NaN must fail every domain check.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod bootstrap;
mod cuped;
mod did;
mod dist;
mod error;
mod finite;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod incrementality;
mod linalg;
mod mann_whitney;
mod means;
mod multiple;
mod power;
mod proportions;
#[cfg(feature = "sim")]
mod readout;
mod sequential;
mod synthetic_control;

pub use bootstrap::{BootstrapCi, BootstrapOptions, bootstrap_mean_diff};
pub use cuped::{Cuped, cuped};
#[cfg(feature = "csv")]
pub use did::read_panel_csv;
pub use did::{DidEstimate, DidEstimator, DidOptions, PanelRow, did, did_log};
pub use dist::{
    T_EXPANSION_DF, T_QUANTILE_MAX_STEPS, chi2_isf, chi2_sf, norm_cdf, norm_isf, norm_ppf, norm_sf,
    t_cdf, t_isf, t_sf,
};
pub use error::UpliftError;
pub use finite::non_finite_field;
pub use incrementality::{Estimate, HoldoutArm, Incrementality, holdout_arm, incrementality};
pub use mann_whitney::{MannWhitney, MwuMethod, mann_whitney_u};
pub use means::{SummaryStats, WelchTest, welch_df, welch_ttest, welch_ttest_samples};
pub use multiple::{Adjusted, Correction, adjust_p_values};
pub use power::{
    POWER_MAX_DOUBLINGS, PowerOptions, ProportionMde, ProportionPower, cohens_h, mde_normal,
    mde_proportions, mde_ttest, n_unpooled_normal, nct_cdf, normal_ind_power, power_proportions,
    solve_n_normal, solve_n_ttest, ttest_ind_power,
};
pub use proportions::{
    Alternative, Counts, Interval, ProportionReport, TestOptions, ZTest, ci_diff_agresti_caffo,
    ci_diff_newcombe, ci_diff_wald, ci_ratio_log, compare_proportions, proportions_ztest,
    wilson_interval,
};
#[cfg(feature = "sim")]
pub use readout::{ChannelUplift, channel_readout, channel_readouts};
pub use sequential::{
    DEFAULT_MIN_N, DEFAULT_TUNING_N, SequentialLook, SequentialMonitor, SequentialOptions,
    confidence_sequence, mixture_rho,
};
pub use synthetic_control::{
    PlaceboFailure, SYNTH_MAX_ITERATIONS, SYNTH_TOLERANCE, SimplexFit, SyntheticControl,
    simplex_least_squares, synthetic_control,
};

#[cfg(test)]
mod tests;
