//! The normal, Student t and chi-square CDFs and quantiles every test here needs.
//!
//! Normal and chi-square come from `statrs`. Student t comes from `statrs` too for up to
//! [`T_EXPANSION_DF`] degrees of freedom, with two changes that make it safe at retail scale:
//!
//! - **quantiles are found by a bounded search** (bracketing, then Newton steps on statrs' CDF
//!   with bisection as a fallback, at most [`T_QUANTILE_MAX_STEPS`] steps) instead of statrs'
//!   `inverse_cdf`, whose incomplete-beta inversion never returns for degrees of freedom above
//!   about 1.2e7;
//! - **from [`T_EXPANSION_DF`] degrees of freedom on** (a Welch test of 50,000 customers per arm
//!   and more), the quantile is the Cornish–Fisher expansion of the t quantile in powers of
//!   `1/ν` around the normal quantile (Abramowitz & Stegun 26.7.5, four terms, error `O(ν⁻⁵)`),
//!   and the CDF inverts that expansion by Newton steps and reads the normal tail. Against
//!   exact values (mpmath, 50 digits) this is within 3e-14 relative for |t| ≤ 20 at
//!   ν = 1e5 and closer for larger ν, where statrs' incomplete beta loses precision to the
//!   cancellation of `ln Γ(ν/2)` terms (1e-8 relative at ν = 2e7).
//!
//! The public functions refuse NaN arguments and probabilities outside (0, 1); every result is
//! a finite number (a CDF of ±∞ is 0 or 1; a quantile of a probability inside (0, 1) is
//! finite).

use super::error::UpliftError;
use super::finite::guard;
use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal, StudentsT};

/// Degrees of freedom from which the Student t distribution is computed by its expansion
/// around the normal (see the module documentation).
pub const T_EXPANSION_DF: f64 = 1e5;

/// Most steps the Student t quantile search takes (each one CDF evaluation); past them the
/// call fails with [`UpliftError::NoConvergence`] instead of running on.
pub const T_QUANTILE_MAX_STEPS: usize = 2_500;

fn std_normal() -> Normal {
    // Normal::standard() cannot fail (mean 0, sd 1).
    Normal::standard()
}

// ---------------------------------------------------------------- unchecked kernels

/// Φ(x). Callers pass a non-NaN `x`.
pub(crate) fn phi(x: f64) -> f64 {
    std_normal().cdf(x)
}

/// 1 − Φ(x), accurate in the upper tail.
pub(crate) fn phi_sf(x: f64) -> f64 {
    std_normal().sf(x)
}

/// Φ⁻¹(p) for p in (0, 1).
pub(crate) fn phi_inv(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// Φ⁻¹(1 − a) for a in (0, 1).
pub(crate) fn z_isf(a: f64) -> f64 {
    -std_normal().inverse_cdf(a)
}

/// The Cornish–Fisher expansion of the t quantile: `t = z + g₁(z)/ν + … + g₄(z)/ν⁴`
/// (Abramowitz & Stegun 26.7.5), and its derivative in z.
fn cornish_fisher(z: f64, nu: f64) -> (f64, f64) {
    let r = 1.0 / nu;
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    let d1 = (3.0 * z2 + 1.0) / 4.0;
    let d2 = ((25.0 * z2 + 48.0) * z2 + 3.0) / 96.0;
    let d3 = (((21.0 * z2 + 95.0) * z2 + 51.0) * z2 - 15.0) / 384.0;
    let d4 = ((((711.0 * z2 + 5432.0) * z2 + 7410.0) * z2 - 5760.0) * z2 - 945.0) / 92160.0;
    (
        z + r * (g1 + r * (g2 + r * (g3 + r * g4))),
        1.0 + r * (d1 + r * (d2 + r * (d3 + r * d4))),
    )
}

/// Beyond this |t| the expansion is not used (the tails are below 1e-300 there anyway).
const EXPANSION_T_LIMIT: f64 = 38.0;

/// The normal deviate z whose expanded t quantile is `t` (|t| ≤ [`EXPANSION_T_LIMIT`],
/// ν ≥ [`T_EXPANSION_DF`]): Newton steps from z = t, at most 50 (three suffice: the map is
/// within 1e-3 of the identity).
fn expansion_z(t: f64, nu: f64) -> f64 {
    let mut z = t;
    for _ in 0..50 {
        let (g, dg) = cornish_fisher(z, nu);
        let step = (g - t) / dg;
        z -= step;
        if step.abs() <= 1e-16 * z.abs().max(1e-300) {
            break;
        }
    }
    z
}

fn student(df: f64) -> Result<StudentsT, UpliftError> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| UpliftError::invalid("df", format!("{df}: {e} (Student t)")))
}

