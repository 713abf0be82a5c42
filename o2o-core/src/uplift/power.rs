//! Power and sample size: how many customers per arm a test needs to detect a lift, and the
//! smallest lift a given audience can detect.
//!
//! - proportions on the arcsine scale: Cohen's `h = 2·asin√p₂ − 2·asin√p₁` and statsmodels
//!   `NormalIndPower` (normal test of a standardised effect);
//! - proportions with the unpooled normal approximation
//!   `n = ((z_{1−α'} + z_power)·√(p₁q₁ + p₂q₂/r) / (p₂ − p₁))²`, α' = α/2 two-sided, α
//!   one-sided (statsmodels `normal_sample_size_one_tail` with that standard deviation);
//! - means: statsmodels `TTestIndPower` (non-central t).
//!
//! Sizes are those of the first (test) group, the second being `ratio ×` that, and
//! **unrounded**: round up before recruiting.
//!
//! # Conventions (statsmodels')
//! The effect keeps its sign. `alternative = larger` has power above α only for a positive
//! effect, `smaller` only for a negative one: solving for a size with an effect pointing the
//! other way is refused ("no sample size reaches the power"), as statsmodels refuses it.
//! Two-sided power is symmetric in the effect. Effects solved for ([`mde_normal`],
//! [`mde_ttest`]) are positive, or negative for `smaller`.
//!
//! # Solvers
//! Power is monotone in the size and in the effect (in the direction of the alternative), so
//! sizes and effects are found by bracketing (doubling, at most [`POWER_MAX_DOUBLINGS`] times, up
//! to 1e300) then bisection to a relative width of 1e-14 (at most 200 steps): more precise than
//! statsmodels' `brentq`, and an error rather than a hang when no size or effect will do.

use super::dist::{phi, phi_inv, phi_sf, student_isf, z_isf};
use super::error::{UpliftError, check_alpha};
use super::finite::guard;
use super::proportions::Alternative;
use serde::{Deserialize, Serialize};
use statrs::function::beta::beta_reg;
use statrs::function::gamma::ln_gamma;

/// Most doublings of the bracket when solving for a size or an effect.
pub const POWER_MAX_DOUBLINGS: usize = 1_100;

/// The design of a planned test: significance level, target power, size ratio and
/// alternative. `Default` is statsmodels' (α = 0.05, power 0.8, equal groups, two-sided).
///
/// ```
/// use o2o_core::uplift::{Alternative, PowerOptions, solve_n_normal};
/// let n = solve_n_normal(-0.2, &PowerOptions { alternative: Alternative::Smaller,
///     ..PowerOptions::default() }).unwrap();
/// assert!((n - 309.1278616).abs() < 1e-6); // statsmodels NormalIndPower
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PowerOptions {
    /// Significance level, in (0, 1).
    pub alpha: f64,
    /// Target power 1 − β, in (α, 1). Ignored by the functions that compute a power.
    pub power: f64,
    /// Size of the second (control) group over the first's, > 0.
    pub ratio: f64,
    /// The alternative of the planned test.
    pub alternative: Alternative,
}

impl Default for PowerOptions {
    fn default() -> Self {
        PowerOptions {
            alpha: 0.05,
            power: 0.8,
            ratio: 1.0,
            alternative: Alternative::TwoSided,
        }
    }
}

impl PowerOptions {
    /// Check α and the ratio (what every power computation needs).
    fn check_design(&self) -> Result<(), UpliftError> {
        check_alpha(self.alpha)?;
        check_positive("ratio", self.ratio)
    }

    /// Check the whole design, the target power included.
    fn check(&self) -> Result<(), UpliftError> {
        self.check_design()?;
        check_prob("power", self.power)?;
        if self.power <= self.alpha {
            return Err(UpliftError::invalid(
                "power",
                format!("{} must exceed alpha = {}", self.power, self.alpha),
            ));
        }
        Ok(())
    }

    /// α of one tail.
    fn tail_alpha(&self) -> f64 {
        if self.alternative == Alternative::TwoSided {
            self.alpha / 2.0
        } else {
            self.alpha
        }
    }
}

