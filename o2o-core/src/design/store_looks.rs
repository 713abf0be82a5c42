//! A store test read sequentially: the relative effect after each day of the test, read
//! against the always-valid intervals of [`crate::uplift::SequentialMonitor`] (the mixture
//! confidence sequence of customer tests), so that the test may be looked at every day and
//! stopped as soon as the interval excludes zero.
//!
//! # The error scale of each look
//! A customer test estimates its standard error from its own customers; a store test cannot:
//! four treated stores over a few days say nothing about how far their counterfactual drifts.
//! The design reads it from the history instead, as it does for the fixed-horizon interval:
//! every simulated test of the planned length that calibrates the fixed interval (those the
//! ranking of candidate sets did not see) is read after its first day, its
//! first two days, …, its last (the controls fitted on the days before the window, as in the
//! real test), and the root mean square of those reads at zero effect is the error scale of
//! that look. It is scaled by the same factor that turns the history's error scale into the
//! fixed-horizon interval (Student's t on the history's independent test lengths and the
//! prediction factor, over the normal quantile), so that a sequence read once, at the planned
//! end, rests on the same error law as the fixed interval. The plan carries one scale per day
//! (`look_se`); the sequence is tuned to be tightest at the planned number of days.
//!
//! The daily reads of one test share its controls' fit and the slow regional swings, so they
//! move together more than independent daily increments would: the boundary, built for a
//! random walk, is then crossed less often, not more (the tests measure the false-positive
//! rate over every look).

use super::error::DesignError;
use super::history::StorePanel;
use super::matched::{StoreMethod, fit_did};
use super::panel::{PanelModel, simulate_panel};
use super::plan::{DesignFile, Readout};
use super::store_readout::{StorePeriods, read_store_test};
use super::stores::{
    Calibration, CandidateSet, PredictionLaw, StoresCheck, StoresOptions, calibration_ends,
    synthetic_fit, window_ends,
};
use crate::uplift::{SequentialOptions, norm_isf};

/// The relative effect after each of the `synthetic.len() − pre` test periods: the summed gap
/// (treated − synthetic) over the summed counterfactual of the periods seen so far (at the
/// last look, exactly the synthetic control's `relative_effect`).
pub(crate) fn cumulative_relative(gaps: &[f64], synthetic: &[f64], pre: usize) -> Vec<f64> {
    let (mut gap, mut base) = (0.0, 0.0);
    (pre..synthetic.len())
        .map(|k| {
            gap += gaps[k];
            base += synthetic[k];
            gap / base
        })
        .collect()
}

/// The difference in differences' relative effect after each test period of `periods` (the
/// first `pre` before the test), against `controls` (matched on the pre-period when `matches`
/// is given): the same fit as the fixed readout, on the test periods seen so far.
pub(crate) fn did_looks(
    panel: &StorePanel,
    treated: &[usize],
    controls: &[usize],
    periods: &[usize],
    pre: usize,
    matches: Option<usize>,
    alpha: f64,
) -> Result<Option<Vec<f64>>, DesignError> {
    let mut looks = Vec::with_capacity(periods.len().saturating_sub(pre));
    for n in pre + 1..=periods.len() {
        let Some(f) = fit_did(panel, treated, controls, &periods[..n], pre, matches, alpha)? else {
            return Ok(None);
        };
        looks.push(f.estimate.relative.unwrap_or(f64::NAN));
    }
    Ok(Some(looks))
}

/// The reads after each day of one simulated test ending (exclusive) at `end`, nothing planted.
fn window_looks(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    end: usize,
    o: &StoresOptions,
) -> Result<Option<Vec<f64>>, DesignError> {
    let pre = end - o.days;
    let periods: Vec<usize> = (0..end).collect();
    if o.method == StoreMethod::Did {
        return did_looks(
            panel,
            treated,
            donors,
            &periods,
            pre,
            Some(o.matches),
            o.alpha,
        );
    }
    let Some(fit) = synthetic_fit(panel, treated, donors, end, pre)? else {
        return Ok(None);
    };
    Ok(Some(cumulative_relative(&fit.gaps, &fit.synthetic, pre)))
}

