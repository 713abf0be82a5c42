//! Incrementality from a holdout: how many conversions and how much revenue the campaign caused
//! in the exposed group, and the incremental return on ad spend
//! `iROAS = incremental revenue / spend`, each with an interval.
//!
//! Incremental conversions are `(p_exposed − p_holdout) · n_exposed` with the Newcombe interval
//! scaled by `n_exposed`; incremental revenue is `(mean_exposed − mean_holdout) · n_exposed` with
//! the Welch interval scaled alike; spend is known exactly, so the iROAS interval is the revenue
//! interval divided by spend.

use super::error::{UpliftError, check_alpha, check_finite};
use super::finite::guard;
use super::means::{SummaryStats, welch_ttest};
use super::proportions::{Alternative, Counts, Interval, ci_diff_newcombe, proportions_ztest};
use crate::uplift::TestOptions;
use serde::{Deserialize, Serialize};

/// One arm of a holdout test: customers, converters and revenue per customer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutArm {
    /// Customers in the arm.
    pub customers: u64,
    /// Customers who converted (visited a store, bought).
    pub conversions: u64,
    /// Mean revenue per customer (zeros included).
    pub revenue_mean: f64,
    /// Standard deviation of revenue per customer (ddof = 1).
    pub revenue_sd: f64,
}

/// An estimate with its interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// `1 − alpha` interval.
    pub ci: Interval,
}

/// The incrementality summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incrementality {
    /// Extra conversions caused in the exposed arm.
    pub incremental_conversions: Estimate,
    /// Extra revenue caused in the exposed arm.
    pub incremental_revenue: Estimate,
    /// Incremental revenue per unit of spend; `null` without spend.
    pub iroas: Option<Estimate>,
    /// Conversion-rate lift (absolute) with its Newcombe interval.
    pub conversion_lift: Estimate,
    /// Two-sided p-value of the conversion difference (pooled z-test).
    pub p_value_conversions: f64,
    /// Two-sided p-value of the revenue difference (Welch).
    pub p_value_revenue: f64,
}

/// Summarise a holdout test.
///
/// ```
/// use o2o_core::uplift::{HoldoutArm, incrementality};
/// let exposed = HoldoutArm { customers: 9000, conversions: 990, revenue_mean: 6.1, revenue_sd: 21.0 };
/// let holdout = HoldoutArm { customers: 1000, conversions: 80, revenue_mean: 4.4, revenue_sd: 18.0 };
/// let s = incrementality(&exposed, &holdout, 2500.0, 0.05).unwrap();
/// assert!((s.incremental_conversions.value - 270.0).abs() < 1e-9);
/// assert!(s.iroas.unwrap().value > 0.0);
/// ```
pub fn incrementality(
    exposed: &HoldoutArm,
    holdout: &HoldoutArm,
    spend: f64,
    alpha: f64,
) -> Result<Incrementality, UpliftError> {
    check_alpha(alpha)?;
    check_finite("spend", spend)?;
    if spend < 0.0 {
        return Err(UpliftError::invalid(
            "spend",
            format!("{spend} is negative"),
        ));
    }
    let t = Counts::new(exposed.conversions, exposed.customers, "exposed")?;
    let c = Counts::new(holdout.conversions, holdout.customers, "holdout")?;
    let n = exposed.customers as f64;
    let lift = t.rate() - c.rate();
    let ci = ci_diff_newcombe(t, c, alpha)?;
    let z = proportions_ztest(t, c, Alternative::TwoSided)?;
    let w = welch_ttest(
        &SummaryStats {
            mean: exposed.revenue_mean,
            sd: exposed.revenue_sd,
            n: exposed.customers,
        },
        &SummaryStats {
            mean: holdout.revenue_mean,
            sd: holdout.revenue_sd,
            n: holdout.customers,
        },
        &TestOptions {
            alpha,
            alternative: Alternative::TwoSided,
        },
    )?;
    let revenue = Estimate {
        value: w.absolute_lift * n,
        ci: [w.ci_welch[0] * n, w.ci_welch[1] * n],
    };
    guard(Incrementality {
        incremental_conversions: Estimate {
            value: lift * n,
            ci: [ci[0] * n, ci[1] * n],
        },
        incremental_revenue: revenue,
        iroas: (spend > 0.0).then(|| Estimate {
            value: revenue.value / spend,
            ci: [revenue.ci[0] / spend, revenue.ci[1] / spend],
        }),
        conversion_lift: Estimate { value: lift, ci },
        p_value_conversions: z.p_value,
        p_value_revenue: w.p_value,
    })
}

/// Summarise raw per-customer outcomes: `(converted, revenue)` for each customer of an arm.
pub fn holdout_arm(outcomes: &[(bool, f64)]) -> Result<HoldoutArm, UpliftError> {
    let revenue: Vec<f64> = outcomes.iter().map(|o| o.1).collect();
    let s = SummaryStats::from_sample(&revenue)?;
    Ok(HoldoutArm {
        customers: s.n,
        conversions: outcomes.iter().filter(|o| o.0).count() as u64,
        revenue_mean: s.mean,
        revenue_sd: s.sd,
    })
}
