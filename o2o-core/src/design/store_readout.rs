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
//!
//! A plan whose readout is sequential is read after every day of the test instead: the same
//! estimator on the days seen so far, each look against the always-valid interval built on
//! the plan's error scale for that day (`look_se`, see the `store_looks` module), the running
//! intersection of the intervals and the running minimum of the always-valid p-values, as a
//! customer test's sequential readout keeps them. The test is significant from the first look
//! whose interval excludes zero, and may stop there.

use super::error::DesignError;
use super::history::StorePanel;
use super::matched::{StoreMethod, fit_did, scaled};
use super::plan::{DesignFile, DesignKind, Readout, StoreWeight};
use super::store_looks::{cumulative_relative, did_looks, store_sequence};
use crate::uplift::{
    DidEstimate, SequentialMonitor, SequentialOptions, confidence_sequence, synthetic_control,
};
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
    /// `fixed_horizon` (read once, at the end) or `sequential` (read after every day, with
    /// always-valid intervals).
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
    /// The planned interval around it: `relative_effect ± half_width` (sequential: the
    /// running intersection of the always-valid intervals of every look).
    pub interval: [f64; 2],
    /// Half the plan's expected interval width: the design's threshold at level α
    /// (sequential: half the width of the last look's always-valid interval).
    pub half_width: f64,
    /// Whether the effect is beyond the planned threshold (sequential: whether any look's
    /// always-valid interval excluded zero).
    pub significant: bool,
    /// Sequential: the always-valid p-value (the running minimum over the looks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Sequential: the first period whose look was significant (the test may stop there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
    /// Sequential: every look, one per test period.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub looks: Vec<StoreLook>,
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

/// One daily look of a store test read sequentially.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreLook {
    /// The last period seen.
    pub period: String,
    /// Test periods seen.
    pub periods: usize,
    /// The relative effect over them.
    pub estimate: f64,
    /// The plan's error scale of this look.
    pub se: f64,
    /// The running always-valid interval (intersection of every look's so far).
    pub interval: [f64; 2],
    /// The running always-valid p-value.
    pub p_value: f64,
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
    let sequential = match plan.readout {
        Readout::FixedHorizon => None,
        Readout::Sequential { tuning_n } => {
            if plan.look_se.len() != plan.days as usize
                || plan.look_se.iter().any(|s| !(s.is_finite() && *s > 0.0))
            {
                return Err(file(format!(
                    "a sequential store plan carries one positive look_se per planned day ({}): \
                     write it with o2o design stores --readout sequential",
                    plan.days
                )));
            }
            Some(store_sequence(plan.alpha, tuning_n))
        }
    };
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
    let (relative_effect, estimator_p_value, pre_fit, used, did, looks) = match method {
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
            let looks = cumulative_relative(&sc.gaps, &sc.synthetic, k);
            (rel, sc.p_value, sc.pre_rmspe, used, None, looks)
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
            let looks = match sequential {
                Some(_) => did_looks(panel, &treated, &controls, &all, k, None, plan.alpha)?
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            (
                rel,
                f.estimate.p_value_t,
                f.pre_rmspe,
                used,
                Some(f.estimate),
                looks,
            )
        }
    };
    let pct = |x: f64| format!("{:+.1} %", x * 100.0);
    if let Some(opts) = sequential {
        return read_sequentially(
            plan,
            panel,
            method,
            used,
            &test,
            &pre,
            estimator_p_value,
            pre_fit,
            did,
            &looks,
            &opts,
        );
    }
    let significant = relative_effect.abs() > half_width;
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
        p_value: None,
        stopped_at: None,
        looks: Vec::new(),
    })
}

fn label(panel: &StorePanel, v: &[usize]) -> [String; 2] {
    [
        panel.periods[v[0]].clone(),
        panel.periods[v[v.len() - 1]].clone(),
    ]
}

/// The sequential readout: one look per test period (up to the planned days, the ones the
/// plan has an error scale for), each against its always-valid interval.
#[allow(clippy::too_many_arguments)]
fn read_sequentially(
    plan: &DesignFile,
    panel: &StorePanel,
    method: StoreMethod,
    controls: Vec<StoreWeight>,
    test: &[usize],
    pre: &[usize],
    estimator_p_value: f64,
    pre_fit: f64,
    did: Option<DidEstimate>,
    reads: &[f64],
    opts: &SequentialOptions,
) -> Result<StoreReadout, DesignError> {
    let mut monitor = SequentialMonitor::new(opts)?;
    let mut looks: Vec<StoreLook> = Vec::with_capacity(reads.len());
    let mut own_half = f64::NAN;
    for (i, (&estimate, &se)) in reads.iter().zip(&plan.look_se).enumerate() {
        if !estimate.is_finite() {
            return Err(DesignError::History(format!(
                "the counterfactual of the treated stores is 0 after {} test periods",
                i + 1
            )));
        }
        let n = (i + 1) as f64;
        let l = monitor.look(estimate, se, n)?;
        let own = confidence_sequence(estimate, se, n, opts)?;
        own_half = own.ci.map_or(f64::NAN, |c| (c[1] - c[0]) / 2.0);
        looks.push(StoreLook {
            period: panel.periods[test[i]].clone(),
            periods: i + 1,
            estimate,
            se,
            interval: l.ci.unwrap_or([f64::NAN, f64::NAN]),
            p_value: l.p_value,
        });
    }
    let last = looks
        .last()
        .ok_or_else(|| DesignError::History("the test has no period to read".into()))?;
    let significant = monitor.rejected();
    let stopped_at = looks
        .iter()
        .find(|l| l.p_value <= plan.alpha)
        .map(|l| l.period.clone());
    let pct = |x: f64| format!("{:+.1} %", x * 100.0);
    let mut decision = match &stopped_at {
        Some(day) => format!(
            "the always-valid interval excluded zero on {day}: the treated stores' effect is \
             significant at α = {} (now {}, interval {} to {}); the test may stop",
            plan.alpha,
            pct(last.estimate),
            pct(last.interval[0]),
            pct(last.interval[1])
        ),
        None => format!(
            "no significant effect so far: {} after {} of {} days, always-valid interval {} to \
             {}; the design could detect {} with power {:.0} % at the planned end",
            pct(last.estimate),
            last.periods,
            plan.days,
            pct(last.interval[0]),
            pct(last.interval[1]),
            pct(plan.mde),
            plan.power * 100.0
        ),
    };
    if test.len() > plan.days as usize {
        decision.push_str(&format!(
            " (read over the {} planned periods of the {} given: the plan has no error scale \
             beyond them)",
            plan.days,
            test.len()
        ));
    }
    Ok(StoreReadout {
        method,
        readout: "sequential",
        alpha: plan.alpha,
        treated_stores: plan.treated_stores.clone(),
        controls,
        test: [panel.periods[test[0]].clone(), last.period.clone()],
        test_periods: looks.len(),
        planned_days: plan.days,
        pre: label(panel, pre),
        pre_periods: pre.len(),
        relative_effect: last.estimate,
        interval: last.interval,
        half_width: own_half,
        significant,
        estimator_p_value,
        pre_fit,
        did,
        decision,
        p_value: Some(monitor_p(&looks)),
        stopped_at,
        looks,
    })
}

/// The running always-valid p-value after the last look.
fn monitor_p(looks: &[StoreLook]) -> f64 {
    looks.last().map_or(1.0, |l| l.p_value)
}
