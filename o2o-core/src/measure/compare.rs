//! One comparison of two arms (treated against control): incremental visitors and revenue with
//! intervals, the relative lift with its interval, CUPED on the pre-period when it helps.

use super::MeasureError;
use crate::uplift::{Alternative, SummaryStats, cuped, norm_isf, welch_ttest};
use serde::Serialize;

/// One profile's outcomes in the period and in the pre-period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Unit {
    /// 1 when the profile visited a store in the period, else 0.
    pub visited: f64,
    /// Revenue of its visits in the period.
    pub revenue: f64,
    /// 1 when it visited in the pre-period.
    pub pre_visited: f64,
    /// Revenue in the pre-period.
    pub pre_revenue: f64,
}

/// The estimate of one outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// Treated mean minus control mean (CUPED-adjusted when `cuped`).
    pub diff: f64,
    /// Its confidence interval.
    pub diff_ci: [f64; 2],
    /// Two-sided p-value of Welch's test.
    pub p_value: f64,
    /// Relative lift: treated mean over control mean, minus 1.
    pub lift: Option<f64>,
    /// Its interval (log-ratio, delta method).
    pub lift_ci: Option<[f64; 2]>,
    /// Whether CUPED adjusted it.
    pub cuped: bool,
    /// Raw treated mean.
    pub mean_treated: f64,
    /// Raw control mean.
    pub mean_control: f64,
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Compare one outcome (`y`) of two arms, with the pre-period covariate `x` when `use_pre`.
fn outcome(
    t: &[(f64, f64)],
    c: &[(f64, f64)],
    confidence: f64,
    use_pre: bool,
) -> Result<Outcome, MeasureError> {
    let alpha = 1.0 - confidence;
    let ys = |a: &[(f64, f64)]| a.iter().map(|p| p.1).collect::<Vec<f64>>();
    let (yt, yc) = (ys(t), ys(c));
    let (mt, _) = mean_var(&yt);
    let (mc, _) = mean_var(&yc);
    // CUPED, when the pre-period varies; a constant covariate leaves the plain test.
    let adjusted = if use_pre {
        cuped(t, c, alpha, Alternative::TwoSided).ok()
    } else {
        None
    };
    let (diff, ci, p, at, ac) = match &adjusted {
        Some(cu) => {
            let n = (t.len() + c.len()) as f64;
            let mx = t.iter().chain(c).map(|p| p.0).sum::<f64>() / n;
            let adj = |a: &[(f64, f64)]| -> Vec<f64> {
                a.iter().map(|&(x, y)| y - cu.theta * (x - mx)).collect()
            };
            (
                cu.adjusted.absolute_lift,
                cu.adjusted.ci_welch,
                cu.adjusted.p_value,
                adj(t),
                adj(c),
            )
        }
        None => {
            let w = welch_ttest(
                &SummaryStats::from_sample(&yt)?,
                &SummaryStats::from_sample(&yc)?,
                alpha,
                Alternative::TwoSided,
            )?;
            (w.absolute_lift, w.ci_welch, w.p_value, yt, yc)
        }
    };
    let (a, va) = mean_var(&at);
    let (b, vb) = mean_var(&ac);
    let (lift, lift_ci) = if a > 0.0 && b > 0.0 {
        let se = (va / (at.len() as f64 * a * a) + vb / (ac.len() as f64 * b * b)).sqrt();
        let z = norm_isf(alpha / 2.0)?;
        let r = (a / b).ln();
        (
            Some(a / b - 1.0),
            Some([(r - z * se).exp() - 1.0, (r + z * se).exp() - 1.0]),
        )
    } else {
        (None, None)
    };
    Ok(Outcome {
        diff,
        diff_ci: ci,
        p_value: p,
        lift,
        lift_ci,
        cuped: adjusted.is_some(),
        mean_treated: mt,
        mean_control: mc,
    })
}

/// Both outcomes of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Profiles in the treated arm.
    pub treated: u64,
    /// Profiles in the control arm.
    pub control: u64,
    /// Visitors (share of profiles who visited).
    pub visitors: Outcome,
    /// Revenue per profile.
    pub revenue: Outcome,
}

/// Compare `treated` with `control`; `use_pre` turns CUPED on (the pre-period's visits and
/// revenue as covariates). Each arm needs two profiles.
pub fn compare(
    treated: &[Unit],
    control: &[Unit],
    confidence: f64,
    use_pre: bool,
) -> Result<Comparison, MeasureError> {
    if treated.len() < 2 || control.len() < 2 {
        return Err(MeasureError::TooFew {
            treated: treated.len(),
            control: control.len(),
        });
    }
    let v = |a: &[Unit]| {
        a.iter()
            .map(|u| (u.pre_visited, u.visited))
            .collect::<Vec<_>>()
    };
    let r = |a: &[Unit]| {
        a.iter()
            .map(|u| (u.pre_revenue, u.revenue))
            .collect::<Vec<_>>()
    };
    Ok(Comparison {
        treated: treated.len() as u64,
        control: control.len() as u64,
        visitors: outcome(&v(treated), &v(control), confidence, use_pre)?,
        revenue: outcome(&r(treated), &r(control), confidence, use_pre)?,
    })
}
