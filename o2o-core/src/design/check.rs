//! Does a holdout design reach its stated power? A simulation on the history: each replication
//! draws a population of the design's size from the window's customers (with replacement),
//! holds out the design's share at random, adds the target effect to the target group's
//! outcome (an additive shift of `mde × mean`, which keeps the variance the design assumed) and
//! runs the planned readout — a Welch test, or CUPED on the pre-period value. The share of
//! replications that reject at α is the power reached; the same splits without an effect give
//! the false-positive rate, which must stay at α.

use super::error::DesignError;
use super::history::WindowStats;
use super::holdout::{PowerTarget, power_at, se_rel_pub};
use crate::uplift::TestOptions;
use crate::uplift::{Alternative, cuped, welch_ttest_samples};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// What a simulation check measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PowerCheck {
    /// Replications run.
    pub replications: u64,
    /// The planted relative effect.
    pub effect: f64,
    /// The power the design states for it (normal approximation at the population drawn).
    pub stated_power: f64,
    /// Replications that detected the planted effect (p < α, in its direction).
    pub detected: u64,
    /// `detected / replications`.
    pub power: f64,
    /// Replications without an effect that rejected anyway.
    pub false_positives: u64,
    /// `false_positives / replications`: should be α.
    pub false_positive_rate: f64,
    /// The level.
    pub alpha: f64,
    /// Binomial standard error of `power`, for reading the gap to `stated_power`.
    pub power_se: f64,
    /// Whether the readout used CUPED.
    pub cuped: bool,
}

/// What [`check_holdout`] simulates. `Default`: a 10 % holdout, a 5 % effect, the plain Welch
/// readout at α = 0.05, 400 replications, seed 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoldoutCheck {
    /// Share of the population held out, in (0, 1).
    pub share: f64,
    /// The relative effect planted in the target group (0 measures the false-positive rate
    /// alone).
    pub effect: f64,
    /// Read out with CUPED on the pre-period value instead of the plain Welch test.
    pub cuped: bool,
    /// Two-sided significance level.
    pub alpha: f64,
    /// Simulated tests.
    pub replications: u64,
    /// Seed of the draws: the same seed gives the same check.
    pub seed: u64,
}

impl Default for HoldoutCheck {
    fn default() -> Self {
        HoldoutCheck {
            share: 0.1,
            effect: 0.05,
            cuped: false,
            alpha: 0.05,
            replications: 400,
            seed: 0,
        }
    }
}

/// Check a holdout design (share, effect, CUPED or not) on the window's customers by
/// simulated tests.
pub fn check_holdout(
    window: &WindowStats,
    check: &HoldoutCheck,
) -> Result<PowerCheck, DesignError> {
    let HoldoutCheck {
        share,
        effect,
        cuped: use_cuped,
        alpha,
        replications,
        seed,
    } = *check;
    let n = window.population.max(window.customers);
    let m = window.customers;
    if replications == 0 {
        return Err(DesignError::flag("check", "needs at least one replication"));
    }
    let holdout = ((share * n as f64).round() as usize).clamp(2, n.saturating_sub(2));
    if n < 4 || holdout < 2 {
        return Err(DesignError::History(format!(
            "{n} customers cannot be split into two arms of at least 2"
        )));
    }
    let shift = effect * window.mean;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut idx: Vec<usize> = vec![0; n];
    let (mut detected, mut false_positives) = (0u64, 0u64);
    let mut test: Vec<(f64, f64)> = Vec::with_capacity(n);
    let mut control: Vec<(f64, f64)> = Vec::with_capacity(n);
    for _ in 0..replications {
        for slot in idx.iter_mut() {
            *slot = rng.random_range(0..m);
        }
        idx.shuffle(&mut rng);
        let plants: &[f64] = if shift == 0.0 { &[0.0] } else { &[0.0, shift] };
        for &planted in plants {
            test.clear();
            control.clear();
            for (k, &i) in idx.iter().enumerate() {
                let (x, y) = (window.pre[i], window.outcome[i]);
                if k < holdout {
                    control.push((x, y));
                } else {
                    test.push((x, y + planted));
                }
            }
            let (p, lift) = if use_cuped {
                let c = cuped(
                    &test,
                    &control,
                    &TestOptions {
                        alpha,
                        alternative: Alternative::TwoSided,
                    },
                )?;
                (c.adjusted.p_value, c.adjusted.absolute_lift)
            } else {
                let t: Vec<f64> = test.iter().map(|v| v.1).collect();
                let c: Vec<f64> = control.iter().map(|v| v.1).collect();
                let w = welch_ttest_samples(
                    &t,
                    &c,
                    &TestOptions {
                        alpha,
                        alternative: Alternative::TwoSided,
                    },
                )?;
                (w.p_value, w.absolute_lift)
            };
            let reject = p < alpha;
            if planted == 0.0 {
                false_positives += u64::from(reject);
            } else {
                detected += u64::from(reject && lift * shift > 0.0);
            }
        }
    }
    let vr = if use_cuped {
        window.variance_reduction
    } else {
        0.0
    };
    let se = se_rel_pub(
        window.mean,
        window.sd,
        n as f64,
        holdout as f64 / n as f64,
        vr,
    );
    let stated_power = power_at(
        effect,
        se,
        &PowerTarget {
            alpha,
            ..PowerTarget::default()
        },
    )?;
    if shift == 0.0 {
        // Without an effect, detecting is rejecting.
        detected = false_positives;
    }
    let r = replications as f64;
    let power = detected as f64 / r;
    Ok(PowerCheck {
        replications,
        effect,
        stated_power,
        detected,
        power,
        false_positives,
        false_positive_rate: false_positives as f64 / r,
        alpha,
        power_se: (power * (1.0 - power) / r).sqrt(),
        cuped: use_cuped,
    })
}
