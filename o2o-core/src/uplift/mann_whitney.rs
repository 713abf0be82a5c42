//! Mann–Whitney U: a rank test that does not care how skewed revenue is, as a robustness check
//! next to the Welch test. Matches scipy `mannwhitneyu(test, control, use_continuity=True)`:
//! the statistic is U₁ of the test sample, the asymptotic p-value uses the tie-corrected
//! variance and the continuity correction, the exact p-value (no ties) the exact null
//! distribution of U.

use super::dist::phi_sf;
use super::error::{UpliftError, check_finite};
use super::finite::guard;
use super::proportions::Alternative;
use serde::{Deserialize, Serialize};

/// How the p-value is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MwuMethod {
    /// scipy's rule: exact when either sample has at most 8 values and there are no ties (and
    /// at most 10⁶ pairs, so the exact distribution stays small).
    Auto,
    /// Exact null distribution of U (refused with ties or more than 10⁶ pairs).
    Exact,
    /// Normal approximation with tie and continuity corrections.
    Asymptotic,
}

/// Result of a Mann–Whitney U test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MannWhitney {
    /// U statistic of the test sample (scipy's `statistic`).
    pub u: f64,
    /// p-value.
    pub p_value: f64,
    /// The method actually used.
    pub method: MwuMethod,
    /// Common-language effect size `U / (n₁ n₂)`: P(test > control) + ½ P(tie).
    pub effect_size: f64,
}

/// Average ranks (1-based) of `xs`, and the sizes of tie groups.
fn rank_average(xs: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && xs[idx[j]] == xs[idx[i]] {
            j += 1;
        }
        // Positions i..j share the average of ranks i+1..=j.
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        ties.push(j - i);
        i = j;
    }
    (ranks, ties)
}

/// Number of arrangements giving each value of U for sample sizes `m`, `n` (as f64): the
/// coefficients of the Gaussian binomial `[m+n choose m]_q`.
fn u_counts(m: usize, n: usize) -> Vec<f64> {
    let deg = m * n;
    let mut c = vec![0.0; deg + 1];
    c[0] = 1.0;
    for i in 1..=m {
        // Multiply by (1 − q^(n+i)).
        let s = n + i;
        for k in (s..=deg).rev() {
            c[k] -= c[k - s];
        }
        // Divide by (1 − q^i): b[k] = a[k] + b[k − i] (exact, the quotient is a polynomial).
        for k in i..=deg {
            c[k] += c[k - i];
        }
    }
    c
}

/// P(U ≥ u) under the null, exact.
fn exact_sf(u: f64, m: usize, n: usize) -> f64 {
    let c = u_counts(m, n);
    let total: f64 = c.iter().sum();
    let k0 = u.ceil().max(0.0) as usize;
    c.iter().skip(k0).sum::<f64>() / total
}

/// Mann–Whitney U test of `test` against `control`.
///
/// ```
/// use o2o_core::uplift::{Alternative, MwuMethod, mann_whitney_u};
/// let r = mann_whitney_u(&[3.0, 5.0, 8.0], &[1.0, 2.0, 4.0], Alternative::TwoSided,
///     MwuMethod::Exact).unwrap();
/// assert_eq!(r.u, 8.0);
/// assert!((r.p_value - 0.2).abs() < 1e-12);
/// ```
pub fn mann_whitney_u(
    test: &[f64],
    control: &[f64],
    alternative: Alternative,
    method: MwuMethod,
) -> Result<MannWhitney, UpliftError> {
    for (name, xs) in [("test", test), ("control", control)] {
        if xs.is_empty() {
            return Err(UpliftError::TooFew {
                what: format!("{name} sample of a Mann–Whitney test"),
                need: 1,
                got: 0,
            });
        }
        for (i, &x) in xs.iter().enumerate() {
            check_finite(&format!("{name}[{i}]"), x)?;
        }
    }
    let (n1, n2) = (test.len(), control.len());
    let all: Vec<f64> = test.iter().chain(control).copied().collect();
    let (ranks, ties) = rank_average(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let (u, factor) = match alternative {
        Alternative::Larger => (u1, 1.0),
        Alternative::Smaller => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let has_ties = ties.iter().any(|&t| t > 1);
    let method = match method {
        // scipy's rule, plus a size bound: the exact distribution has n₁·n₂ + 1 terms.
        MwuMethod::Auto if (n1 > 8 && n2 > 8) || has_ties || n1.saturating_mul(n2) > 1_000_000 => {
            MwuMethod::Asymptotic
        }
        MwuMethod::Auto => MwuMethod::Exact,
        m => m,
    };
    let p = match method {
        MwuMethod::Exact => {
            if has_ties {
                return Err(UpliftError::Degenerate(
                    "the exact Mann–Whitney p-value assumes no ties; use the asymptotic method"
                        .into(),
                ));
            }
            if n1.saturating_mul(n2) > 1_000_000 {
                return Err(UpliftError::invalid(
                    "method",
                    "exact Mann–Whitney is limited to 10⁶ pairs; use the asymptotic method",
                ));
            }
            exact_sf(u, n1, n2)
        }
        _ => {
            let n = f1 + f2;
            let tie_term: f64 = ties.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
            let s = (f1 * f2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
            let z = (u - f1 * f2 / 2.0 - 0.5) / s;
            phi_sf(z)
        }
    };
    guard(MannWhitney {
        u: u1,
        p_value: (p * factor).clamp(0.0, 1.0),
        method,
        effect_size: u1 / (f1 * f2),
    })
}
