//! The design file: the plan written before the test and read back by `o2o report --design`,
//! so that the analysis is the one planned — the period, the population, the level and the
//! readout (a fixed-horizon interval read once at the end, or always-valid intervals that may
//! be read every day).

use super::error::DesignError;
use super::history::Metric;
use super::holdout::PowerTarget;
use super::matched::StoreMethod;
use crate::measure::HoldoutReadout;
use crate::uplift::{SequentialOptions, confidence_sequence, norm_isf};
use serde::{Deserialize, Serialize};

/// Format version of the design file.
pub const DESIGN_FORMAT: u32 = 1;

/// What is tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DesignKind {
    /// Customers held out of a campaign.
    Holdout,
    /// Stores treated against a synthetic control of other stores.
    Stores,
}

/// How the test is read.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Readout {
    /// Read once, after the planned days: the fixed-horizon interval at level `1 − α`.
    FixedHorizon,
    /// Read as often as wanted: always-valid intervals (mixture confidence sequence) with this
    /// tuning size (customers in both arms where the sequence is tightest).
    Sequential {
        /// Tuning size N*.
        tuning_n: f64,
    },
}

impl Readout {
    /// `fixed` or `sequential` (tuning size at the planned number of customers).
    pub fn parse(s: &str, planned_n: f64) -> Result<Readout, DesignError> {
        match s {
            "fixed" | "fixed_horizon" | "fixed-horizon" => Ok(Readout::FixedHorizon),
            "sequential" => Ok(Readout::Sequential {
                tuning_n: planned_n.max(100.0),
            }),
            other => Err(DesignError::flag(
                "readout",
                format!("`{other}`: expected fixed or sequential"),
            )),
        }
    }
}

/// A control store and its synthetic-control weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreWeight {
    /// The store.
    pub store: String,
    /// Its weight (the weights sum to 1).
    pub weight: f64,
}

/// The plan of a test, as written by `o2o design … --out FILE`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignFile {
    /// Format version (1).
    pub o2o_design: u32,
    /// Holdout or stores.
    pub kind: DesignKind,
    /// The campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The outcome.
    pub metric: Metric,
    /// Two-sided significance level of the readout.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// The minimum detectable effect planned for (relative).
    pub mde: f64,
    /// Days the test runs.
    pub days: u32,
    /// First day of the test (`YYYY-MM-DD`, the store's time zone), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// How it is read.
    pub readout: Readout,
    /// Holdout share (customer holdouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout_share: Option<f64>,
    /// Whether the readout adjusts by CUPED on the pre-period.
    #[serde(default)]
    pub cuped: bool,
    /// Customers planned in both arms (customer holdouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<u64>,
    /// Treated stores (store tests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub treated_stores: Vec<String>,
    /// Control stores and their weights (store tests: synthetic-control weights, or equal
    /// weights of the matched controls of a difference in differences).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub control_weights: Vec<StoreWeight>,
    /// The estimator of a store test (`synthetic_control` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<StoreMethod>,
    /// Expected full width of the interval of the relative effect under this readout.
    pub expected_interval_width: f64,
    /// Store tests read sequentially: the error scale of the relative effect after each day of
    /// the test (one value per day, read on the history's simulated tests), which the
    /// always-valid interval of each look is built on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub look_se: Vec<f64>,
    /// Seed of the assignment or of the store ranking.
    pub seed: u64,
    /// The assignment file written with the design, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<String>,
}

impl DesignFile {
    /// Parse a design file, checking its version and fields.
    pub fn from_json(text: &str) -> Result<DesignFile, DesignError> {
        let d: DesignFile =
            serde_json::from_str(text).map_err(|e| DesignError::File(e.to_string()))?;
        if d.o2o_design != DESIGN_FORMAT {
            return Err(DesignError::File(format!(
                "o2o_design {} is not a version this o2o reads ({DESIGN_FORMAT})",
                d.o2o_design
            )));
        }
        if !(d.alpha > 0.0 && d.alpha < 1.0) {
            return Err(DesignError::File(format!(
                "alpha {} must be in (0, 1)",
                d.alpha
            )));
        }
        if d.days == 0 {
            return Err(DesignError::File("days must be at least 1".into()));
        }
        if let Some(s) = &d.start {
            s.parse::<jiff::civil::Date>()
                .map_err(|e| DesignError::File(format!("start `{s}`: {e}")))?;
        }
        Ok(d)
    }

