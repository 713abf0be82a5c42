//! Uplift tests from C: did the exposed group really convert or spend more than the holdout?
//! Two-proportion z-test with its intervals, and Welch's t-test on summary statistics.

use crate::args::{finite_arg, out_arg, str_arg};
use crate::boundary::boundary;
use crate::buffers::o2o_string;
use crate::status::{Failure, FfiResult, o2o_status};
use o2o_core::uplift::TestOptions;
use o2o_core::uplift::{
    Alternative, Counts, SummaryStats, UpliftError, compare_proportions, welch_ttest,
};
use serde::Serialize;
use std::ffi::c_char;

fn failure(e: UpliftError) -> Failure {
    match e {
        UpliftError::Invalid { .. } => Failure::new(o2o_status::InvalidArgument, e),
        _ => Failure::input(e),
    }
}

fn alternative_arg(text: &str) -> FfiResult<Alternative> {
    text.parse().map_err(failure)
}

fn json<T: Serialize>(value: &T) -> FfiResult<o2o_string> {
    serde_json::to_string(value)
        .map(o2o_string::from_string)
        .map_err(|e| Failure::new(o2o_status::Internal, e))
}

/// Compare two conversion rates (test vs control): pooled two-proportion z-test (as statsmodels
/// `proportions_ztest`), lifts, and intervals for the difference (Newcombe, Wald,
/// Agresti–Caffo) and the ratio (log).
///
/// \param test_successes customers who converted in the test (exposed) group.
/// \param test_trials customers in the test group (≥ 1).
/// \param control_successes customers who converted in the control (holdout) group.
/// \param control_trials customers in the control group (≥ 1).
/// \param alpha significance level, e.g. 0.05 (intervals are `1 − alpha`).
/// \param alternative `"two-sided"`, `"larger"` or `"smaller"`, `alternative_len` bytes.
/// \param alternative_len its length in bytes.
/// \param[out] report receives JSON with `z`, `p_value`, `absolute_lift`, `relative_lift`,
///        `ci_newcombe`, `ci_wald`, `ci_agresti_caffo`, `ci_ratio_log`, … exactly as
///        `o2o uplift` prints; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` when a count or `alpha` is out of its domain or the
///         alternative is unknown (the message names it); `O2O_STATUS_INVALID_INPUT` when the
///         data carry no information for the test.
/// \warning the caller owns `*report` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_uplift_proportions(
    test_successes: u64,
    test_trials: u64,
    control_successes: u64,
    control_trials: u64,
    alpha: f64,
    alternative: *const c_char,
    alternative_len: usize,
    report: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `report` is NULL or writable.
        let report = unsafe { out_arg(report, "report", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let alternative = unsafe { str_arg(alternative, alternative_len, "alternative") }?;
        let alternative = alternative_arg(alternative)?;
        let test = Counts::new(test_successes, test_trials, "test").map_err(failure)?;
        let control = Counts::new(control_successes, control_trials, "control").map_err(failure)?;
        let result = compare_proportions(test, control, &TestOptions { alpha, alternative })
            .map_err(failure)?;
        *report = json(&result)?;
        Ok(())
    })
}

/// Compare two means (revenue per customer) from summary statistics: Welch's t-test with
/// Welch–Satterthwaite degrees of freedom and its interval.
///
/// \param test_mean the test group's mean.
/// \param test_sd its sample standard deviation (denominator n − 1).
/// \param test_n its size (≥ 2).
/// \param control_mean the control group's mean.
/// \param control_sd its sample standard deviation.
/// \param control_n its size (≥ 2).
/// \param alpha significance level (the interval is two-sided `1 − alpha`).
/// \param alternative `"two-sided"`, `"larger"` or `"smaller"`, `alternative_len` bytes.
/// \param alternative_len its length in bytes.
/// \param[out] report receives JSON with `t`, `df`, `p_value`, `absolute_lift`,
///        `relative_lift`, `se`, `ci_welch`; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK`; `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for a value out of its domain (NaN, negative sd,
///         alpha outside (0, 1), unknown alternative); `O2O_STATUS_INVALID_INPUT` when an arm
///         has fewer than 2 customers or both standard deviations are 0.
/// \warning the caller owns `*report` and frees it with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_uplift_welch(
    test_mean: f64,
    test_sd: f64,
    test_n: u64,
    control_mean: f64,
    control_sd: f64,
    control_n: u64,
    alpha: f64,
    alternative: *const c_char,
    alternative_len: usize,
    report: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: `report` is NULL or writable.
        let report = unsafe { out_arg(report, "report", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: readable (ptr, len).
        let alternative = unsafe { str_arg(alternative, alternative_len, "alternative") }?;
        let alternative = alternative_arg(alternative)?;
        let test = SummaryStats {
            mean: finite_arg(test_mean, "test_mean")?,
            sd: finite_arg(test_sd, "test_sd")?,
            n: test_n,
        };
        let control = SummaryStats {
            mean: finite_arg(control_mean, "control_mean")?,
            sd: finite_arg(control_sd, "control_sd")?,
            n: control_n,
        };
        let result =
            welch_ttest(&test, &control, &TestOptions { alpha, alternative }).map_err(failure)?;
        *report = json(&result)?;
        Ok(())
    })
}