/// Cohen's h between two proportions: `2·asin√p_test − 2·asin√p_control`.
///
/// ```
/// use o2o_core::uplift::cohens_h;
/// assert!(cohens_h(0.5, 0.5).unwrap().abs() < 1e-15);
/// assert!(cohens_h(0.12, 0.10).unwrap() > 0.0);
/// assert!(cohens_h(1.2, 0.10).is_err());
/// ```
pub fn cohens_h(p_test: f64, p_control: f64) -> Result<f64, UpliftError> {
    for (field, p) in [("p_test", p_test), ("p_control", p_control)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(UpliftError::invalid(
                field,
                format!("{p} is not a proportion in [0, 1]"),
            ));
        }
    }
    Ok(h_unchecked(p_test, p_control))
}

fn h_unchecked(p_test: f64, p_control: f64) -> f64 {
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

fn check_effect(field: &str, e: f64) -> Result<(), UpliftError> {
    if e.is_finite() {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            field,
            format!("{e} is not a finite number"),
        ))
    }
}

/// Harmonic size `1/(1/n₁ + 1/n₂)` of groups `nobs1` and `ratio·nobs1`.
fn harmonic(nobs1: f64, ratio: f64) -> f64 {
    nobs1 * ratio / (1.0 + ratio)
}

fn normal_power(effect: f64, nobs1: f64, o: &PowerOptions) -> f64 {
    let shift = effect * harmonic(nobs1, o.ratio).sqrt();
    let a = o.tail_alpha();
    let mut pow = 0.0;
    if o.alternative != Alternative::Smaller {
        pow += phi_sf(z_isf(a) - shift);
    }
    if o.alternative != Alternative::Larger {
        pow += phi(phi_inv(a) - shift);
    }
    pow
}

/// Power of a two-sample normal (z) test of standardised effect `effect` with `nobs1` in the
/// first group and `ratio·nobs1` in the second (statsmodels `NormalIndPower().power`).
///
/// ```
/// use o2o_core::uplift::{PowerOptions, normal_ind_power};
/// let p = normal_ind_power(0.2, 392.443, &PowerOptions::default()).unwrap();
/// assert!((p - 0.8).abs() < 1e-5);
/// ```
pub fn normal_ind_power(
    effect: f64,
    nobs1: f64,
    options: &PowerOptions,
) -> Result<f64, UpliftError> {
    options.check_design()?;
    check_effect("effect", effect)?;
    check_positive("nobs1", nobs1)?;
    guard(normal_power(effect, nobs1, options))
}

/// CDF of the non-central t distribution (Lenth 1989, algorithm AS 243), built on statrs'
/// regularised incomplete beta and log-gamma. Accurate to ~1e-13 for |δ| < 37; further out it
/// tends to its limits (the series' weights underflow), which is what power computations need.
/// At most 2,000 terms.
///
/// ```
/// use o2o_core::uplift::nct_cdf;
/// assert!((nct_cdf(1.5, 10.0, 1.0).unwrap() - 0.6695168482153548).abs() < 1e-10); // scipy nct.cdf
/// assert!(nct_cdf(f64::NAN, 10.0, 1.0).is_err());
/// ```
pub fn nct_cdf(t: f64, df: f64, delta: f64) -> Result<f64, UpliftError> {
    if t.is_nan() {
        return Err(UpliftError::invalid("t", "NaN is not a number"));
    }
    if !(df >= 1e-100) {
        return Err(UpliftError::invalid(
            "df",
            format!("{df} degrees of freedom: must be positive (at least 1e-100)"),
        ));
    }
    check_effect("delta", delta)?;
    guard(nct_unchecked(t, df, delta))
}

fn nct_unchecked(t: f64, df: f64, delta: f64) -> f64 {
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    let (tt, del, neg) = if t < 0.0 {
        (-t, -delta, true)
    } else {
        (t, delta, false)
    };
    let mut tnc = 0.0;
    let x = tt * tt / (tt * tt + df);
    if x > 0.0 && x.is_finite() {
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
    tnc += phi(-del);
    let r = if neg { 1.0 - tnc } else { tnc };
    if r.is_nan() { 0.5 } else { r.clamp(0.0, 1.0) }
}

fn t_power(d: f64, nobs1: f64, o: &PowerOptions) -> Result<f64, UpliftError> {
    let nobs2 = nobs1 * o.ratio;
    let df = nobs1 + nobs2 - 2.0;
    let nc = d * harmonic(nobs1, o.ratio).sqrt();
    let crit = student_isf(o.tail_alpha(), df)?;
    let mut pow = 0.0;
    if o.alternative != Alternative::Smaller {
        pow += 1.0 - nct_unchecked(crit, df, nc);
    }
    if o.alternative != Alternative::Larger {
        pow += nct_unchecked(-crit, df, nc);
    }
    Ok(pow)
}

/// Power of a two-sample t-test of standardised effect `d` (Cohen's d) with `nobs1` and
/// `ratio·nobs1` (statsmodels `TTestIndPower().power`, df = n₁ + n₂ − 2).
pub fn ttest_ind_power(d: f64, nobs1: f64, options: &PowerOptions) -> Result<f64, UpliftError> {
    options.check_design()?;
    check_effect("effect", d)?;
    check_df(nobs1, options.ratio)?;
    guard(t_power(d, nobs1, options)?)
}

fn check_df(nobs1: f64, ratio: f64) -> Result<(), UpliftError> {
    if nobs1.is_finite() && nobs1 * (1.0 + ratio) > 2.0 + 1e-9 {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            "nobs1",
            format!("{nobs1} leaves no degrees of freedom"),
        ))
    }
}

