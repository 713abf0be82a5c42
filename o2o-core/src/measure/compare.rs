//! One comparison of two arms (treated against control): incremental visitors and revenue with
//! intervals, the relative lift with its interval, CUPED on the pre-period when it helps.

use super::MeasureError;
use crate::uplift::TestOptions;
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
        cuped(
            t,
            c,
            &TestOptions {
                alpha,
                alternative: Alternative::TwoSided,
            },
        )
        .ok()
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
                &TestOptions {
                    alpha,
                    alternative: Alternative::TwoSided,
                },
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

/// Least squares of `y` on the columns of `x` (row-major, `k` columns) with heteroscedasticity-
/// robust (HC1) standard errors. Columns that add nothing (constant after the others, or
/// collinear) get coefficient 0 and standard error 0.
fn ols_hc1(x: &[f64], y: &[f64], k: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    let n = y.len();
    if n <= k || x.len() != n * k {
        return None;
    }
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for (r, &yr) in x.chunks_exact(k).zip(y) {
        for i in 0..k {
            xty[i] += r[i] * yr;
            for j in 0..k {
                xtx[i * k + j] += r[i] * r[j];
            }
        }
    }
    let inv = invert(&xtx, k)?;
    let beta: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| inv[i * k + j] * xty[j]).sum())
        .collect();
    // Sandwich: (X'X)⁻¹ X' diag(e²) X (X'X)⁻¹ · n / (n − k).
    let mut meat = vec![0.0; k * k];
    for (r, &yr) in x.chunks_exact(k).zip(y) {
        let e = yr - r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
        for i in 0..k {
            for j in 0..k {
                meat[i * k + j] += e * e * r[i] * r[j];
            }
        }
    }
    let scale = n as f64 / (n - k) as f64;
    let se = (0..k)
        .map(|i| {
            let mut v = 0.0;
            for a in 0..k {
                for b in 0..k {
                    v += inv[i * k + a] * meat[a * k + b] * inv[b * k + i];
                }
            }
            (v * scale).max(0.0).sqrt()
        })
        .collect();
    Some((beta, se))
}

/// Inverse of a symmetric positive semi-definite matrix by Gauss–Jordan with partial pivoting;
/// a pivot below `1e-9` of the diagonal's scale drops its column (row and column set to 0).
fn invert(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let scale = (0..k).map(|i| a[i * k + i].abs()).fold(0.0, f64::max);
    if scale.is_nan() || scale <= 0.0 {
        return None;
    }
    let mut m = a.to_vec();
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        inv[i * k + i] = 1.0;
    }
    let mut dropped = vec![false; k];
    for c in 0..k {
        let p = (c..k)
            .filter(|&r| !dropped[r])
            .max_by(|&r, &s| m[r * k + c].abs().total_cmp(&m[s * k + c].abs()));
        let Some(p) = p.filter(|&p| m[p * k + c].abs() > 1e-9 * scale) else {
            dropped[c] = true;
            continue;
        };
        if p != c {
            for j in 0..k {
                m.swap(p * k + j, c * k + j);
                inv.swap(p * k + j, c * k + j);
            }
        }
        let d = m[c * k + c];
        for j in 0..k {
            m[c * k + j] /= d;
            inv[c * k + j] /= d;
        }
        for r in 0..k {
            if r != c {
                let f = m[r * k + c];
                if f != 0.0 {
                    for j in 0..k {
                        m[r * k + j] -= f * m[c * k + j];
                        inv[r * k + j] -= f * inv[c * k + j];
                    }
                }
            }
        }
    }
    for c in (0..k).filter(|&c| dropped[c]) {
        for j in 0..k {
            inv[c * k + j] = 0.0;
            inv[j * k + c] = 0.0;
        }
    }
    Some(inv)
}

/// One profile of an observational comparison: its outcomes, whether it saw the channel, and
/// which other channels it saw.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedUnit {
    /// Outcomes.
    pub unit: Unit,
    /// Exposed to the channel measured.
    pub exposed: bool,
    /// Exposed to each other channel (same order for every unit).
    pub others: Vec<bool>,
}

/// The observational estimate: a linear model of each outcome on the exposure, the other
/// channels' exposures and the pre-period outcome, with robust standard errors. It assumes the
/// effects add up and that nothing unobserved decides both exposure and visits; the lift is the
/// effect over the treated's modelled outcome without exposure.
pub fn compare_observational(
    units: &[ObservedUnit],
    confidence: f64,
    use_pre: bool,
) -> Result<Comparison, MeasureError> {
    let treated = units.iter().filter(|u| u.exposed).count();
    let control = units.len() - treated;
    if treated < 2 || control < 2 {
        return Err(MeasureError::TooFew { treated, control });
    }
    let z = norm_isf((1.0 - confidence) / 2.0)?;
    let others = units.first().map_or(0, |u| u.others.len());
    let k = 2 + others + usize::from(use_pre);
    let fit = |outcome: fn(&Unit) -> f64, pre: fn(&Unit) -> f64| -> Result<Outcome, MeasureError> {
        let mut x = Vec::with_capacity(units.len() * k);
        let mut y = Vec::with_capacity(units.len());
        for u in units {
            x.push(1.0);
            x.push(f64::from(u8::from(u.exposed)));
            x.extend(u.others.iter().map(|&b| f64::from(u8::from(b))));
            if use_pre {
                x.push(pre(&u.unit));
            }
            y.push(outcome(&u.unit));
        }
        let (beta, se) = ols_hc1(&x, &y, k).ok_or_else(|| {
            MeasureError::Uplift(crate::uplift::UpliftError::Degenerate(
                "the observational model cannot be fitted (no variation)".into(),
            ))
        })?;
        let (b, s) = (beta[1], se[1]);
        let mean = |f: bool| {
            let v: Vec<f64> = units
                .iter()
                .filter(|u| u.exposed == f)
                .map(|u| outcome(&u.unit))
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let (mt, mc) = (mean(true), mean(false));
        let base = mt - b;
        let p = if s > 0.0 {
            2.0 * crate::uplift::norm_sf((b / s).abs())?
        } else {
            1.0
        };
        let ci = [b - z * s, b + z * s];
        Ok(Outcome {
            diff: b,
            diff_ci: ci,
            p_value: p.min(1.0),
            lift: (base > 0.0).then(|| b / base),
            lift_ci: (base > 0.0).then(|| [ci[0] / base, ci[1] / base]),
            cuped: use_pre,
            mean_treated: mt,
            mean_control: mc,
        })
    };
    Ok(Comparison {
        treated: treated as u64,
        control: control as u64,
        visitors: fit(|u| u.visited, |u| u.pre_visited)?,
        revenue: fit(|u| u.revenue, |u| u.pre_revenue)?,
    })
}
