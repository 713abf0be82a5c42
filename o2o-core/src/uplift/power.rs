//! Power and sample size: how many customers per arm a test needs to detect a lift, and the
//! smallest lift a given audience can detect.
//!
//! - proportions on the arcsine scale: Cohen's `h = 2·asin√p₂ − 2·asin√p₁` and statsmodels
//!   `NormalIndPower` (normal test of a standardised effect);
//! - proportions with the unpooled normal approximation
//!   `n = ((z₁₋α/₂ + z_power)·√(p₁q₁ + p₂q₂) / (p₂ − p₁))²` (statsmodels
//!   `normal_sample_size_one_tail` with that standard deviation);
//! - means: statsmodels `TTestIndPower` (non-central t).
//!
//! Sizes are per group and **unrounded**: round up before recruiting.
//!
//! Solvers: power is monotone in the size and in the effect, so sizes and effects are found by
//! bracketing then bisection to a relative width of 1e-14 (at most 200 steps), more precise than
//! statsmodels' `brentq`.

use super::dist::{norm_cdf, norm_isf, norm_ppf, norm_sf, t_isf};
use super::error::{UpliftError, check_alpha};
use super::proportions::Alternative;
use serde::{Deserialize, Serialize};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::ln_gamma;

/// Cohen's h between two proportions: `2·asin√p_test − 2·asin√p_control`.
///
/// ```
/// use o2o_core::uplift::cohens_h;
/// assert!((cohens_h(0.5, 0.5)).abs() < 1e-15);
/// assert!(cohens_h(0.12, 0.10) > 0.0);
/// ```
pub fn cohens_h(p_test: f64, p_control: f64) -> f64 {
    2.0 * p_test.sqrt().asin() - 2.0 * p_control.sqrt().asin()
}

fn check_prob(field: &str, p: f64) -> Result<(), UpliftError> {
    if p.is_finite() && p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            field,
            format!("{p} is not strictly between 0 and 1"),
        ))
    }
}

fn check_positive(field: &str, v: f64) -> Result<(), UpliftError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            field,
            format!("{v} must be a positive finite number"),
        ))
    }
}

/// Power of a two-sample normal (z) test of standardised effect `effect` with `nobs1` in the
/// first group and `ratio·nobs1` in the second (statsmodels `NormalIndPower().power`).
pub fn normal_ind_power(effect: f64, nobs1: f64, alpha: f64, ratio: f64, alt: Alternative) -> f64 {
    let nobs = 1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio));
    let shift = effect * nobs.sqrt();
    let a = if alt == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let mut pow = 0.0;
    if alt != Alternative::Smaller {
        pow += norm_sf(norm_isf(a) - shift);
    }
    if alt != Alternative::Larger {
        pow += norm_cdf(norm_ppf(a) - shift);
    }
    pow
}

/// CDF of the non-central t distribution (Lenth 1989, algorithm AS 243), built on statrs'
/// regularised incomplete beta and log-gamma. Accurate to ~1e-13 for |δ| < 37.
pub fn nct_cdf(t: f64, df: f64, delta: f64) -> f64 {
    let (tt, del, neg) = if t < 0.0 {
        (-t, -delta, true)
    } else {
        (t, delta, false)
    };
    let mut tnc = 0.0;
    let x = tt * tt / (tt * tt + df);
    if x > 0.0 {
        let lambda = del * del;
        let mut p = 0.5 * (-0.5 * lambda).exp();
        let mut q = (2.0 / std::f64::consts::PI).sqrt() * p * del;
        let mut s = 0.5 - p;
        let mut a = 0.5;
        let b = 0.5 * df;
        let rxb = (1.0 - x).powf(b);
        let albeta = 0.5 * std::f64::consts::PI.ln() + ln_gamma(b) - ln_gamma(0.5 + b);
        let mut xodd = beta_reg(a, b, x);
        let mut godd = 2.0 * rxb * (a * x.ln() - albeta).exp();
        let mut xeven = 1.0 - rxb;
        let mut geven = b * x * rxb;
        tnc = p * xodd + q * xeven;
        let mut en = 1.0;
        while en <= 2000.0 {
            a += 1.0;
            xodd -= godd;
            xeven -= geven;
            godd *= x * (a + b - 1.0) / a;
            geven *= x * (a + b - 0.5) / (a + 0.5);
            p *= lambda / (2.0 * en);
            q *= lambda / (2.0 * en + 1.0);
            s -= p;
            en += 1.0;
            tnc += p * xodd + q * xeven;
            let errbd = 2.0 * s * (xodd - godd);
            if errbd.abs() <= 1e-15 && en > lambda / 2.0 {
                break;
            }
        }
    }
    tnc += norm_cdf(-del);
    let r = if neg { 1.0 - tnc } else { tnc };
    r.clamp(0.0, 1.0)
}