/// Student t survival function. `x` not NaN; `df` is checked by statrs.
pub(crate) fn student_sf(x: f64, df: f64) -> Result<f64, UpliftError> {
    if x.is_infinite() {
        return Ok(if x > 0.0 { 0.0 } else { 1.0 });
    }
    if df >= T_EXPANSION_DF && x.abs() <= EXPANSION_T_LIMIT {
        Ok(phi_sf(expansion_z(x, df)))
    } else {
        guard(student(df)?.sf(x))
    }
}

/// Student t CDF. `x` not NaN; `df` is checked by statrs.
pub(crate) fn student_cdf(x: f64, df: f64) -> Result<f64, UpliftError> {
    if x.is_infinite() {
        return Ok(if x > 0.0 { 1.0 } else { 0.0 });
    }
    if df >= T_EXPANSION_DF && x.abs() <= EXPANSION_T_LIMIT {
        Ok(phi(expansion_z(x, df)))
    } else {
        guard(student(df)?.cdf(x))
    }
}

/// Upper-tail Student t quantile, `a` in (0, 1), `df > 0`.
pub(crate) fn student_isf(a: f64, df: f64) -> Result<f64, UpliftError> {
    if a > 0.5 {
        return student_isf(1.0 - a, df).map(|t| -t);
    }
    if a == 0.5 {
        return Ok(0.0);
    }
    let z = z_isf(a);
    if df >= T_EXPANSION_DF {
        let (t, _) = cornish_fisher(z, df);
        if t.abs() <= EXPANSION_T_LIMIT {
            return Ok(t);
        }
    }
    let d = student(df)?;
    // Bracket: sf(lo) ≥ a > sf(hi), 0 ≤ lo < hi (a < 0.5, so the quantile is positive).
    let mut lo = 0.0;
    let mut hi = z.max(1.0);
    let mut steps = 0;
    while d.sf(hi) >= a {
        lo = hi;
        hi *= 2.0;
        steps += 1;
        if steps > T_QUANTILE_MAX_STEPS || !hi.is_finite() {
            return Err(no_convergence(steps));
        }
    }
    // Safeguarded Newton from the normal quantile (or the bracket's middle).
    let mut x = if z > lo && z < hi { z } else { mid(lo, hi) };
    while steps < T_QUANTILE_MAX_STEPS {
        steps += 1;
        let f = d.sf(x) - a;
        if f == 0.0 {
            return Ok(x);
        }
        if f > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = d.pdf(x);
        let newton = x + f / pdf;
        let next = if pdf > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            mid(lo, hi)
        };
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs() || hi - lo <= f64::EPSILON * hi {
            return Ok(next);
        }
        x = next;
    }
    Err(no_convergence(steps))
}

/// Bisection point: the arithmetic middle, or the geometric one on a bracket spanning orders
/// of magnitude (heavy tails at small ν put the quantile near 1e300).
fn mid(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 && hi > 4.0 * lo {
        (lo.ln() / 2.0 + hi.ln() / 2.0).exp()
    } else {
        lo + (hi - lo) / 2.0
    }
}

fn no_convergence(iterations: usize) -> UpliftError {
    UpliftError::NoConvergence {
        what: "Student t quantile".into(),
        iterations,
    }
}

// ---------------------------------------------------------------- checked public functions

fn check_x(field: &str, x: f64) -> Result<(), UpliftError> {
    if x.is_nan() {
        Err(UpliftError::invalid(field, "NaN is not a number"))
    } else {
        Ok(())
    }
}

fn check_p(field: &str, p: f64) -> Result<(), UpliftError> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            field,
            format!("{p} is not strictly between 0 and 1"),
        ))
    }
}

/// Smallest degrees of freedom accepted (statrs' incomplete beta needs df/2 > 0).
const MIN_DF: f64 = 1e-100;

