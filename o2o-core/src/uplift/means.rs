//! Revenue per customer: Welch's t-test for a difference of means with unequal variances, with
//! Welch–Satterthwaite degrees of freedom (scipy `ttest_ind(equal_var=False)` and
//! `ttest_ind_from_stats`), and its confidence interval.

use super::dist::{student_cdf, student_isf, student_sf};
use super::error::{UpliftError, check_alpha, check_finite};
use super::finite::{guard, pow2_scale};
use super::proportions::{Alternative, Interval};
use crate::uplift::TestOptions;
use serde::{Deserialize, Serialize};

/// Mean, sample standard deviation (ddof = 1) and size of one arm.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryStats {
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation with denominator `n − 1`.
    pub sd: f64,
    /// Number of customers.
    pub n: u64,
}

impl SummaryStats {
    /// Summarise a sample.
    ///
    /// ```
    /// use o2o_core::uplift::SummaryStats;
    /// let s = SummaryStats::from_sample(&[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!((s.mean, s.sd, s.n), (2.0, 1.0, 3));
    /// ```
    pub fn from_sample(xs: &[f64]) -> Result<SummaryStats, UpliftError> {
        if xs.len() < 2 {
            return Err(UpliftError::TooFew {
                what: "a sample standard deviation".into(),
                need: 2,
                got: xs.len(),
            });
        }
        for (i, &x) in xs.iter().enumerate() {
            check_finite(&format!("sample[{i}]"), x)?;
        }
        // Work on the values over a power of two near the largest magnitude: exact for data in
        // the usual range, and no overflow of sums or squares for values near ±1e308.
        let scale = pow2_scale(xs.iter().fold(0.0, |m: f64, x| m.max(x.abs())));
        let n = xs.len() as f64;
        let mean = xs.iter().map(|x| x / scale).sum::<f64>() / n;
        let ss: f64 = xs.iter().map(|x| (x / scale - mean).powi(2)).sum();
        guard(SummaryStats {
            mean: mean * scale,
            sd: (ss / (n - 1.0)).sqrt() * scale,
            n: xs.len() as u64,
        })
    }

    fn check(&self, name: &str) -> Result<(), UpliftError> {
        check_finite(&format!("{name}.mean"), self.mean)?;
        check_finite(&format!("{name}.sd"), self.sd)?;
        if self.sd < 0.0 {
            return Err(UpliftError::invalid(
                format!("{name}.sd"),
                format!("{} is negative", self.sd),
            ));
        }
        if self.n < 2 {
            return Err(UpliftError::TooFew {
                what: format!("{name} arm of a Welch test"),
                need: 2,
                got: self.n as usize,
            });
        }
        Ok(())
    }

    /// Variance of the mean, `sd² / n` (∞ past the range of `f64`; the tests work with
    /// [`SummaryStats::se_of_mean`], which does not overflow).
    #[must_use]
    pub fn var_of_mean(&self) -> f64 {
        self.sd * self.sd / self.n as f64
    }

    /// Standard error of the mean, `sd / √n`.
    #[must_use]
    pub fn se_of_mean(&self) -> f64 {
        self.sd / (self.n as f64).sqrt()
    }
}

/// Result of a Welch test of `mean_test − mean_control`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WelchTest {
    /// t statistic.
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// p-value under the alternative.
    pub p_value: f64,
    /// `mean_test − mean_control`.
    pub absolute_lift: f64,
    /// `mean_test / mean_control − 1`; `null` when the control mean is 0 (or so close to 0
    /// that the ratio is beyond `f64`).
    pub relative_lift: Option<f64>,
    /// Standard error of the difference.
    pub se: f64,
    /// Two-sided `1 − alpha` interval for the difference (whatever the alternative).
    pub ci_welch: Interval,
}

/// Welch–Satterthwaite degrees of freedom of two arms (computed on standard errors relative to
/// the larger one, so any finite standard deviations give a finite answer).
///
/// ```
/// use o2o_core::uplift::{SummaryStats, welch_df};
/// let a = SummaryStats { mean: 1.0, sd: 2.0, n: 10 };
/// assert!((welch_df(&a, &a).unwrap() - 18.0).abs() < 1e-12);
/// ```
pub fn welch_df(a: &SummaryStats, b: &SummaryStats) -> Result<f64, UpliftError> {
    a.check("test")?;
    b.check("control")?;
    df_unchecked(a, b)
}

fn df_unchecked(a: &SummaryStats, b: &SummaryStats) -> Result<f64, UpliftError> {
    let (sa, sb) = (a.se_of_mean(), b.se_of_mean());
    let m = sa.max(sb);
    if !(m > 0.0) {
        return Err(UpliftError::Degenerate(
            "both arms have zero standard deviation".into(),
        ));
    }
    let (ra, rb) = ((sa / m).powi(2), (sb / m).powi(2));
    guard((ra + rb).powi(2) / (ra * ra / (a.n as f64 - 1.0) + rb * rb / (b.n as f64 - 1.0)))
}

/// p-value of a t statistic with `df` degrees of freedom.
pub(crate) fn t_p(alt: Alternative, t: f64, df: f64) -> Result<f64, UpliftError> {
    if t.is_nan() {
        return Err(UpliftError::NonFinite { field: "t".into() });
    }
    Ok(match alt {
        Alternative::TwoSided => (2.0 * student_sf(t.abs(), df)?).min(1.0),
        Alternative::Larger => student_sf(t, df)?,
        Alternative::Smaller => student_cdf(t, df)?,
    })
}

/// Welch's t-test from summary statistics (scipy `ttest_ind_from_stats(equal_var=False)`).
///
/// ```
/// use o2o_core::uplift::{Alternative, SummaryStats, TestOptions, welch_ttest};
/// let t = SummaryStats { mean: 12.0, sd: 20.0, n: 400 };
/// let c = SummaryStats { mean: 10.0, sd: 18.0, n: 380 };
/// let r = welch_ttest(&t, &c, &TestOptions { alpha: 0.05, alternative: Alternative::TwoSided }).unwrap();
/// assert!(r.ci_welch[0] < 2.0 && 2.0 < r.ci_welch[1]);
/// ```
pub fn welch_ttest(
    test: &SummaryStats,
    control: &SummaryStats,
    options: &TestOptions,
) -> Result<WelchTest, UpliftError> {
    let TestOptions { alpha, alternative } = *options;
    test.check("test")?;
    control.check("control")?;
    check_alpha(alpha)?;
    let df = df_unchecked(test, control)?;
    let se = test.se_of_mean().hypot(control.se_of_mean());
    let diff = test.mean - control.mean;
    let t = diff / se;
    let q = student_isf(alpha / 2.0, df)?;
    let ratio = test.mean / control.mean;
    guard(WelchTest {
        t,
        df,
        p_value: t_p(alternative, t, df)?,
        absolute_lift: diff,
        relative_lift: (control.mean != 0.0 && ratio.is_finite()).then_some(ratio - 1.0),
        se,
        ci_welch: [diff - q * se, diff + q * se],
    })
}

/// Welch's t-test from the two samples (scipy `ttest_ind(test, control, equal_var=False)`).
pub fn welch_ttest_samples(
    test: &[f64],
    control: &[f64],
    options: &TestOptions,
) -> Result<WelchTest, UpliftError> {
    let a = SummaryStats::from_sample(test)?;
    let b = SummaryStats::from_sample(control)?;
    welch_ttest(&a, &b, options)
}
