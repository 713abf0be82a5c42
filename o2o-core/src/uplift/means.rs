//! Revenue per customer: Welch's t-test for a difference of means with unequal variances, with
//! Welch–Satterthwaite degrees of freedom (scipy `ttest_ind(equal_var=False)` and
//! `ttest_ind_from_stats`), and its confidence interval.

use super::dist::{t_cdf, t_isf, t_sf};
use super::error::{UpliftError, check_alpha, check_finite};
use super::proportions::{Alternative, Interval};
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
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let ss: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        Ok(SummaryStats {
            mean,
            sd: (ss / (n - 1.0)).sqrt(),
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

    /// Variance of the mean, `sd² / n`.
    pub fn var_of_mean(&self) -> f64 {
        self.sd * self.sd / self.n as f64
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
    /// `mean_test / mean_control − 1`; `null` when the control mean is 0.
    pub relative_lift: Option<f64>,
    /// Standard error of the difference.
    pub se: f64,
    /// Two-sided `1 − alpha` interval for the difference (whatever the alternative).
    pub ci_welch: Interval,
}

/// Welch–Satterthwaite degrees of freedom of two arms.
pub fn welch_df(a: &SummaryStats, b: &SummaryStats) -> f64 {
    let (va, vb) = (a.var_of_mean(), b.var_of_mean());
    (va + vb).powi(2) / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0))
}

/// p-value of a t statistic with `df` degrees of freedom.
pub(crate) fn t_p(alt: Alternative, t: f64, df: f64) -> Result<f64, UpliftError> {
    Ok(match alt {
        Alternative::TwoSided => (2.0 * t_sf(t.abs(), df)?).min(1.0),
        Alternative::Larger => t_sf(t, df)?,
        Alternative::Smaller => t_cdf(t, df)?,
    })
}

/// Welch's t-test from summary statistics (scipy `ttest_ind_from_stats(equal_var=False)`).
///
/// ```
/// use o2o_core::uplift::{Alternative, SummaryStats, welch_ttest};
/// let t = SummaryStats { mean: 12.0, sd: 20.0, n: 400 };
/// let c = SummaryStats { mean: 10.0, sd: 18.0, n: 380 };
/// let r = welch_ttest(&t, &c, 0.05, Alternative::TwoSided).unwrap();
/// assert!(r.ci_welch[0] < 2.0 && 2.0 < r.ci_welch[1]);
/// ```
pub fn welch_ttest(
    test: &SummaryStats,
    control: &SummaryStats,
    alpha: f64,
    alternative: Alternative,
) -> Result<WelchTest, UpliftError> {
    test.check("test")?;
    control.check("control")?;
    check_alpha(alpha)?;
    let var = test.var_of_mean() + control.var_of_mean();
    if var <= 0.0 {
        return Err(UpliftError::Degenerate(
            "both arms have zero standard deviation".into(),
        ));
    }
    let se = var.sqrt();
    let diff = test.mean - control.mean;
    let df = welch_df(test, control);
    let t = diff / se;
    let q = t_isf(alpha / 2.0, df)?;
    Ok(WelchTest {
        t,
        df,
        p_value: t_p(alternative, t, df)?,
        absolute_lift: diff,
        relative_lift: (control.mean != 0.0).then(|| test.mean / control.mean - 1.0),
        se,
        ci_welch: [diff - q * se, diff + q * se],
    })
}

/// Welch's t-test from the two samples (scipy `ttest_ind(test, control, equal_var=False)`).
pub fn welch_ttest_samples(
    test: &[f64],
    control: &[f64],
    alpha: f64,
    alternative: Alternative,
) -> Result<WelchTest, UpliftError> {
    let a = SummaryStats::from_sample(test)?;
    let b = SummaryStats::from_sample(control)?;
    welch_ttest(&a, &b, alpha, alternative)
}
