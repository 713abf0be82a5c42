//! The difference-in-differences way of reading a store test: the treated stores against
//! matched control stores, with o2o's [`did`] estimator, instead of a synthetic control's
//! weights.
//!
//! Matching: every series is scaled by its mean over the pre-period (so that a store of 300
//! visits a day and one of 60 count alike), and each treated store takes the `matches` control
//! candidates whose scaled pre-period series correlate with it most (a store's regional
//! neighbours, which share its regional swings). The matched controls, pooled with equal
//! weight, are the counterfactual: the pooled 2×2 regression `value ~ 1 + treated + post +
//! treated·post` on the scaled store × period rows estimates the effect (on a balanced panel it
//! is the two-way fixed-effects estimate), and its relative effect is the estimate over the
//! counterfactual treated-post mean. Matching sees only the pre-period, so a simulated test in
//! the past is matched as a real test will be.
//!
//! Why offer it next to the synthetic control: the estimate is a difference of means anyone
//! can recompute in a spreadsheet, the controls are named stores with equal weight (a plan a
//! store manager can read), and it does not extrapolate from donors whose weights were tuned
//! to the pre-period; its price is that the controls' average must track the treated stores'
//! trend, which matching by correlation makes likely but does not guarantee.

use super::error::DesignError;
use super::history::{StorePanel, pearson};
use crate::uplift::{DidEstimate, DidEstimator, DidOptions, PanelRow, did};
use serde::{Deserialize, Serialize};

/// How a store test is estimated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreMethod {
    /// Synthetic control: the treated stores' mean against weighted control stores fitted on
    /// the pre-period ([`crate::uplift::synthetic_control`]).
    #[default]
    SyntheticControl,
    /// Difference in differences against matched control stores ([`did`]).
    Did,
}

impl StoreMethod {
    /// The snake_case name, as in the JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreMethod::SyntheticControl => "synthetic_control",
            StoreMethod::Did => "did",
        }
    }
}

impl std::str::FromStr for StoreMethod {
    type Err = DesignError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "synthetic-control" | "synthetic_control" | "sc" => Ok(StoreMethod::SyntheticControl),
            "did" | "difference-in-differences" => Ok(StoreMethod::Did),
            other => Err(DesignError::flag(
                "method",
                format!("`{other}`: expected synthetic-control or did"),
            )),
        }
    }
}

/// The series scaled by its mean over the first `pre` periods (`None` when that mean is not
/// positive: such a store cannot be compared in per cent).
pub(crate) fn scaled(series: &[f64], pre: usize) -> Option<Vec<f64>> {
    let m = series[..pre].iter().sum::<f64>() / pre as f64;
    (m > 0.0).then(|| series.iter().map(|v| v / m).collect())
}

/// Indices (into `candidates`) of the matched controls: for each treated series, the
/// `matches` candidates whose first `pre` periods correlate with it most (ties: the earlier
/// candidate); their union, sorted.
pub(crate) fn match_controls(
    treated: &[Vec<f64>],
    candidates: &[Vec<f64>],
    pre: usize,
    matches: usize,
) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    for t in treated {
        let mut by_corr: Vec<(f64, usize)> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (pearson(&t[..pre], &c[..pre]), i))
            .collect();
        by_corr.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        chosen.extend(by_corr.iter().take(matches.max(1)).map(|x| x.1));
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// The store × period rows of a difference-in-differences: `treated` and `controls` (already
/// scaled, over the same periods), `post` from period `pre` on.
pub(crate) fn did_rows(
    panel: &StorePanel,
    treated: &[(usize, Vec<f64>)],
    controls: &[(usize, Vec<f64>)],
    periods: &[usize],
    pre: usize,
) -> Vec<PanelRow> {
    let mut rows = Vec::with_capacity((treated.len() + controls.len()) * periods.len());
    for (is_treated, group) in [(true, treated), (false, controls)] {
        for (s, x) in group {
            for (k, &p) in periods.iter().enumerate() {
                rows.push(PanelRow {
                    store: panel.stores[*s].clone(),
                    period: panel.periods[p].clone(),
                    treated: is_treated,
                    post: k >= pre,
                    value: x[k],
                });
            }
        }
    }
    rows
}

/// The relative effect of a pooled difference-in-differences fit when the treated-post values
/// are multiplied by `1 + effect`: the estimate is linear in the values, so it moves by
/// `effect` times the treated-post mean, and the counterfactual (treated-post mean minus the
/// estimate) does not move.
pub(crate) fn planted_relative(d: &DidEstimate, effect: f64) -> f64 {
    let tp = d.cell_means[3];
    let counterfactual = tp - d.estimate;
    (d.estimate + effect * tp) / counterfactual
}

/// One difference-in-differences fit of a simulated or real test: the estimate, the matched
/// controls (panel indices) and the pre-period fit of the treated mean by the
/// controls' mean (RMS of the gap less its pre-period mean).
pub(crate) struct DidFit {
    pub(crate) estimate: DidEstimate,
    pub(crate) controls: Vec<usize>,
    pub(crate) pre_rmspe: f64,
}

/// Fit the difference in differences of `treated` against `donors` (indices into the panel)
/// on `periods` (indices into the panel's periods, in order), the first `pre` of them before
/// the test. With `matches = None` every donor is a control; otherwise the controls are
/// matched on the pre-period. `None` when a treated store has no positive pre-period mean.
pub(crate) fn fit_did(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    periods: &[usize],
    pre: usize,
    matches: Option<usize>,
    alpha: f64,
) -> Result<Option<DidFit>, DesignError> {
    let series = |s: usize| -> Option<Vec<f64>> {
        let x: Vec<f64> = periods.iter().map(|&p| panel.values[s][p]).collect();
        scaled(&x, pre)
    };
    let mut tr = Vec::with_capacity(treated.len());
    for &s in treated {
        let Some(x) = series(s) else { return Ok(None) };
        tr.push((s, x));
    }
    let ds: Vec<(usize, usize, Vec<f64>)> = donors
        .iter()
        .enumerate()
        .filter_map(|(i, &s)| series(s).map(|x| (i, s, x)))
        .collect();
    let picked: Vec<usize> = match matches {
        Some(m) => {
            let tx: Vec<Vec<f64>> = tr.iter().map(|t| t.1.clone()).collect();
            let cx: Vec<Vec<f64>> = ds.iter().map(|d| d.2.clone()).collect();
            match_controls(&tx, &cx, pre, m)
        }
        None => (0..ds.len()).collect(),
    };
    let controls: Vec<(usize, Vec<f64>)> =
        picked.iter().map(|&j| (ds[j].1, ds[j].2.clone())).collect();
    let rows = did_rows(panel, &tr, &controls, periods, pre);
    let estimate = did(
        &rows,
        &DidOptions {
            alpha,
            estimator: DidEstimator::Pooled,
        },
    )?;
    let mean_at =
        |g: &[(usize, Vec<f64>)], k: usize| g.iter().map(|x| x.1[k]).sum::<f64>() / g.len() as f64;
    let gaps: Vec<f64> = (0..pre)
        .map(|k| mean_at(&tr, k) - mean_at(&controls, k))
        .collect();
    let g0 = gaps.iter().sum::<f64>() / pre as f64;
    let pre_rmspe = (gaps.iter().map(|g| (g - g0).powi(2)).sum::<f64>() / pre as f64).sqrt();
    Ok(Some(DidFit {
        estimate,
        controls: picked.iter().map(|&j| ds[j].1).collect(),
        pre_rmspe,
    }))
}