/// Power of Welch/Student two-sample t-test of standardised effect `d` (Cohen's d) with
/// `nobs1` and `ratio·nobs1` (statsmodels `TTestIndPower().power`, df = n₁ + n₂ − 2).
pub fn ttest_ind_power(
    d: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alt: Alternative,
) -> Result<f64, UpliftError> {
    let nobs2 = nobs1 * ratio;
    let nobs = 1.0 / (1.0 / nobs1 + 1.0 / nobs2);
    let df = nobs1 + nobs2 - 2.0;
    let nc = d * nobs.sqrt();
    let a = if alt == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let crit = t_isf(a, df)?;
    let mut pow = 0.0;
    if alt != Alternative::Smaller {
        pow += 1.0 - nct_cdf(crit, df, nc);
    }
    if alt != Alternative::Larger {
        pow += nct_cdf(-crit, df, nc);
    }
    Ok(pow)
}

/// Find x in (lo, ∞) with f(x) = target for an increasing f, by bracketing and bisection.
fn solve_increasing(
    what: &str,
    mut lo: f64,
    mut f: impl FnMut(f64) -> Result<f64, UpliftError>,
    target: f64,
) -> Result<f64, UpliftError> {
    let mut hi = lo.max(1.0) * 2.0;
    let mut it = 0;
    while f(hi)? < target {
        lo = hi;
        hi *= 2.0;
        it += 1;
        if it > 200 || !hi.is_finite() {
            return Err(UpliftError::NoConvergence {
                what: what.into(),
                iterations: it,
            });
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid)? < target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

fn check_power(alpha: f64, power: f64) -> Result<(), UpliftError> {
    check_alpha(alpha)?;
    check_prob("power", power)?;
    if power <= alpha {
        return Err(UpliftError::invalid(
            "power",
            format!("{power} must exceed alpha = {alpha}"),
        ));
    }
    Ok(())
}

/// Size of the first group for a normal test of standardised effect `effect` (statsmodels
/// `NormalIndPower().solve_power(effect_size, nobs1=None, alpha, power, ratio, alternative)`).
pub fn solve_n_normal(
    effect: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alt: Alternative,
) -> Result<f64, UpliftError> {
    check_power(alpha, power)?;
    check_positive("ratio", ratio)?;
    if effect == 0.0 || !effect.is_finite() {
        return Err(UpliftError::invalid(
            "effect",
            "must be a non-zero finite number",
        ));
    }
    let e = match alt {
        Alternative::TwoSided => effect.abs(),
        Alternative::Larger => effect,
        Alternative::Smaller => -effect,
    };
    if e < 0.0 {
        return Err(UpliftError::invalid(
            "effect",
            "points away from the one-sided alternative",
        ));
    }
    solve_increasing(
        "NormalIndPower sample size",
        1e-12,
        |n| Ok(normal_ind_power(e, n, alpha, ratio, alt)),
        power,
    )
}

/// Size of the first group for a two-sample t-test of Cohen's d `d` (statsmodels
/// `TTestIndPower().solve_power(effect_size, nobs1=None, alpha, power, ratio, alternative)`).
pub fn solve_n_ttest(
    d: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alt: Alternative,
) -> Result<f64, UpliftError> {
    check_power(alpha, power)?;
    check_positive("ratio", ratio)?;
    if d == 0.0 || !d.is_finite() {
        return Err(UpliftError::invalid(
            "effect",
            "must be a non-zero finite number",
        ));
    }
    let e = if alt == Alternative::Smaller {
        -d
    } else {
        d.abs()
    };
    // Two groups of n₁ and ratio·n₁ need n₁(1 + ratio) > 2 for a positive df.
    let lo = 2.0 / (1.0 + ratio) + 1e-9;
    solve_increasing(
        "TTestIndPower sample size",
        lo,
        |n| ttest_ind_power(e, n, alpha, ratio, alt),
        power,
    )
}

/// Smallest standardised effect detectable with `nobs1` per first group (statsmodels
/// `NormalIndPower().solve_power(effect_size=None, nobs1, …)`), positive.
pub fn mde_normal(nobs1: f64, alpha: f64, power: f64, ratio: f64) -> Result<f64, UpliftError> {
    check_power(alpha, power)?;
    check_positive("nobs1", nobs1)?;
    check_positive("ratio", ratio)?;
    solve_increasing(
        "NormalIndPower effect size",
        1e-12,
        |e| {
            Ok(normal_ind_power(
                e,
                nobs1,
                alpha,
                ratio,
                Alternative::TwoSided,
            ))
        },
        power,
    )
}

/// Smallest Cohen's d detectable by a two-sided t-test with `nobs1` (statsmodels
/// `TTestIndPower().solve_power(effect_size=None, nobs1, …)`).
pub fn mde_ttest(nobs1: f64, alpha: f64, power: f64, ratio: f64) -> Result<f64, UpliftError> {
    check_power(alpha, power)?;
    check_positive("ratio", ratio)?;
    if !(nobs1.is_finite() && nobs1 * (1.0 + ratio) > 2.0) {
        return Err(UpliftError::invalid(
            "nobs1",
            format!("{nobs1} leaves no degrees of freedom"),
        ));
    }
    solve_increasing(
        "TTestIndPower effect size",
        1e-12,
        |d| ttest_ind_power(d, nobs1, alpha, ratio, Alternative::TwoSided),
        power,
    )
}

/// What `o2o power` prints: sizes per group (unrounded) to detect a relative lift of a baseline
/// conversion rate with a two-sided test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProportionPower {
    /// Baseline (control) rate p₁.
    pub baseline: f64,
    /// Rate under the lift, p₂ = p₁·(1 + R).
    pub p_test: f64,
    /// `2·asin√p₂ − 2·asin√p₁`.
    pub cohens_h: f64,
    /// Size per group from `NormalIndPower` on h (arcsine method), unrounded.
    pub n_per_group_arcsine: f64,
    /// Size per group from the unpooled normal approximation, unrounded.
    pub n_per_group_normal: f64,
    /// Significance level (two-sided).
    pub alpha: f64,
    /// Target power.
    pub power: f64,
}

/// Unpooled normal-approximation size per group for a two-sided test of `p_control` vs
/// `p_test`: `((z₁₋α/₂ + z_power)·√(p₁q₁ + p₂q₂) / (p₂ − p₁))²`.
pub fn n_unpooled_normal(
    p_control: f64,
    p_test: f64,
    alpha: f64,
    power: f64,
) -> Result<f64, UpliftError> {
    check_power(alpha, power)?;
    check_prob("baseline", p_control)?;
    check_prob("p_test", p_test)?;
    let diff = p_test - p_control;
    if diff == 0.0 {
        return Err(UpliftError::invalid(
            "mde",
            "a zero lift needs an infinite sample",
        ));
    }
    let sd = (p_control * (1.0 - p_control) + p_test * (1.0 - p_test)).sqrt();
    Ok(((norm_isf(alpha / 2.0) + norm_isf(1.0 - power)) * sd / diff).powi(2))
}

/// Sample size per group to detect `baseline·(1 + mde_relative)` against `baseline`.
///
/// ```
/// use o2o_core::uplift::power_proportions;
/// let p = power_proportions(0.10, 0.10, 0.05, 0.8).unwrap();
/// assert!(p.n_per_group_arcsine > 14_000.0 && p.n_per_group_arcsine < 15_000.0);
/// ```
pub fn power_proportions(
    baseline: f64,
    mde_relative: f64,
    alpha: f64,
    power: f64,
) -> Result<ProportionPower, UpliftError> {
    check_prob("baseline", baseline)?;
    if !mde_relative.is_finite() || mde_relative == 0.0 {
        return Err(UpliftError::invalid(
            "mde_relative",
            format!("{mde_relative} must be a non-zero finite number"),
        ));
    }
    let p_test = baseline * (1.0 + mde_relative);
    check_prob("baseline·(1 + mde_relative)", p_test)?;
    let h = cohens_h(p_test, baseline);
    Ok(ProportionPower {
        baseline,
        p_test,
        cohens_h: h,
        n_per_group_arcsine: solve_n_normal(h, alpha, power, 1.0, Alternative::TwoSided)?,
        n_per_group_normal: n_unpooled_normal(baseline, p_test, alpha, power)?,
        alpha,
        power,
    })
}

/// Minimum detectable effect of a conversion-rate test with `n_per_group` customers per arm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProportionMde {
    /// Detectable Cohen's h.
    pub cohens_h: f64,
    /// The detectable test rate.
    pub p_test: f64,
    /// `p_test − baseline`.
    pub absolute: f64,
    /// `p_test / baseline − 1`.
    pub relative: f64,
}

/// Smallest upward lift of `baseline` detectable (two-sided, arcsine method) with `n_per_group`.
pub fn mde_proportions(
    baseline: f64,
    n_per_group: f64,
    alpha: f64,
    power: f64,
) -> Result<ProportionMde, UpliftError> {
    check_prob("baseline", baseline)?;
    let h = mde_normal(n_per_group, alpha, power, 1.0)?;
    let angle = baseline.sqrt().asin() + h / 2.0;
    if angle >= std::f64::consts::FRAC_PI_2 {
        return Err(UpliftError::Degenerate(format!(
            "{n_per_group} per group cannot detect any lift of {baseline}"
        )));
    }
    let p_test = angle.sin().powi(2);
    Ok(ProportionMde {
        cohens_h: h,
        p_test,
        absolute: p_test - baseline,
        relative: p_test / baseline - 1.0,
    })
}