/// The error scale of a sequential read of `set` after each day of a test of `o.days` days:
/// one value per day, the `look_se` of a sequential store plan. Read on the simulated tests the
/// fixed interval is calibrated on (those the ranking did not see), with the fixed interval's
/// factor (see the module documentation).
pub fn look_scales(
    panel: &StorePanel,
    set: &CandidateSet,
    o: &StoresOptions,
) -> Result<Vec<f64>, DesignError> {
    let treated: Vec<usize> = (0..panel.stores.len())
        .filter(|&s| set.stores.contains(&panel.stores[s]))
        .collect();
    if treated.len() != set.stores.len() {
        return Err(DesignError::History(
            "a store of the set is not in the panel".into(),
        ));
    }
    let donors: Vec<usize> = (0..panel.stores.len())
        .filter(|&s| !treated.contains(&s) && !o.exclude.contains(&panel.stores[s]))
        .collect();
    let ends = match o.calibration {
        Calibration::Unseen => calibration_ends(panel.periods.len(), o)?,
        Calibration::Whole => window_ends(panel.periods.len(), o.days, o.min_pre, usize::MAX),
    };
    let mut squares = vec![0.0; o.days];
    let mut n = 0usize;
    for &end in &ends {
        let Some(looks) = window_looks(panel, &treated, &donors, end, o)? else {
            continue;
        };
        for (s, l) in squares.iter_mut().zip(&looks) {
            *s += l * l;
        }
        n += 1;
    }
    if n == 0 {
        return Err(DesignError::History(
            "no simulated test of the history could be read".into(),
        ));
    }
    let law = PredictionLaw::new(&ends, o.days, o.alpha)?;
    let factor = law.critical * law.inflate / norm_isf(o.alpha / 2.0)?;
    Ok(squares
        .iter()
        .map(|s| (s / n as f64).sqrt() * factor)
        .collect())
}

/// The always-valid sequence of a store plan read sequentially: level `alpha`, tightest at
/// `tuning_n` days, and every day a look (the error scale comes from the history, not from
/// the days seen, so the first day already counts).
#[must_use]
pub fn store_sequence(alpha: f64, tuning_n: f64) -> SequentialOptions {
    SequentialOptions {
        alpha,
        tuning_n,
        min_n: 1.0,
    }
}

/// A sequential readout for a store test of `days` days: tightest at the planned end.
#[must_use]
pub fn sequential_store_readout(days: usize) -> Readout {
    Readout::Sequential {
        tuning_n: days.max(1) as f64,
    }
}

/// Check a store plan as `o2o report --design` reads it, on held-back periods: each
/// replication draws the model's stores afresh over the history's length plus the plan's days,
/// plants `effect` on the treated stores' test days and reads the test exactly as the report
/// does (fixed horizon, or every day with the always-valid interval for a sequential plan). A
/// rejection at zero effect at any look is a false positive. The `stated_power` of the answer
/// is the plan's target power when `effect` is its MDE.
pub fn check_plan(
    model: &PanelModel,
    plan: &DesignFile,
    effect: f64,
    replications: u64,
    seed: u64,
) -> Result<StoresCheck, DesignError> {
    let days = plan.days as usize;
    let long = PanelModel {
        periods: model.periods + days,
        ..model.clone()
    };
    let (mut detected, mut fp) = (0u64, 0u64);
    for r in 0..replications {
        let mut panel = simulate_panel(&long, seed.wrapping_add(r));
        let periods = StorePeriods {
            from: panel.periods[model.periods].clone(),
            to: panel.periods[long.periods - 1].clone(),
            pre: None,
        };
        let zero = read_store_test(plan, &panel, &periods)?;
        fp += u64::from(zero.significant);
        if effect != 0.0 {
            for s in 0..panel.stores.len() {
                if plan.treated_stores.contains(&panel.stores[s]) {
                    for v in &mut panel.values[s][model.periods..] {
                        *v *= 1.0 + effect;
                    }
                }
            }
            let with = read_store_test(plan, &panel, &periods)?;
            detected += u64::from(with.significant && with.interval[0] > 0.0);
        }
    }
    if effect == 0.0 {
        detected = fp;
    }
    let n = replications.max(1) as f64;
    let power = detected as f64 / n;
    Ok(StoresCheck {
        replications,
        stores: plan.treated_stores.clone(),
        effect,
        stated_power: if effect == plan.mde {
            plan.power
        } else {
            f64::NAN
        },
        detected,
        power,
        false_positives: fp,
        false_positive_rate: fp as f64 / n,
        power_se: (power * (1.0 - power) / n).sqrt(),
    })
}
