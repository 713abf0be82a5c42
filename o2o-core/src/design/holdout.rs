//! Customer holdouts: the share of customers to hold out and the number of days to run, for a
//! minimum detectable effect — or the effect a given share and duration can detect — with and
//! without CUPED.
//!
//! The readout compares the mean outcome per customer (visits or revenue in the test window) of
//! the target group with the holdout's, by a two-sided Welch test; with CUPED, of the outcome
//! less `θ ×` the pre-period value, whose variance is `σ²(1 − ρ²)` (ρ the correlation of the
//! outcome with the pre-period value in the history). With `N` customers, a share `s` held out
//! and `z = z₁₋α/₂ + z_power`, the relative minimum detectable effect is
//! `z · σ · √(1/(sN) + 1/((1 − s)N)) / μ`, and the share needed for an effect `δ` is the smaller
//! root of `s(1 − s) = (zσ/(δμ))² / N`: a holdout larger than half never helps, so when even
//! `s = ½` falls short the duration must grow. The figures are normal approximations (the
//! Welch test with hundreds of customers per arm); `check_holdout` measures the power reached.

use super::error::DesignError;
use super::history::{History, Metric, WindowStats};
use crate::uplift::{norm_cdf, norm_isf, norm_ppf};
use serde::Serialize;

/// How to design a holdout. `Default`: visits, α = 0.05, power 0.8, a 5 % effect, the share
/// and duration solved for, a holdout of at most half.
#[derive(Clone, Debug, PartialEq)]
pub struct HoldoutOptions {
    /// The outcome.
    pub metric: Metric,
    /// Two-sided significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Minimum detectable effect, relative (0.05 = +5 %).
    pub mde: f64,
    /// A fixed holdout share: the design then says what effect it detects.
    pub share: Option<f64>,
    /// A fixed duration in days; `None` tries `durations`.
    pub days: Option<usize>,
    /// Durations tried when `days` is `None` (those the history can stand for).
    pub durations: Vec<usize>,
    /// Largest holdout share recommended.
    pub max_share: f64,
}

impl Default for HoldoutOptions {
    fn default() -> Self {
        HoldoutOptions {
            metric: Metric::Visits,
            alpha: 0.05,
            power: 0.8,
            mde: 0.05,
            share: None,
            days: None,
            durations: vec![7, 14, 21, 28, 35, 42, 56, 84],
            max_share: 0.5,
        }
    }
}

impl HoldoutOptions {
    /// The level and power the holdout is planned for.
    #[must_use]
    pub fn target(&self) -> PowerTarget {
        PowerTarget {
            alpha: self.alpha,
            power: self.power,
        }
    }
}

/// One duration: what the history says and what a holdout of that length can do.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DurationRow {
    /// Days the test runs.
    pub days: usize,
    /// The metric over that many days (customers, mean, sd, pre-period correlation).
    pub stats: WindowStats,
    /// Holdout share needed for the MDE without CUPED (`null`: not reachable even at ½).
    pub share_needed: Option<f64>,
    /// Holdout share needed with CUPED.
    pub share_needed_cuped: Option<f64>,
    /// The share the figures below are for: the given one, or the one needed with CUPED
    /// (rounded up to half a percentage point), or the largest allowed.
    pub share: f64,
    /// Relative MDE at `share`, without CUPED.
    pub mde: f64,
    /// Relative MDE at `share`, with CUPED.
    pub mde_cuped: f64,
    /// Power for the target MDE at `share`, without CUPED.
    pub power: f64,
    /// Power for the target MDE at `share`, with CUPED.
    pub power_cuped: f64,
    /// Expected full width of the (1 − α) interval of the relative lift, without CUPED.
    pub interval_width: f64,
    /// The same with CUPED.
    pub interval_width_cuped: f64,
}

/// The design recommended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    /// Days to run.
    pub days: usize,
    /// Holdout share.
    pub share: f64,
    /// Whether the readout adjusts by CUPED (the history's pre-period correlation helps).
    pub cuped: bool,
    /// Relative MDE of the design.
    pub mde: f64,
    /// Power for the target MDE.
    pub power: f64,
    /// Expected full width of the interval of the relative lift.
    pub interval_width: f64,
    /// Customers held out.
    pub holdout_customers: u64,
    /// Customers targeted.
    pub target_customers: u64,
    /// Why this one, in words.
    pub reason: String,
}

/// A holdout design: every duration tried and the recommendation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HoldoutDesign {
    /// The outcome.
    pub metric: Metric,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Target minimum detectable effect (relative).
    pub mde: f64,
    /// The fixed share, when one was given.
    pub share_given: Option<f64>,
    /// One row per duration.
    pub durations: Vec<DurationRow>,
    /// The design to run.
    pub recommended: Recommendation,
}

fn z_sum(alpha: f64, power: f64) -> Result<(f64, f64), DesignError> {
    Ok((norm_isf(alpha / 2.0)?, norm_ppf(power)?))
}

