//! The uplift functions with keyword arguments (`o2o.uplift`): each converts its arguments and
//! returns the core's result as JSON text, which the Python layer turns into a dict.

use crate::error::{Error, Result};
use o2o_core::uplift::TestOptions;
use o2o_core::uplift::{
    self, Alternative, Correction, Counts, HoldoutArm, MwuMethod, PowerOptions,
};
use pyo3::prelude::*;
use serde::Serialize;

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::new(
            crate::error::Class::Analysis,
            "internal",
            format!("JSON: {e}"),
        )
    })
}

fn alternative(s: &str) -> Result<Alternative> {
    s.parse().map_err(|_| {
        Error::input(
            "alternative",
            format!("alternative: `{s}` (expected two-sided, larger or smaller)"),
        )
    })
}

fn power_options(alpha: f64, power: f64, ratio: f64, alt: &str) -> Result<PowerOptions> {
    Ok(PowerOptions {
        alpha,
        power,
        ratio,
        alternative: alternative(alt)?,
    })
}

/// Two proportions: z-test, difference and ratio with intervals.
#[pyfunction]
#[pyo3(signature = (*, test_successes, test_trials, control_successes, control_trials, alpha=0.05, alternative="two-sided"))]
pub fn compare_proportions(
    test_successes: u64,
    test_trials: u64,
    control_successes: u64,
    control_trials: u64,
    alpha: f64,
    alternative: &str,
) -> Result<String> {
    let t = Counts::new(test_successes, test_trials, "test")?;
    let c = Counts::new(control_successes, control_trials, "control")?;
    json(&uplift::compare_proportions(
        t,
        c,
        &TestOptions {
            alpha,
            alternative: self::alternative(alternative)?,
        },
    )?)
}

/// Power of a two-proportion test for a relative lift, and the sample size it needs.
#[pyfunction]
#[pyo3(signature = (*, baseline, mde_relative, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided"))]
pub fn power_proportions(
    baseline: f64,
    mde_relative: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: &str,
) -> Result<String> {
    let o = power_options(alpha, power, ratio, alternative)?;
    json(&uplift::power_proportions(baseline, mde_relative, &o)?)
}

/// The smallest lift a two-proportion test of `n_per_group` detects.
#[pyfunction]
#[pyo3(signature = (*, baseline, n_per_group, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided"))]
pub fn mde_proportions(
    baseline: f64,
    n_per_group: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: &str,
) -> Result<String> {
    let o = power_options(alpha, power, ratio, alternative)?;
    json(&uplift::mde_proportions(baseline, n_per_group, &o)?)
}

/// Welch's t-test of two samples.
#[pyfunction]
#[pyo3(signature = (*, test, control, alpha=0.05, alternative="two-sided"))]
pub fn welch_ttest(
    test: Vec<f64>,
    control: Vec<f64>,
    alpha: f64,
    alternative: &str,
) -> Result<String> {
    json(&uplift::welch_ttest_samples(
        &test,
        &control,
        &TestOptions {
            alpha,
            alternative: self::alternative(alternative)?,
        },
    )?)
}

/// Mann–Whitney U test of two samples.
#[pyfunction]
#[pyo3(signature = (*, test, control, alternative="two-sided", method="auto"))]
pub fn mann_whitney_u(
    test: Vec<f64>,
    control: Vec<f64>,
    alternative: &str,
    method: &str,
) -> Result<String> {
    let method = match method {
        "auto" => MwuMethod::Auto,
        "exact" => MwuMethod::Exact,
        "asymptotic" => MwuMethod::Asymptotic,
        other => {
            return Err(Error::input(
                "method",
                format!("method: `{other}` (expected auto, exact or asymptotic)"),
            ));
        }
    };
    json(&uplift::mann_whitney_u(
        &test,
        &control,
        self::alternative(alternative)?,
        method,
    )?)
}

/// CUPED: the difference of means with pre-period variance removed. Each arm is a list of
/// (outcome, pre-period covariate) pairs.
#[pyfunction]
#[pyo3(signature = (*, test, control, alpha=0.05, alternative="two-sided"))]
pub fn cuped(
    test: Vec<(f64, f64)>,
    control: Vec<(f64, f64)>,
    alpha: f64,
    alternative: &str,
) -> Result<String> {
    json(&uplift::cuped(
        &test,
        &control,
        &TestOptions {
            alpha,
            alternative: self::alternative(alternative)?,
        },
    )?)
}

/// Adjusted p-values across several tests (Holm or Benjamini–Hochberg).
#[pyfunction]
#[pyo3(signature = (*, p_values, alpha=0.05, method="holm"))]
pub fn adjust_p_values(p_values: Vec<f64>, alpha: f64, method: &str) -> Result<String> {
    let method = match method {
        "holm" => Correction::Holm,
        "bh" | "benjamini-hochberg" | "fdr" => Correction::BenjaminiHochberg,
        other => {
            return Err(Error::input(
                "method",
                format!("method: `{other}` (expected holm or bh)"),
            ));
        }
    };
    json(&uplift::adjust_p_values(&p_values, alpha, method)?)
}

/// Incremental conversions, revenue and iROAS of a campaign against its holdout. Each arm is
/// `(customers, conversions, revenue_mean, revenue_sd)`.
#[pyfunction]
#[pyo3(signature = (*, exposed, holdout, spend, alpha=0.05))]
pub fn incrementality(
    exposed: (u64, u64, f64, f64),
    holdout: (u64, u64, f64, f64),
    spend: f64,
    alpha: f64,
) -> Result<String> {
    let arm = |a: (u64, u64, f64, f64)| HoldoutArm {
        customers: a.0,
        conversions: a.1,
        revenue_mean: a.2,
        revenue_sd: a.3,
    };
    json(&uplift::incrementality(
        &arm(exposed),
        &arm(holdout),
        spend,
        alpha,
    )?)
}

/// Sample size per group of a two-sample t-test for the standardised effect `effect`.
#[pyfunction]
#[pyo3(signature = (*, effect, alpha=0.05, power=0.8, ratio=1.0, alternative="two-sided"))]
pub fn solve_n_ttest(
    effect: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: &str,
) -> Result<f64> {
    let o = power_options(alpha, power, ratio, alternative)?;
    Ok(uplift::solve_n_ttest(effect, &o)?)
}

/// Register the functions in `module`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compare_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(power_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(mde_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(welch_ttest, m)?)?;
    m.add_function(wrap_pyfunction!(mann_whitney_u, m)?)?;
    m.add_function(wrap_pyfunction!(cuped, m)?)?;
    m.add_function(wrap_pyfunction!(adjust_p_values, m)?)?;
    m.add_function(wrap_pyfunction!(incrementality, m)?)?;
    m.add_function(wrap_pyfunction!(solve_n_ttest, m)?)?;
    Ok(())
}
