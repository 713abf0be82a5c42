//! Dashboards (`full` build): attribution over a path table and uplift tests, straight from the
//! core. Inputs are the core's shapes (path tables in ChannelAttribution's format, counts,
//! samples); outputs are the core's result types as plain objects.

use crate::args::{NumArg, StrArg, number, number_array, opt_number, opt_string, string};
use crate::convert::{from_js, to_js};
use crate::error::{WasmError, code};
use o2o_core::attribution::{AttributionError, Credit, Model, RowError, attribute_path_table};
use o2o_core::uplift::TestOptions;
use o2o_core::uplift::{
    Alternative, Counts, PowerOptions, ProportionMde, ProportionPower, ProportionReport,
    UpliftError, WelchTest, compare_proportions, mde_proportions, power_proportions,
    welch_ttest_samples,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Attribution result.
    #[wasm_bindgen(typescript_type = "AttributionResult")]
    pub type AttributionResultJs;
    /// `{successes, trials}`.
    #[wasm_bindgen(typescript_type = "Counts")]
    pub type CountsJs;
    /// Proportion test result.
    #[wasm_bindgen(typescript_type = "ProportionReport")]
    pub type ProportionReportJs;
    /// Power result.
    #[wasm_bindgen(typescript_type = "ProportionPower")]
    pub type ProportionPowerJs;
    /// MDE result.
    #[wasm_bindgen(typescript_type = "ProportionMde")]
    pub type ProportionMdeJs;
    /// Welch test result.
    #[wasm_bindgen(typescript_type = "WelchTest")]
    pub type WelchTestJs;
    /// A sample of numbers.
    #[wasm_bindgen(typescript_type = "number[]")]
    pub type SampleJs;
    /// `"two-sided"`, `"larger"` or `"smaller"`.
    #[wasm_bindgen(typescript_type = "Alternative")]
    pub type AlternativeJs;
}

impl From<AttributionError> for WasmError {
    fn from(e: AttributionError) -> Self {
        WasmError::new(code::ANALYSIS, e.to_string())
    }
}

impl From<UpliftError> for WasmError {
    fn from(e: UpliftError) -> Self {
        WasmError::new(code::ANALYSIS, e.to_string())
    }
}

/// Credit per channel and the rows that were skipped.
#[derive(Debug, Serialize)]
pub struct AttributionResult {
    /// The core's credit.
    pub credit: Credit,
    /// One `{line, field, message}` per rejected row (the good rows are kept).
    pub errors: Vec<RowError>,
}

/// The core's attribution of a path table under `model` (`first`, `last`, `last-non-direct`,
/// `linear`, `position`, `markov`, `shapley`…).
pub fn attribute(text: &str, model: &str, sep: &str) -> Result<AttributionResult, WasmError> {
    let model: Model = model.parse()?;
    let (credit, errors) = attribute_path_table(text, sep, &model)?;
    Ok(AttributionResult { credit, errors })
}

/// Attribute conversions to channels over a path table (ChannelAttribution's format: a header
/// `path;total_conversions[;total_conversion_value][;total_null]`, paths like
/// `facebook > email`). `model`: `first`, `last`, `last-non-direct`, `linear`, `position`,
/// `time-decay`, `markov`, `shapley` (the core's names). `separator` between channels defaults to
/// `">"`. Returns `{credit, errors}`; bad rows are reported and skipped. Throws `E_ANALYSIS`.
#[wasm_bindgen(js_name = attributePaths)]
pub fn attribute_paths(
    path_table: StrArg,
    model: StrArg,
    separator: Option<StrArg>,
) -> Result<AttributionResultJs, JsValue> {
    let path_table = string(&path_table, "pathTable")?;
    let model = string(&model, "model")?;
    let separator = separator.map(JsValue::from);
    let separator = opt_string(separator.as_ref(), "separator")?;
    let r = attribute(&path_table, &model, separator.as_deref().unwrap_or(">"))?;
    Ok(to_js(&r)?.unchecked_into())
}

fn alternative(alt: Option<AlternativeJs>) -> Result<Alternative, WasmError> {
    let alt = alt.map(JsValue::from);
    Ok(opt_string(alt.as_ref(), "alternative")?
        .as_deref()
        .unwrap_or("two-sided")
        .parse::<Alternative>()?)
}