/// Standard error of the relative lift with `n` customers, a share `share` held out, an outcome
/// of mean `mean` and standard deviation `sd`, CUPED removing `vr` of its variance.
pub(crate) fn se_rel_pub(mean: f64, sd: f64, n: f64, share: f64, vr: f64) -> f64 {
    se_rel(mean, sd, n, share, vr)
}

fn se_rel(mean: f64, sd: f64, n: f64, share: f64, vr: f64) -> f64 {
    sd * (1.0 - vr).max(0.0).sqrt() * (1.0 / (share * n) + 1.0 / ((1.0 - share) * n)).sqrt() / mean
}

/// The level and power a design is planned for. `Default`: α = 0.05 (two-sided), power 0.8.
///
/// ```
/// use o2o_core::design::{PowerTarget, mde_at, power_at};
/// let target = PowerTarget::default();
/// let mde = mde_at(0.02, &target).unwrap();
/// // The power at the MDE is the target power (the far tail adds under 1e-6).
/// assert!((power_at(mde, 0.02, &target).unwrap() - 0.8).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerTarget {
    /// Two-sided significance level, in (0, 1).
    pub alpha: f64,
    /// Target power, in (α, 1). Ignored by [`power_at`], which computes a power.
    pub power: f64,
}

impl Default for PowerTarget {
    fn default() -> Self {
        PowerTarget {
            alpha: 0.05,
            power: 0.8,
        }
    }
}

/// The outcome per customer a holdout is sized on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutcomeSpread {
    /// Mean outcome per customer.
    pub mean: f64,
    /// Its standard deviation (after CUPED, `sd·√(1 − ρ²)`).
    pub sd: f64,
    /// Customers in the test (both arms).
    pub customers: f64,
}

/// Relative MDE of a two-sided test at `target`'s level and power, for a relative lift whose
/// standard error is `se`.
pub fn mde_at(se: f64, target: &PowerTarget) -> Result<f64, DesignError> {
    let (za, zb) = z_sum(target.alpha, target.power)?;
    Ok((za + zb) * se)
}

/// Power of a two-sided normal test at `target`'s level for a true relative effect `effect`
/// whose estimate has standard error `se`.
pub fn power_at(effect: f64, se: f64, target: &PowerTarget) -> Result<f64, DesignError> {
    let alpha = target.alpha;
    let za = norm_isf(alpha / 2.0)?;
    if se <= 0.0 {
        return Ok(if effect != 0.0 { 1.0 } else { alpha });
    }
    Ok(norm_cdf(effect / se - za)? + norm_cdf(-effect / se - za)?)
}

/// The smaller holdout share that detects `mde` (relative) in `outcome` at `target`; `None`
/// when even half is short.
///
/// ```
/// use o2o_core::design::{OutcomeSpread, PowerTarget, share_for};
/// let visits = OutcomeSpread { mean: 0.6, sd: 1.1, customers: 400_000.0 };
/// let share = share_for(0.05, &visits, &PowerTarget::default()).unwrap().unwrap();
/// assert!(share > 0.0 && share < 0.5);
/// ```
pub fn share_for(
    mde: f64,
    outcome: &OutcomeSpread,
    target: &PowerTarget,
) -> Result<Option<f64>, DesignError> {
    let (za, zb) = z_sum(target.alpha, target.power)?;
    let OutcomeSpread {
        mean,
        sd,
        customers: n,
    } = *outcome;
    if sd == 0.0 {
        return Ok(Some(1.0 / n));
    }
    let k = n * (mde * mean / ((za + zb) * sd)).powi(2);
    if !(k >= 4.0) {
        return Ok(None);
    }
    Ok(Some((1.0 - (1.0 - 4.0 / k).sqrt()) / 2.0))
}

fn check_options(o: &HoldoutOptions) -> Result<(), DesignError> {
    if !(o.alpha > 0.0 && o.alpha < 1.0) {
        return Err(DesignError::flag(
            "alpha",
            format!("{} must be in (0, 1)", o.alpha),
        ));
    }
    if !(o.power > o.alpha && o.power < 1.0) {
        return Err(DesignError::flag(
            "power",
            format!("{} must be in (alpha, 1)", o.power),
        ));
    }
    if !(o.mde > 0.0 && o.mde.is_finite()) {
        return Err(DesignError::flag(
            "mde",
            format!("{} must be a positive relative effect (5% or 0.05)", o.mde),
        ));
    }
    if let Some(s) = o.share
        && !(s > 0.0 && s < 1.0)
    {
        return Err(DesignError::flag("share", format!("{s} must be in (0, 1)")));
    }
    if !(o.max_share > 0.0 && o.max_share <= 0.5) {
        return Err(DesignError::flag(
            "max-share",
            format!("{} must be in (0, 0.5]", o.max_share),
        ));
    }
    Ok(())
}

/// Share rounded up to half a percentage point, so the plan is a round number and still
/// reaches its power.
fn round_up_share(s: f64) -> f64 {
    ((s * 200.0).ceil() / 200.0).min(0.5)
}