fn check_df(df: f64) -> Result<(), UpliftError> {
    if df >= MIN_DF {
        Ok(())
    } else {
        Err(UpliftError::invalid(
            "df",
            format!("{df} degrees of freedom: must be positive (at least 1e-100)"),
        ))
    }
}

/// Standard normal CDF Φ(x).
///
/// ```
/// use o2o_core::uplift::norm_cdf;
/// // statrs' erfc is good to about 1e-11 here.
/// assert!((norm_cdf(1.959963984540054).unwrap() - 0.975).abs() < 1e-10);
/// assert!(norm_cdf(f64::NAN).is_err());
/// ```
pub fn norm_cdf(x: f64) -> Result<f64, UpliftError> {
    check_x("x", x)?;
    Ok(phi(x))
}

/// Standard normal survival function 1 − Φ(x), accurate in the upper tail.
pub fn norm_sf(x: f64) -> Result<f64, UpliftError> {
    check_x("x", x)?;
    Ok(phi_sf(x))
}

/// Standard normal quantile Φ⁻¹(p), `p` in (0, 1).
pub fn norm_ppf(p: f64) -> Result<f64, UpliftError> {
    check_p("p", p)?;
    Ok(phi_inv(p))
}

/// Upper-tail standard normal quantile: `norm_isf(a) = Φ⁻¹(1 − a)` (scipy `norm.isf`).
pub fn norm_isf(a: f64) -> Result<f64, UpliftError> {
    check_p("a", a)?;
    Ok(z_isf(a))
}

/// Student t survival function with `df` degrees of freedom (df may be fractional, up to ∞).
pub fn t_sf(x: f64, df: f64) -> Result<f64, UpliftError> {
    check_x("x", x)?;
    check_df(df)?;
    student_sf(x, df)
}

/// Student t CDF.
pub fn t_cdf(x: f64, df: f64) -> Result<f64, UpliftError> {
    check_x("x", x)?;
    check_df(df)?;
    student_cdf(x, df)
}

/// Upper-tail Student t quantile `t_isf(a, df) = F⁻¹(1 − a)`, to within a few ulps of scipy's
/// `t.isf`, for any `df > 0` (a bounded search; see the module documentation).
///
/// ```
/// use o2o_core::uplift::t_isf;
/// assert!((t_isf(0.025, 10.0).unwrap() - 2.2281388519862753).abs() < 1e-13); // scipy t.isf
/// // Retail scale: twenty million degrees of freedom return at once.
/// assert!((t_isf(0.025, 2e7).unwrap() - 1.9599641).abs() < 1e-6);
/// ```
pub fn t_isf(a: f64, df: f64) -> Result<f64, UpliftError> {
    check_p("alpha", a)?;
    check_df(df)?;
    student_isf(a, df)
}

/// Largest chi-square degrees of freedom accepted: statrs' quantile search doubles its bracket
/// until the CDF passes p, and its incomplete gamma refuses an infinite argument.
const MAX_CHI2_DF: f64 = 1e12;

fn chi2(df: f64) -> Result<ChiSquared, UpliftError> {
    if !((0.1..=MAX_CHI2_DF).contains(&df)) {
        return Err(UpliftError::invalid(
            "df",
            format!("{df} degrees of freedom: must be between 0.1 and 1e12"),
        ));
    }
    ChiSquared::new(df).map_err(|e| UpliftError::invalid("df", format!("{df}: {e} (chi-square)")))
}

/// Chi-square survival function with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> Result<f64, UpliftError> {
    check_x("x", x)?;
    let d = chi2(df)?;
    // x/2 underflowing to 0 (statrs' incomplete gamma refuses 0): the sf is 1 to within
    // (x/2)^(df/2) ≤ 1e-16 for df ≥ 0.1.
    if x / 2.0 <= 0.0 {
        return Ok(1.0);
    }
    if x.is_infinite() {
        return Ok(0.0);
    }
    guard(d.sf(x))
}

/// Chi-square upper-tail quantile.
pub fn chi2_isf(a: f64, df: f64) -> Result<f64, UpliftError> {
    check_p("a", a)?;
    guard(chi2(df)?.inverse_cdf(1.0 - a))
}