/// An optional number argument (`alpha`, `power`), `undefined`/`null` for its default.
fn opt_num(v: Option<NumArg>, name: &str, default: f64) -> Result<f64, WasmError> {
    let v = v.map(JsValue::from);
    Ok(opt_number(v.as_ref(), name)?.unwrap_or(default))
}

/// The core's two-proportion test.
pub fn proportions(
    test: Counts,
    control: Counts,
    alpha: f64,
    alt: Alternative,
) -> Result<ProportionReport, WasmError> {
    let test = Counts::new(test.successes, test.trials, "test")?;
    let control = Counts::new(control.successes, control.trials, "control")?;
    Ok(compare_proportions(
        test,
        control,
        &TestOptions {
            alpha,
            alternative: alt,
        },
    )?)
}

/// Did the test group convert more than control? The core's two-proportion z-test with the
/// rates, the lift and its confidence intervals. `test`/`control`: `{successes, trials}`;
/// `alpha` defaults to 0.05, `alternative` to `"two-sided"` (`"larger"`, `"smaller"`).
#[wasm_bindgen(js_name = compareProportions)]
pub fn compare_proportions_js(
    test: CountsJs,
    control: CountsJs,
    alpha: Option<NumArg>,
    alternative_name: Option<AlternativeJs>,
) -> Result<ProportionReportJs, JsValue> {
    crate::read::object(&test, "test")?;
    crate::read::object(&control, "control")?;
    let t: Counts = from_js(&test, "test")?;
    let c: Counts = from_js(&control, "control")?;
    let alpha = opt_num(alpha, "alpha", 0.05)?;
    let r = proportions(t, c, alpha, alternative(alternative_name)?)?;
    Ok(to_js(&r)?.unchecked_into())
}

/// The core's planning defaults (two-sided, equal groups) with the caller's α and power.
fn options(alpha: Option<NumArg>, power: Option<NumArg>) -> Result<PowerOptions, WasmError> {
    let d = PowerOptions::default();
    Ok(PowerOptions {
        alpha: opt_num(alpha, "alpha", d.alpha)?,
        power: opt_num(power, "power", d.power)?,
        ..d
    })
}

/// Customers needed per group to detect a relative lift `mdeRelative` of a `baseline`
/// conversion rate (two-sided, `alpha` 0.05 and `power` 0.8 by default).
#[wasm_bindgen(js_name = powerProportions)]
pub fn power_proportions_js(
    baseline: NumArg,
    mde_relative: NumArg,
    alpha: Option<NumArg>,
    power: Option<NumArg>,
) -> Result<ProportionPowerJs, JsValue> {
    let r: ProportionPower = power_proportions(
        number(&baseline, "baseline")?,
        number(&mde_relative, "mdeRelative")?,
        &options(alpha, power)?,
    )
    .map_err(WasmError::from)?;
    Ok(to_js(&r)?.unchecked_into())
}

/// The smallest lift detectable with `nPerGroup` customers per group.
#[wasm_bindgen(js_name = mdeProportions)]
pub fn mde_proportions_js(
    baseline: NumArg,
    n_per_group: NumArg,
    alpha: Option<NumArg>,
    power: Option<NumArg>,
) -> Result<ProportionMdeJs, JsValue> {
    let r: ProportionMde = mde_proportions(
        number(&baseline, "baseline")?,
        number(&n_per_group, "nPerGroup")?,
        &options(alpha, power)?,
    )
    .map_err(WasmError::from)?;
    Ok(to_js(&r)?.unchecked_into())
}

/// Do test customers spend more? Welch's t-test on the two samples (scipy's
/// `ttest_ind(equal_var=False)`), with the difference and its interval.
#[wasm_bindgen(js_name = welchTTest)]
pub fn welch_ttest_js(
    test: SampleJs,
    control: SampleJs,
    alpha: Option<NumArg>,
    alternative_name: Option<AlternativeJs>,
) -> Result<WelchTestJs, JsValue> {
    let r: WelchTest = welch_ttest_samples(
        &number_array(&test, "test")?,
        &number_array(&control, "control")?,
        &TestOptions {
            alpha: opt_num(alpha, "alpha", 0.05)?,
            alternative: alternative(alternative_name)?,
        },
    )
    .map_err(WasmError::from)?;
    Ok(to_js(&r)?.unchecked_into())
}