    /// First and last day of the test (inclusive), when the start is known.
    #[must_use]
    pub fn period(&self) -> Option<(String, String)> {
        let start: jiff::civil::Date = self.start.as_deref()?.parse().ok()?;
        let end = start
            .checked_add(jiff::Span::new().days(i64::from(self.days) - 1))
            .ok()?;
        Some((start.to_string(), end.to_string()))
    }

    /// The confidence level of the readout, `1 − α`.
    #[must_use]
    pub fn confidence(&self) -> f64 {
        1.0 - self.alpha
    }
}

/// The holdout readout as the design planned it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedReadout {
    /// `fixed_horizon` or `sequential`.
    pub readout: &'static str,
    /// The level.
    pub alpha: f64,
    /// Relative lift of visitors.
    pub lift: Option<f64>,
    /// Its interval under the planned readout (always-valid for a sequential readout).
    pub interval: Option<[f64; 2]>,
    /// The p-value under the planned readout (always-valid for a sequential readout).
    pub p_value: f64,
    /// Customers in both arms, and as planned.
    pub customers: u64,
    /// Customers planned.
    pub customers_planned: Option<u64>,
    /// What to conclude, in one sentence.
    pub decision: String,
}

/// Read a holdout comparison (measured at level `1 − design.alpha`) as `design` planned it.
pub fn planned_readout(
    design: &DesignFile,
    h: &HoldoutReadout,
) -> Result<PlannedReadout, DesignError> {
    let n = h.target + h.holdout;
    let pct = |x: f64| format!("{:+.1} %", x * 100.0);
    let (readout, interval, p_value) = match (design.readout, h.lift, h.lift_ci) {
        (Readout::FixedHorizon, _, ci) => ("fixed_horizon", ci, h.p_value),
        (Readout::Sequential { tuning_n }, Some(lift), Some(ci)) => {
            let se = (ci[1] - ci[0]) / (2.0 * norm_isf(design.alpha / 2.0)?);
            let look = confidence_sequence(
                lift,
                se,
                n as f64,
                &SequentialOptions {
                    alpha: design.alpha,
                    tuning_n,
                    ..SequentialOptions::default()
                },
            )?;
            ("sequential", look.ci, look.p_value)
        }
        (Readout::Sequential { .. }, _, _) => ("sequential", None, h.p_value),
    };
    let decision = match (h.lift, interval) {
        (Some(l), Some(ci)) if p_value < design.alpha => format!(
            "the lift {} is significant at the planned level ({:.0} % interval {} to {})",
            pct(l),
            (1.0 - design.alpha) * 100.0,
            pct(ci[0]),
            pct(ci[1])
        ),
        (Some(l), Some(ci)) => format!(
            "no significant lift at the planned level: {} ({} to {}); the design could detect {} \
             with power {:.0} %",
            pct(l),
            pct(ci[0]),
            pct(ci[1]),
            pct(design.mde),
            design.power * 100.0
        ),
        _ => "no lift can be read: an arm has no visitor".to_owned(),
    };
    Ok(PlannedReadout {
        readout,
        alpha: design.alpha,
        lift: h.lift,
        interval,
        p_value,
        customers: n,
        customers_planned: design.customers,
        decision,
    })
}

/// Expected full width of the interval of the relative effect under `readout`, from the
/// fixed-horizon width at `level`'s `1 − alpha` and the `n` customers of both arms: a sequential
/// readout's always-valid interval at the end of the test is wider (the price of reading it
/// every day).
pub fn expected_width(
    readout: Readout,
    fixed_width: f64,
    n: f64,
    level: &PowerTarget,
) -> Result<f64, DesignError> {
    let alpha = level.alpha;
    match readout {
        Readout::FixedHorizon => Ok(fixed_width),
        Readout::Sequential { tuning_n } => {
            let se = fixed_width / (2.0 * norm_isf(alpha / 2.0)?);
            let look = confidence_sequence(
                0.0,
                se,
                n,
                &SequentialOptions {
                    alpha,
                    tuning_n,
                    ..SequentialOptions::default()
                },
            )?;
            Ok(look.ci.map_or(f64::INFINITY, |ci| ci[1] - ci[0]))
        }
    }
}
