//! Seeded percentile bootstrap for the difference of means: revenue per customer is skewed
//! (most spend nothing, a few spend a lot) and the t interval can be off for small samples.
//!
//! Determinism: each resample draws indices from one ChaCha8 stream seeded with `seed`, test
//! arm first then control, so the same samples and seed give the same interval on every machine.

use super::error::{UpliftError, check_alpha, check_finite};
use super::finite::{guard, pow2_scale};
use super::proportions::Interval;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A bootstrap interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapCi {
    /// `mean(test) − mean(control)` on the original samples.
    pub estimate: f64,
    /// Percentile interval at level `1 − alpha`.
    pub ci: Interval,
    /// Bootstrap standard error (sd of the resampled differences).
    pub se: f64,
    /// Number of resamples.
    pub resamples: usize,
    /// The seed.
    pub seed: u64,
}

/// Linear-interpolation quantile of sorted data (numpy's default, "type 7").
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    // lo ≤ h ≤ len − 1, so both indices are in bounds.
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn resample_mean(xs: &[f64], rng: &mut ChaCha8Rng) -> f64 {
    let n = xs.len();
    let mut s = 0.0;
    for _ in 0..n {
        s += xs[rng.random_range(0..n)];
    }
    s / n as f64
}

/// How a bootstrap resamples: level, number of resamples, seed. `Default`: α = 0.05, 2,000
/// resamples, seed 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapOptions {
    /// The interval is at level `1 − alpha`.
    pub alpha: f64,
    /// Number of resamples (at least 100; 1,000 or more for a percentile interval).
    pub resamples: usize,
    /// Seed of the ChaCha8 stream.
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            alpha: 0.05,
            resamples: 2_000,
            seed: 0,
        }
    }
}

/// Percentile bootstrap interval for `mean(test) − mean(control)`.
///
/// ```
/// use o2o_core::uplift::{BootstrapOptions, bootstrap_mean_diff};
/// let t = [0.0, 0.0, 12.0, 0.0, 40.0, 0.0, 8.0, 0.0];
/// let c = [0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 5.0];
/// let opts = BootstrapOptions { seed: 7, ..BootstrapOptions::default() };
/// let a = bootstrap_mean_diff(&t, &c, &opts).unwrap();
/// let b = bootstrap_mean_diff(&t, &c, &opts).unwrap();
/// assert_eq!(a, b);
/// assert!(a.ci[0] < a.estimate && a.estimate < a.ci[1]);
/// ```
pub fn bootstrap_mean_diff(
    test: &[f64],
    control: &[f64],
    options: &BootstrapOptions,
) -> Result<BootstrapCi, UpliftError> {
    let BootstrapOptions {
        alpha,
        resamples,
        seed,
    } = *options;
    check_alpha(alpha)?;
    for (name, xs) in [("test", test), ("control", control)] {
        if xs.is_empty() {
            return Err(UpliftError::TooFew {
                what: format!("{name} arm of a bootstrap"),
                need: 1,
                got: 0,
            });
        }
        for (i, &x) in xs.iter().enumerate() {
            check_finite(&format!("{name}[{i}]"), x)?;
        }
    }
    if resamples < 100 {
        return Err(UpliftError::invalid(
            "resamples",
            format!("{resamples} is too few for a percentile interval (use ≥ 1,000)"),
        ));
    }
    // Resample values over a power of two near the largest magnitude (exact in the usual range,
    // no overflow of sums near ±1e308); the estimate, interval and se are scaled back.
    let k = pow2_scale(
        test.iter()
            .chain(control)
            .fold(0.0, |m: f64, x| m.max(x.abs())),
    );
    let scaled = |xs: &[f64]| -> Vec<f64> { xs.iter().map(|x| x / k).collect() };
    let (test, control) = (&scaled(test)[..], &scaled(control)[..]);
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let estimate = mean(test) - mean(control);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut diffs: Vec<f64> = (0..resamples)
        .map(|_| {
            let a = resample_mean(test, &mut rng);
            a - resample_mean(control, &mut rng)
        })
        .collect();
    diffs.sort_by(f64::total_cmp);
    let m = mean(&diffs);
    let se = (diffs.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (resamples - 1) as f64).sqrt();
    guard(BootstrapCi {
        estimate: estimate * k,
        ci: [
            quantile_sorted(&diffs, alpha / 2.0) * k,
            quantile_sorted(&diffs, 1.0 - alpha / 2.0) * k,
        ],
        se: se * k,
        resamples,
        seed,
    })
}
