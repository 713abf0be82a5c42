//! Reading a store test as its plan says: the planned estimator (synthetic control or
//! difference in differences) on the planned treated and control stores, over the test period,
//! against the interval the design stated — so that the analysis is the one planned, not one
//! chosen after seeing the data.
//!
//! The series are prepared exactly as the design's simulated tests prepared them: every store
//! scaled by its mean over the pre-period (every period before the test unless a pre-period is
//! given), the treated series for a synthetic control the mean of the treated stores', the
//! synthetic control refitted on the pre-period with the plan's control stores as donors, the
//! difference in differences pooled over the treated stores and the plan's matched controls.
//! The decision compares the relative effect with the plan's interval (half its
//! `expected_interval_width` either side), which the design calibrated on past periods of the
//! planned length; the estimator's own p-value is reported beside it.

use super::error::DesignError;
use super::history::StorePanel;
use super::matched::{StoreMethod, fit_did, scaled};
use super::plan::{DesignFile, DesignKind, Readout, StoreWeight};
use crate::uplift::{DidEstimate, synthetic_control};
use serde::Serialize;

/// The test period and, optionally, the pre-period, as period labels of the panel (inclusive;
/// ISO dates compare as text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorePeriods {
    /// First period of the test.
    pub from: String,
    /// Last period of the test.
    pub to: String,
    /// First and last period of the pre-period (default: every period before `from`).
    pub pre: Option<(String, String)>,
}

/// A store test read as planned.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreReadout {
    /// The estimator.
    pub method: StoreMethod,
    /// Always `fixed_horizon`: a store test is read once, at the end.
    pub readout: &'static str,
    /// The planned level.
    pub alpha: f64,
    /// The treated stores.
    pub treated_stores: Vec<String>,
    /// The controls as used: the synthetic control's weights refitted on the pre-period, or
    /// the matched controls with equal weights.
    pub controls: Vec<StoreWeight>,
    /// First and last period of the test.
    pub test: [String; 2],
    /// Periods in the test, and as planned.
    pub test_periods: usize,
    /// Days planned.
    pub planned_days: u32,
    /// First and last period of the pre-period.
    pub pre: [String; 2],
    /// Periods in the pre-period.
    pub pre_periods: usize,
    /// The relative effect: the treated stores against their counterfactual.
    pub relative_effect: f64,
    /// The planned interval around it: `relative_effect ± half_width`.
    pub interval: [f64; 2],
    /// Half the plan's expected interval width: the design's threshold at level α.
    pub half_width: f64,
    /// Whether the effect is beyond the planned threshold.
    pub significant: bool,
    /// The estimator's own p-value: the synthetic control's placebo rank test, or the
    /// difference in differences' clustered t test (stores − 1 degrees of freedom).
    pub estimator_p_value: f64,
    /// Root mean squared pre-period gap of the fit (scaled units: 0.02 is 2 % of the mean).
    pub pre_fit: f64,
    /// The difference-in-differences estimate (scaled units), for `did`.
    pub did: Option<DidEstimate>,
    /// What to conclude, in one sentence.
    pub decision: String,
}

fn file(msg: impl Into<String>) -> DesignError {
    DesignError::File(msg.into())
}

