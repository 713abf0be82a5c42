//! CUPED (Deng et al. 2013): subtract from each customer's outcome the part predicted by their
//! pre-period behaviour, `y' = y − θ·(x − x̄)`, with `θ = cov(x, y) / var(x)` pooled across both
//! arms. Randomisation makes x independent of the arm, so the difference of adjusted means is
//! still unbiased, and its variance shrinks by the share of variance x explains.
//! The interval is Welch's on the adjusted outcomes (θ treated as known, as is standard).

use super::error::{UpliftError, check_finite};
use super::finite::{guard, pow2_scale};
use super::means::{SummaryStats, WelchTest, welch_ttest};
use crate::uplift::TestOptions;
use serde::{Deserialize, Serialize};

/// A CUPED-adjusted comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cuped {
    /// θ, pooled over both arms.
    pub theta: f64,
    /// Share of outcome variance removed, `1 − var(y′)/var(y)` over both arms.
    pub variance_reduction: f64,
    /// Welch test of the adjusted outcomes: `absolute_lift`, `ci_welch`, `p_value`…
    pub adjusted: WelchTest,
}

/// CUPED comparison of `(pre, post)` pairs of the test and control arms.
///
/// ```
/// use o2o_core::uplift::{Alternative, TestOptions, cuped};
/// let t = [(1.0, 2.5), (2.0, 3.4), (3.0, 4.6), (4.0, 5.5)];
/// let c = [(1.0, 2.1), (2.0, 2.9), (3.0, 4.1), (4.0, 4.9)];
/// let r = cuped(&t, &c, &TestOptions { alpha: 0.05, alternative: Alternative::TwoSided }).unwrap();
/// assert!(r.variance_reduction > 0.9);
/// assert!(r.adjusted.ci_welch[0] > 0.0);
/// ```
pub fn cuped(
    test: &[(f64, f64)],
    control: &[(f64, f64)],
    options: &TestOptions,
) -> Result<Cuped, UpliftError> {
    for (name, arm) in [("test", test), ("control", control)] {
        if arm.len() < 2 {
            return Err(UpliftError::TooFew {
                what: format!("{name} arm of CUPED"),
                need: 2,
                got: arm.len(),
            });
        }
        for (i, &(x, y)) in arm.iter().enumerate() {
            check_finite(&format!("{name}[{i}].pre"), x)?;
            check_finite(&format!("{name}[{i}].post"), y)?;
        }
    }
    // Pre and post values over powers of two near their largest magnitudes: bit for bit the same
    // statistics in the usual range, and no overflow for values near ±1e308. θ, the lift, its
    // standard error and interval are scaled back at the end.
    let max_abs = |f: fn(&(f64, f64)) -> f64| {
        test.iter()
            .chain(control)
            .fold(0.0, |m: f64, p| m.max(f(p).abs()))
    };
    let (kx, ky) = (pow2_scale(max_abs(|p| p.0)), pow2_scale(max_abs(|p| p.1)));
    let scaled = |arm: &[(f64, f64)]| -> Vec<(f64, f64)> {
        arm.iter().map(|&(x, y)| (x / kx, y / ky)).collect()
    };
    let (test, control) = (scaled(test), scaled(control));
    let all = test.iter().chain(&control);
    let n = (test.len() + control.len()) as f64;
    let (sx, sy) = all
        .clone()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in all {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 {
        return Err(UpliftError::Degenerate(
            "the pre-period covariate is constant: CUPED cannot use it".into(),
        ));
    }
    let theta = sxy / sxx;
    let adjust = |arm: &[(f64, f64)]| -> Vec<f64> {
        arm.iter().map(|&(x, y)| y - theta * (x - mx)).collect()
    };
    let (at, ac) = (adjust(&test), adjust(&control));
    let adj_mean = (at.iter().sum::<f64>() + ac.iter().sum::<f64>()) / n;
    let ss_adj: f64 = at.iter().chain(&ac).map(|v| (v - adj_mean).powi(2)).sum();
    let mut adjusted = welch_ttest(
        &SummaryStats::from_sample(&at)?,
        &SummaryStats::from_sample(&ac)?,
        options,
    )?;
    adjusted.absolute_lift *= ky;
    adjusted.se *= ky;
    adjusted.ci_welch = [adjusted.ci_welch[0] * ky, adjusted.ci_welch[1] * ky];
    // relative_lift compares adjusted means, which the scale cancels out of.
    guard(Cuped {
        theta: theta * ky / kx,
        variance_reduction: if syy > 0.0 { 1.0 - ss_adj / syy } else { 0.0 },
        adjusted,
    })
}
