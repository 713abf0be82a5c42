//! Conversion rates: "did the exposed group convert more than the control group?"
//!
//! The pooled two-proportion z-test is statsmodels' `proportions_ztest` (value 0, pooled
//! variance); the intervals are statsmodels' `confint_proportions_2indep` with
//! `compare="diff"` (`wald`, `newcomb`, `agresti-caffo`) and `compare="ratio"` (`log`).
//! Group 1 is always the test (exposed) arm, group 2 the control arm.

use super::dist::{phi, phi_sf, z_isf};
use super::error::{UpliftError, check_alpha};
use super::finite::guard;
use serde::{Deserialize, Serialize};

/// Which way the alternative hypothesis points, as statsmodels and scipy spell it
/// (`two-sided`, `larger`: test > control, `smaller`: test < control).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// test ≠ control.
    #[default]
    TwoSided,
    /// test > control.
    Larger,
    /// test < control.
    Smaller,
}

/// The significance level and the alternative of a two-arm test ([`compare_proportions`],
/// [`welch_ttest`](super::welch_ttest), [`cuped`](super::cuped)). The default is α = 0.05,
/// two-sided.
///
/// ```
/// use o2o_core::uplift::{Alternative, TestOptions};
/// let o = TestOptions { alternative: Alternative::Larger, ..TestOptions::default() };
/// assert_eq!(o.alpha, 0.05);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TestOptions {
    /// Significance level, in (0, 1): intervals are at 1 − α.
    pub alpha: f64,
    /// The alternative hypothesis of the p-value.
    pub alternative: Alternative,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
        }
    }
}

impl std::str::FromStr for Alternative {
    type Err = UpliftError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "two-sided" => Ok(Alternative::TwoSided),
            "larger" | "greater" => Ok(Alternative::Larger),
            "smaller" | "less" => Ok(Alternative::Smaller),
            _ => Err(UpliftError::invalid(
                "alternative",
                format!("`{s}` is not one of two-sided, larger, smaller"),
            )),
        }
    }
}

impl Alternative {
    /// The p-value of a statistic `z` whose null distribution is standard normal; NaN is
    /// refused.
    pub fn normal_p(self, z: f64) -> Result<f64, UpliftError> {
        if z.is_nan() {
            return Err(UpliftError::NonFinite { field: "z".into() });
        }
        Ok(match self {
            Alternative::TwoSided => (2.0 * phi_sf(z.abs())).min(1.0),
            Alternative::Larger => phi_sf(z),
            Alternative::Smaller => phi(z),
        })
    }
}

/// Conversions out of trials in one arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Customers who converted (bought, visited).
    pub successes: u64,
    /// Customers in the arm.
    pub trials: u64,
}

impl Counts {
    /// Build and check `successes ≤ trials`, `trials > 0`; `name` names the arm in errors.
    ///
    /// ```
    /// use o2o_core::uplift::Counts;
    /// assert!(Counts::new(5, 4, "test").is_err());
    /// assert_eq!(Counts::new(4, 5, "test").unwrap().rate(), 0.8);
    /// ```
    pub fn new(successes: u64, trials: u64, name: &str) -> Result<Counts, UpliftError> {
        if trials == 0 {
            return Err(UpliftError::invalid(
                format!("{name}.trials"),
                "must be at least 1",
            ));
        }
        if successes > trials {
            return Err(UpliftError::invalid(
                format!("{name}.successes"),
                format!("{successes} conversions out of {trials} trials is more than all"),
            ));
        }
        Ok(Counts { successes, trials })
    }

    /// Conversion rate.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.successes as f64 / self.trials as f64
    }

    fn check(&self, name: &str) -> Result<(), UpliftError> {
        Counts::new(self.successes, self.trials, name).map(|_| ())
    }
}

/// A z statistic and its p-value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZTest {
    /// The statistic.
    pub z: f64,
    /// Its p-value under the chosen alternative.
    pub p_value: f64,
}