/// Read the store test `plan` describes on `panel` over `periods`.
pub fn read_store_test(
    plan: &DesignFile,
    panel: &StorePanel,
    periods: &StorePeriods,
) -> Result<StoreReadout, DesignError> {
    if plan.kind != DesignKind::Stores {
        return Err(file("a customer-holdout plan has no stores to read"));
    }
    if plan.readout != Readout::FixedHorizon {
        return Err(file(
            "a store test is read once at the end (its interval is calibrated on past periods \
             of the planned length): the plan's readout must be fixed_horizon",
        ));
    }
    let method = plan.method.unwrap_or_default();
    let index = |name: &str, what: &str| {
        panel.stores.iter().position(|s| s == name).ok_or_else(|| {
            DesignError::History(format!(
                "{what} store `{name}` of the plan is not in the panel"
            ))
        })
    };
    let treated: Vec<usize> = plan
        .treated_stores
        .iter()
        .map(|s| index(s, "treated"))
        .collect::<Result<_, _>>()?;
    let controls: Vec<usize> = plan
        .control_weights
        .iter()
        .map(|w| index(&w.store, "control"))
        .collect::<Result<_, _>>()?;
    if treated.is_empty() || controls.is_empty() {
        return Err(file(
            "a store plan names its treated_stores and control_weights",
        ));
    }
    if let Some(s) = treated.iter().find(|s| controls.contains(s)) {
        return Err(file(format!(
            "store `{}` is both treated and a control",
            panel.stores[*s]
        )));
    }
    if periods.from > periods.to {
        return Err(DesignError::flag(
            "from",
            format!("{} is after --to {}", periods.from, periods.to),
        ));
    }
    let test: Vec<usize> = (0..panel.periods.len())
        .filter(|&p| panel.periods[p] >= periods.from && panel.periods[p] <= periods.to)
        .collect();
    let pre: Vec<usize> = match &periods.pre {
        Some((a, b)) => (0..panel.periods.len())
            .filter(|&p| {
                panel.periods[p] >= *a && panel.periods[p] <= *b && panel.periods[p] < periods.from
            })
            .collect(),
        None => (0..panel.periods.len())
            .filter(|&p| panel.periods[p] < periods.from)
            .collect(),
    };
    if test.is_empty() {
        return Err(DesignError::History(format!(
            "the panel has no period from {} to {} (it runs from {} to {})",
            periods.from,
            periods.to,
            panel.periods.first().map_or("", String::as_str),
            panel.periods.last().map_or("", String::as_str)
        )));
    }
    if pre.len() < 2 {
        return Err(DesignError::History(format!(
            "{} periods before the test: a store test needs at least 2 to fit its controls",
            pre.len()
        )));
    }
    let all: Vec<usize> = pre.iter().chain(&test).copied().collect();
    let k = pre.len();
    let half_width = plan.expected_interval_width / 2.0;
    let (relative_effect, estimator_p_value, pre_fit, used, did) = match method {
        StoreMethod::SyntheticControl => {
            let series = |s: usize, what: &str| -> Result<Vec<f64>, DesignError> {
                let x: Vec<f64> = all.iter().map(|&p| panel.values[s][p]).collect();
                scaled(&x, k).ok_or_else(|| {
                    DesignError::History(format!(
                        "{what} store `{}` has no positive mean before the test",
                        panel.stores[s]
                    ))
                })
            };
            let mut tr = vec![0.0; all.len()];
            for &s in &treated {
                for (a, b) in tr.iter_mut().zip(series(s, "treated")?) {
                    *a += b / treated.len() as f64;
                }
            }
            let ds: Vec<Vec<f64>> = controls
                .iter()
                .map(|&s| series(s, "control"))
                .collect::<Result<_, _>>()?;
            let sc = synthetic_control(&tr, &ds, k)?;
            let rel = sc.relative_effect.ok_or_else(|| {
                DesignError::History("the synthetic control is 0 over the test".into())
            })?;
            let used: Vec<StoreWeight> = controls
                .iter()
                .zip(&sc.weights)
                .map(|(&s, &w)| StoreWeight {
                    store: panel.stores[s].clone(),
                    weight: w,
                })
                .collect();
            (rel, sc.p_value, sc.pre_rmspe, used, None)
        }
        StoreMethod::Did => {
            let f = fit_did(panel, &treated, &controls, &all, k, None, plan.alpha)?.ok_or_else(
                || {
                    DesignError::History(
                        "a treated store has no positive mean before the test".into(),
                    )
                },
            )?;
            let rel = f.estimate.relative.ok_or_else(|| {
                DesignError::History("the counterfactual of the treated stores is 0".into())
            })?;
            let share = 1.0 / controls.len() as f64;
            let used = controls
                .iter()
                .map(|&s| StoreWeight {
                    store: panel.stores[s].clone(),
                    weight: share,
                })
                .collect();
            (
                rel,
                f.estimate.p_value_t,
                f.pre_rmspe,
                used,
                Some(f.estimate),
            )
        }
    };
    let significant = relative_effect.abs() > half_width;
    let pct = |x: f64| format!("{:+.1} %", x * 100.0);
    let mut decision = if significant {
        format!(
            "the treated stores' effect {} is beyond the planned interval of ±{:.1} % \
             (significant at α = {})",
            pct(relative_effect),
            half_width * 100.0,
            plan.alpha
        )
    } else {
        format!(
            "no significant effect at the planned level: {} is within ±{:.1} %; the design could \
             detect {} with power {:.0} %",
            pct(relative_effect),
            half_width * 100.0,
            pct(plan.mde),
            plan.power * 100.0
        )
    };
    if test.len() != plan.days as usize {
        decision.push_str(&format!(
            " (read over {} periods, not the {} planned: the planned interval is for {})",
            test.len(),
            plan.days,
            plan.days
        ));
    }
    let label = |v: &[usize]| -> [String; 2] {
        [
            panel.periods[v[0]].clone(),
            panel.periods[v[v.len() - 1]].clone(),
        ]
    };
    Ok(StoreReadout {
        method,
        readout: "fixed_horizon",
        alpha: plan.alpha,
        treated_stores: treated.iter().map(|&s| panel.stores[s].clone()).collect(),
        controls: used,
        test: label(&test),
        test_periods: test.len(),
        planned_days: plan.days,
        pre: label(&pre),
        pre_periods: pre.len(),
        relative_effect,
        interval: [relative_effect - half_width, relative_effect + half_width],
        half_width,
        significant,
        estimator_p_value,
        pre_fit,
        did,
        decision,
    })
}