/// Find x in (lo, 1e300] with f(x) = target for an increasing f, by bracketing and bisection;
/// an error when even 1e300 does not reach the target.
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
        if it > POWER_MAX_DOUBLINGS || hi > 1e300 {
            return Err(UpliftError::NoConvergence {
                what: format!("{what} (no value up to 1e300 reaches the target)"),
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

/// Refuse an effect that points away from a one-sided alternative (statsmodels' rule).
fn check_direction(effect: f64, o: &PowerOptions) -> Result<(), UpliftError> {
    if effect == 0.0 {
        return Err(UpliftError::invalid(
            "effect",
            "a zero effect needs an infinite sample",
        ));
    }
    let (away, should) = match o.alternative {
        Alternative::TwoSided => (false, ""),
        Alternative::Larger => (effect < 0.0, "positive for `larger`"),
        Alternative::Smaller => (effect > 0.0, "negative for `smaller`"),
    };
    if away {
        return Err(UpliftError::invalid(
            "effect",
            format!(
                "no sample size reaches the power: {effect} points away from the one-sided \
                 alternative, whose power stays below alpha at any size (the effect must be {should})"
            ),
        ));
    }
    Ok(())
}

/// Size of the first group for a normal test of standardised effect `effect` (statsmodels
/// `NormalIndPower().solve_power(effect_size, nobs1=None, alpha, power, ratio, alternative)`).
pub fn solve_n_normal(effect: f64, options: &PowerOptions) -> Result<f64, UpliftError> {
    options.check()?;
    check_effect("effect", effect)?;
    check_direction(effect, options)?;
    guard(solve_increasing(
        "NormalIndPower sample size",
        1e-12,
        |n| Ok(normal_power(effect, n, options)),
        options.power,
    )?)
}

/// Size of the first group for a two-sample t-test of Cohen's d `d` (statsmodels
/// `TTestIndPower().solve_power(effect_size, nobs1=None, alpha, power, ratio, alternative)`).
///
/// ```
/// use o2o_core::uplift::{PowerOptions, solve_n_ttest};
/// // A tiny effect at retail scale returns (statsmodels: 15,697,722).
/// let n = solve_n_ttest(0.001, &PowerOptions::default()).unwrap();
/// assert!((n / 15_697_721.979 - 1.0).abs() < 1e-6);
/// ```
pub fn solve_n_ttest(d: f64, options: &PowerOptions) -> Result<f64, UpliftError> {
    options.check()?;
    check_effect("effect", d)?;
    check_direction(d, options)?;
    // Two groups of n₁ and ratio·n₁ need n₁(1 + ratio) > 2 for a positive df.
    let lo = 2.0 / (1.0 + options.ratio) + 1e-9;
    guard(solve_increasing(
        "TTestIndPower sample size",
        lo,
        |n| t_power(d, n, options),
        options.power,
    )?)
}

/// Sign of the effect a one-sided alternative detects (negative for `smaller`).
fn direction(o: &PowerOptions) -> f64 {
    if o.alternative == Alternative::Smaller {
        -1.0
    } else {
        1.0
    }
}

/// Smallest standardised effect detectable with `nobs1` in the first group (statsmodels
/// `NormalIndPower().solve_power(effect_size=None, nobs1, …)`): positive, negative for
/// `smaller`.
pub fn mde_normal(nobs1: f64, options: &PowerOptions) -> Result<f64, UpliftError> {
    options.check()?;
    check_positive("nobs1", nobs1)?;
    let s = direction(options);
    let e = solve_increasing(
        "NormalIndPower effect size",
        1e-12,
        |e| Ok(normal_power(s * e, nobs1, options)),
        options.power,
    )?;
    guard(s * e)
}

/// Smallest Cohen's d detectable by a t-test with `nobs1` in the first group (statsmodels
/// `TTestIndPower().solve_power(effect_size=None, nobs1, …)`): positive, negative for `smaller`.
pub fn mde_ttest(nobs1: f64, options: &PowerOptions) -> Result<f64, UpliftError> {
    options.check()?;
    check_df(nobs1, options.ratio)?;
    let s = direction(options);
    let d = solve_increasing(
        "TTestIndPower effect size",
        1e-12,
        |d| t_power(s * d, nobs1, options),
        options.power,
    )?;
    guard(s * d)
}

/// What `o2o power` prints: sizes of the first (test) group, unrounded, to detect a relative
/// lift of a baseline conversion rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProportionPower {
    /// Baseline (control) rate p₁.
    pub baseline: f64,
    /// Rate under the lift, p₂ = p₁·(1 + R).
    pub p_test: f64,
    /// `2·asin√p₂ − 2·asin√p₁`.
    pub cohens_h: f64,
    /// Size of the test group from `NormalIndPower` on h (arcsine method), unrounded; the
    /// control group needs `ratio ×` that.
    pub n_per_group_arcsine: f64,
    /// Size of the test group from the unpooled normal approximation, unrounded.
    pub n_per_group_normal: f64,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Control size over test size.
    #[serde(default = "one")]
    pub ratio: f64,
    /// The alternative of the planned test.
    #[serde(default)]
    pub alternative: Alternative,
}

fn one() -> f64 {
    1.0
}

/// Unpooled normal-approximation size of the test group for a test of `p_control` vs
/// `p_test`: `((z_{1−α'} + z_power)·√(p_t q_t + p_c q_c / r) / (p_t − p_c))²`, α' = α/2
/// for a two-sided test. The direction rule of [`PowerOptions`] applies to `p_test − p_control`.
pub fn n_unpooled_normal(
    p_control: f64,
    p_test: f64,
    options: &PowerOptions,
) -> Result<f64, UpliftError> {
    options.check()?;
    check_prob("baseline", p_control)?;
    check_prob("p_test", p_test)?;
    let diff = p_test - p_control;
    check_direction(diff, options).map_err(|e| match e {
        UpliftError::Invalid { reason, .. } => UpliftError::invalid("mde", reason),
        e => e,
    })?;
    let sd = (p_test * (1.0 - p_test) + p_control * (1.0 - p_control) / options.ratio).sqrt();
    guard(((z_isf(options.tail_alpha()) + z_isf(1.0 - options.power)) * sd / diff).powi(2))
}

/// Size of the test group to detect `baseline·(1 + mde_relative)` against `baseline`.
///
/// ```
/// use o2o_core::uplift::{PowerOptions, power_proportions};
/// let p = power_proportions(0.10, 0.10, &PowerOptions::default()).unwrap();
/// assert!(p.n_per_group_arcsine > 14_000.0 && p.n_per_group_arcsine < 15_000.0);
/// ```
pub fn power_proportions(
    baseline: f64,
    mde_relative: f64,
    options: &PowerOptions,
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
    let h = h_unchecked(p_test, baseline);
    guard(ProportionPower {
        baseline,
        p_test,
        cohens_h: h,
        n_per_group_arcsine: solve_n_normal(h, options)?,
        n_per_group_normal: n_unpooled_normal(baseline, p_test, options)?,
        alpha: options.alpha,
        power: options.power,
        ratio: options.ratio,
        alternative: options.alternative,
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

/// Smallest lift of `baseline` detectable (arcsine method) with `n_per_group` in the test group:
/// upward, or downward for `smaller`.
pub fn mde_proportions(
    baseline: f64,
    n_per_group: f64,
    options: &PowerOptions,
) -> Result<ProportionMde, UpliftError> {
    check_prob("baseline", baseline)?;
    let h = mde_normal(n_per_group, options)?;
    let angle = baseline.sqrt().asin() + h / 2.0;
    if !(0.0..std::f64::consts::FRAC_PI_2).contains(&angle) {
        return Err(UpliftError::Degenerate(format!(
            "{n_per_group} per group cannot detect any lift of {baseline}"
        )));
    }
    let p_test = angle.sin().powi(2);
    guard(ProportionMde {
        cohens_h: h,
        p_test,
        absolute: p_test - baseline,
        relative: p_test / baseline - 1.0,
    })
}
