//! Thin wrappers over `statrs` distributions: the normal, Student t and chi-square CDFs and
//! quantiles every test here needs. Nothing is hand-written; this file only fixes the
//! parameterisation and turns statrs' constructor errors into [`UpliftError`].

use super::error::UpliftError;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

fn std_normal() -> Normal {
    // Normal::standard() cannot fail (mean 0, sd 1).
    Normal::standard()
}

/// Standard normal CDF Φ(x).
pub fn norm_cdf(x: f64) -> f64 {
    std_normal().cdf(x)
}

/// Standard normal survival function 1 − Φ(x), accurate in the upper tail.
pub fn norm_sf(x: f64) -> f64 {
    std_normal().sf(x)
}

/// Standard normal quantile Φ⁻¹(p), `p` in (0, 1).
pub fn norm_ppf(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// Upper-tail standard normal quantile: `norm_isf(a) = Φ⁻¹(1 − a)` (scipy `norm.isf`).
pub fn norm_isf(a: f64) -> f64 {
    -std_normal().inverse_cdf(a)
}

fn student(df: f64) -> Result<StudentsT, UpliftError> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|e| UpliftError::invalid("df", format!("{df}: {e} (Student t)")))
}

/// Student t survival function with `df` degrees of freedom (df may be fractional).
pub fn t_sf(x: f64, df: f64) -> Result<f64, UpliftError> {
    Ok(student(df)?.sf(x))
}

/// Student t CDF.
pub fn t_cdf(x: f64, df: f64) -> Result<f64, UpliftError> {
    Ok(student(df)?.cdf(x))
}

/// Upper-tail Student t quantile `t_isf(a, df) = F⁻¹(1 − a)`.
///
/// statrs inverts the incomplete beta function to about 1e-10; two Newton steps on statrs' own
/// CDF and density bring it to machine precision so intervals agree with scipy to 1e-12.
pub fn t_isf(a: f64, df: f64) -> Result<f64, UpliftError> {
    use statrs::distribution::Continuous;
    let d = student(df)?;
    if !(a > 0.0 && a < 1.0) {
        return Err(UpliftError::invalid("alpha", format!("{a} outside (0, 1)")));
    }
    let mut x = -d.inverse_cdf(a);
    for _ in 0..3 {
        let pdf = d.pdf(x);
        if pdf.is_nan() || pdf <= 0.0 {
            break;
        }
        // Solve sf(x) = a; d/dx sf = −pdf.
        let step = (d.sf(x) - a) / pdf;
        if !step.is_finite() {
            break;
        }
        x += step;
    }
    Ok(x)
}

/// Chi-square survival function with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> Result<f64, UpliftError> {
    let d = ChiSquared::new(df)
        .map_err(|e| UpliftError::invalid("df", format!("{df}: {e} (chi-square)")))?;
    Ok(d.sf(x))
}

/// Chi-square upper-tail quantile.
pub fn chi2_isf(a: f64, df: f64) -> Result<f64, UpliftError> {
    let d = ChiSquared::new(df)
        .map_err(|e| UpliftError::invalid("df", format!("{df}: {e} (chi-square)")))?;
    Ok(d.inverse_cdf(1.0 - a))
}