/// Pooled two-proportion z-test of test vs control (statsmodels `proportions_ztest` with
/// `value=0`, `prop_var=False`).
///
/// ```
/// use o2o_core::uplift::{Alternative, Counts, proportions_ztest};
/// let t = proportions_ztest(Counts { successes: 66, trials: 1000 },
///     Counts { successes: 20, trials: 1000 }, Alternative::TwoSided).unwrap();
/// assert!(t.z > 5.0 && t.p_value < 1e-6);
/// ```
pub fn proportions_ztest(
    test: Counts,
    control: Counts,
    alternative: Alternative,
) -> Result<ZTest, UpliftError> {
    test.check("test")?;
    control.check("control")?;
    let (n1, n2) = (test.trials as f64, control.trials as f64);
    // Sum as f64: counts near u64::MAX must not wrap (statsmodels sums floats too).
    let p = (test.successes as f64 + control.successes as f64) / (n1 + n2);
    let var = p * (1.0 - p) * (1.0 / n1 + 1.0 / n2);
    if var <= 0.0 {
        return Err(UpliftError::Degenerate(
            "no variance: both arms converted all or none of their customers".into(),
        ));
    }
    let z = (test.rate() - control.rate()) / var.sqrt();
    guard(ZTest {
        z,
        p_value: alternative.normal_p(z)?,
    })
}

/// A two-sided confidence interval `[lo, hi]`.
pub type Interval = [f64; 2];

/// Wilson score interval of one proportion (statsmodels `proportion_confint(method="wilson")`).
pub fn wilson_interval(c: Counts, alpha: f64) -> Result<Interval, UpliftError> {
    c.check("counts")?;
    check_alpha(alpha)?;
    let n = c.trials as f64;
    let q = c.rate();
    let crit = z_isf(alpha / 2.0);
    let crit2 = crit * crit;
    let denom = 1.0 + crit2 / n;
    let center = (q + crit2 / (2.0 * n)) / denom;
    let dist = crit * (q * (1.0 - q) / n + crit2 / (4.0 * n * n)).sqrt() / denom;
    guard([center - dist, center + dist])
}

fn wald_like(test: Counts, control: Counts, alpha: f64, add: f64) -> Interval {
    let (n1, n2) = (
        test.trials as f64 + 2.0 * add,
        control.trials as f64 + 2.0 * add,
    );
    let p1 = (test.successes as f64 + add) / n1;
    let p2 = (control.successes as f64 + add) / n2;
    let var = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2;
    let d = z_isf(alpha / 2.0) * var.sqrt();
    [p1 - p2 - d, p1 - p2 + d]
}

/// Wald interval for `p_test − p_control` (statsmodels `method="wald"`). Poor for small counts;
/// prefer Newcombe.
pub fn ci_diff_wald(test: Counts, control: Counts, alpha: f64) -> Result<Interval, UpliftError> {
    test.check("test")?;
    control.check("control")?;
    check_alpha(alpha)?;
    guard(wald_like(test, control, alpha, 0.0))
}

/// Agresti–Caffo interval for the difference: Wald after adding one success and one failure to
/// each arm (statsmodels `method="agresti-caffo"`).
pub fn ci_diff_agresti_caffo(
    test: Counts,
    control: Counts,
    alpha: f64,
) -> Result<Interval, UpliftError> {
    test.check("test")?;
    control.check("control")?;
    check_alpha(alpha)?;
    guard(wald_like(test, control, alpha, 1.0))
}

/// Newcombe's hybrid score interval for the difference, from the two Wilson intervals
/// (statsmodels `method="newcomb"`). The default: good coverage even with few conversions.
pub fn ci_diff_newcombe(
    test: Counts,
    control: Counts,
    alpha: f64,
) -> Result<Interval, UpliftError> {
    let [l1, u1] = wilson_interval(test, alpha)?;
    let [l2, u2] = wilson_interval(control, alpha)?;
    let (p1, p2) = (test.rate(), control.rate());
    let diff = p1 - p2;
    let d_low = ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let d_upp = ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    guard([diff - d_low, diff + d_upp])
}

