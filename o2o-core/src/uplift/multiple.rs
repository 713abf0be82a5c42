//! Multiple-testing corrections across channels: with seven channels tested at 5 %, one false
//! "winner" is likely. Holm controls the family-wise error rate, Benjamini–Hochberg the false
//! discovery rate; both as statsmodels `multipletests(method="holm" | "fdr_bh")`.

use super::error::{UpliftError, check_alpha};
use super::finite::guard;
use serde::{Deserialize, Serialize};

/// Which correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Correction {
    /// Holm step-down (family-wise error rate).
    Holm,
    /// Benjamini–Hochberg step-up (false discovery rate).
    BenjaminiHochberg,
}

/// Adjusted p-values and decisions, in the input order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adjusted {
    /// Whether each hypothesis is rejected at `alpha`.
    pub reject: Vec<bool>,
    /// Adjusted p-values, capped at 1.
    pub p_adjusted: Vec<f64>,
}

/// Adjust `p_values` for multiple testing.
///
/// ```
/// use o2o_core::uplift::{Correction, adjust_p_values};
/// let a = adjust_p_values(&[0.01, 0.04, 0.03], 0.05, Correction::Holm).unwrap();
/// assert_eq!(a.reject, vec![true, false, false]);
/// assert!((a.p_adjusted[0] - 0.03).abs() < 1e-15);
/// ```
pub fn adjust_p_values(
    p_values: &[f64],
    alpha: f64,
    method: Correction,
) -> Result<Adjusted, UpliftError> {
    check_alpha(alpha)?;
    for (i, &p) in p_values.iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(UpliftError::invalid(
                format!("p_values[{i}]"),
                format!("{p} is not a probability"),
            ));
        }
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let sorted: Vec<f64> = order.iter().map(|&i| p_values[i]).collect();
    let mut reject_s = vec![false; m];
    let mut adj_s = vec![0.0; m];
    match method {
        Correction::Holm => {
            // Reject in order until the first p(k) > alpha / (m − k).
            for k in 0..m {
                if sorted[k] > alpha / (m - k) as f64 {
                    break;
                }
                reject_s[k] = true;
            }
            let mut run: f64 = 0.0;
            for k in 0..m {
                run = run.max(sorted[k] * (m - k) as f64);
                adj_s[k] = run.min(1.0);
            }
        }
        Correction::BenjaminiHochberg => {
            let factor = |k: usize| (k + 1) as f64 / m as f64;
            if let Some(kmax) = (0..m).rev().find(|&k| sorted[k] <= factor(k) * alpha) {
                for r in reject_s.iter_mut().take(kmax + 1) {
                    *r = true;
                }
            }
            let mut run = f64::INFINITY;
            for k in (0..m).rev() {
                run = run.min(sorted[k] / factor(k));
                adj_s[k] = run.min(1.0);
            }
        }
    }
    let mut reject = vec![false; m];
    let mut p_adjusted = vec![0.0; m];
    for (k, &i) in order.iter().enumerate() {
        reject[i] = reject_s[k];
        p_adjusted[i] = adj_s[k];
    }
    guard(Adjusted { reject, p_adjusted })
}