fn row(stats: WindowStats, o: &HoldoutOptions, za: f64) -> Result<DurationRow, DesignError> {
    let n = stats.population as f64;
    let vr = stats.variance_reduction;
    let sd_cuped = stats.sd * (1.0 - vr).max(0.0).sqrt();
    let target = o.target();
    let spread = |sd| OutcomeSpread {
        mean: stats.mean,
        sd,
        customers: n,
    };
    let share_needed = share_for(o.mde, &spread(stats.sd), &target)?;
    let share_needed_cuped = share_for(o.mde, &spread(sd_cuped), &target)?;
    let share = match (o.share, share_needed_cuped) {
        (Some(s), _) => s,
        (None, Some(s)) => round_up_share(s).min(o.max_share),
        (None, None) => o.max_share,
    };
    if stats.mean <= 0.0 {
        return Err(DesignError::History(format!(
            "no {} in the last {} days: nothing to measure a relative effect against",
            stats.days,
            o.metric.as_str()
        )));
    }
    let se = se_rel(stats.mean, stats.sd, n, share, 0.0);
    let se_c = se_rel(stats.mean, stats.sd, n, share, vr);
    Ok(DurationRow {
        days: stats.days,
        share_needed,
        share_needed_cuped,
        share,
        mde: mde_at(se, &target)?,
        mde_cuped: mde_at(se_c, &target)?,
        power: power_at(o.mde, se, &target)?,
        power_cuped: power_at(o.mde, se_c, &target)?,
        interval_width: 2.0 * za * se,
        interval_width_cuped: 2.0 * za * se_c,
        stats,
    })
}

/// Below this share of variance removed, CUPED is not worth planning on.
const CUPED_WORTH: f64 = 0.01;

/// Design a customer holdout from `history`.
///
/// ```
/// use o2o_core::design::{HoldoutOptions, design_holdout};
/// # let history = o2o_core::design::History::default();
/// // With a history from the store (History::from_events), 5 % at 80 % power:
/// let d = design_holdout(&history, &HoldoutOptions::default());
/// assert!(d.is_err()); // an empty history designs nothing
/// ```
pub fn design_holdout(history: &History, o: &HoldoutOptions) -> Result<HoldoutDesign, DesignError> {
    check_options(o)?;
    let (za, _) = z_sum(o.alpha, o.power)?;
    let total = history.days.len();
    let tried: Vec<usize> = match o.days {
        Some(d) => vec![d],
        None => o
            .durations
            .iter()
            .copied()
            .filter(|&d| d > 0 && d + 7 <= total)
            .collect(),
    };
    if tried.is_empty() {
        return Err(DesignError::History(format!(
            "{total} days of history: a design needs at least 7 days of pre-period before a \
             test window of 7 days or more (or give --days)"
        )));
    }
    let mut rows = Vec::with_capacity(tried.len());
    for d in tried {
        rows.push(row(history.window(o.metric, d)?, o, za)?);
    }
    let cuped_of = |r: &DurationRow| r.stats.variance_reduction >= CUPED_WORTH;
    let reaches = |r: &DurationRow| {
        if cuped_of(r) {
            r.mde_cuped <= o.mde * (1.0 + 1e-12)
        } else {
            r.mde <= o.mde * (1.0 + 1e-12)
        }
    };
    let (pick, reason) = match (o.days, rows.iter().position(reaches)) {
        (Some(_), Some(i)) => (i, "the duration given reaches the target effect".to_owned()),
        (Some(_), None) => (
            0,
            format!(
                "the duration given cannot detect {:.1} % with power {:.0} %: run longer, \
                 hold out more, or aim for a larger effect",
                o.mde * 100.0,
                o.power * 100.0
            ),
        ),
        (None, Some(i)) => (
            i,
            "the shortest duration that reaches the target effect".to_owned(),
        ),
        (None, None) => (
            rows.len() - 1,
            format!(
                "no duration tried detects {:.1} % with power {:.0} % even with half held out: \
                 this is the longest; aim for a larger effect or a larger audience",
                o.mde * 100.0,
                o.power * 100.0
            ),
        ),
    };
    let r = &rows[pick];
    let cuped = cuped_of(r);
    let n = r.stats.population as f64;
    let holdout = (r.share * n).round();
    let recommended = Recommendation {
        days: r.days,
        share: r.share,
        cuped,
        mde: if cuped { r.mde_cuped } else { r.mde },
        power: if cuped { r.power_cuped } else { r.power },
        interval_width: if cuped {
            r.interval_width_cuped
        } else {
            r.interval_width
        },
        holdout_customers: holdout as u64,
        target_customers: (n - holdout) as u64,
        reason,
    };
    Ok(HoldoutDesign {
        metric: o.metric,
        alpha: o.alpha,
        power: o.power,
        mde: o.mde,
        share_given: o.share,
        durations: rows,
        recommended,
    })
}