/// Log interval for the ratio `p_test / p_control` (statsmodels `compare="ratio"`,
/// `method="log"`): "test bought 3.3× as much, 95 % CI [2.1, 5.2]".
pub fn ci_ratio_log(test: Counts, control: Counts, alpha: f64) -> Result<Interval, UpliftError> {
    test.check("test")?;
    control.check("control")?;
    check_alpha(alpha)?;
    if test.successes == 0 || control.successes == 0 {
        return Err(UpliftError::Degenerate(
            "the log ratio interval needs at least one conversion in each arm".into(),
        ));
    }
    let (x1, n1) = (test.successes as f64, test.trials as f64);
    let (x2, n2) = (control.successes as f64, control.trials as f64);
    let ratio = (x1 / n1) / (x2 / n2);
    let var = 1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2;
    let d = z_isf(alpha / 2.0) * var.sqrt();
    guard([(ratio.ln() - d).exp(), (ratio.ln() + d).exp()])
}

/// Everything `o2o uplift` prints for two conversion rates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProportionReport {
    /// Pooled z statistic.
    pub z: f64,
    /// Its p-value under `alternative`.
    pub p_value: f64,
    /// Test conversion rate.
    pub rate_test: f64,
    /// Control conversion rate.
    pub rate_control: f64,
    /// `rate_test − rate_control`.
    pub absolute_lift: f64,
    /// `rate_test / rate_control − 1` ("bought 230 % more" is 2.3); `null` without control
    /// conversions.
    pub relative_lift: Option<f64>,
    /// Newcombe hybrid score interval for the absolute lift.
    pub ci_newcombe: Interval,
    /// Wald interval for the absolute lift.
    pub ci_wald: Interval,
    /// Agresti–Caffo interval for the absolute lift.
    pub ci_agresti_caffo: Interval,
    /// Log interval for the ratio `rate_test / rate_control`; `null` when an arm has no
    /// conversion.
    pub ci_ratio_log: Option<Interval>,
    /// The ratio interval minus one: an interval for the relative lift.
    pub ci_relative_lift: Option<Interval>,
    /// Confidence level is `1 − alpha`.
    pub alpha: f64,
    /// The alternative of the p-value.
    pub alternative: Alternative,
}

/// Compare two conversion rates: test, lifts and every interval.
///
/// ```
/// use o2o_core::uplift::{Alternative, Counts, TestOptions, compare_proportions};
/// let r = compare_proportions(Counts { successes: 66, trials: 1000 },
///     Counts { successes: 20, trials: 1000 }, &TestOptions::default()).unwrap();
/// assert!((r.relative_lift.unwrap() - 2.3).abs() < 1e-12);
/// assert!(r.ci_newcombe[0] > 0.0);
/// ```
pub fn compare_proportions(
    test: Counts,
    control: Counts,
    options: &TestOptions,
) -> Result<ProportionReport, UpliftError> {
    let TestOptions { alpha, alternative } = *options;
    check_alpha(alpha)?;
    let zt = proportions_ztest(test, control, alternative)?;
    let ratio = ci_ratio_log(test, control, alpha).ok();
    let (rt, rc) = (test.rate(), control.rate());
    guard(ProportionReport {
        z: zt.z,
        p_value: zt.p_value,
        rate_test: rt,
        rate_control: rc,
        absolute_lift: rt - rc,
        relative_lift: (control.successes > 0).then(|| rt / rc - 1.0),
        ci_newcombe: ci_diff_newcombe(test, control, alpha)?,
        ci_wald: ci_diff_wald(test, control, alpha)?,
        ci_agresti_caffo: ci_diff_agresti_caffo(test, control, alpha)?,
        ci_ratio_log: ratio,
        ci_relative_lift: ratio.map(|[l, h]| [l - 1.0, h - 1.0]),
        alpha,
        alternative,
    })
}
