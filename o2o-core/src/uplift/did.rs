//! Difference-in-differences for store × period panels ("stores near the indoor ads sold 7 %
//! more than the other stores, after the campaign started, compared to before").
//!
//! Two estimators, both with standard errors clustered by store and statsmodels' small-sample
//! correction `G/(G−1) · (N−1)/(N−K)`:
//!
//! - **pooled 2×2** ([`DidEstimator::Pooled`]): the interaction coefficient of the OLS regression
//!   `value ~ 1 + treated + post + treated·post` (K = 4) — exactly statsmodels
//!   `OLS(...).fit(cov_type="cluster", cov_kwds={"groups": store})`. On a balanced panel (every
//!   store in every period, once) it is the two-way fixed-effects estimate; on an unbalanced one
//!   (stores opening or closing mid-panel) it is biased, because a store that leaves changes
//!   the cell means it leaves.
//! - **two-way fixed effects** ([`DidEstimator::TwoWayFixedEffects`]): `value ~ store + period +
//!   treated·post`, one effect per store and per period, which compares each store with itself
//!   whatever periods it has — statsmodels OLS with store and period dummies, clustered by store,
//!   K = stores + periods (the dummies count, as in statsmodels and Stata's `regress … i.store
//!   i.period, vce(cluster store)`). Computed exactly without the dummies: values are demeaned
//!   within store, the period effects solved from their (periods − 1)-square normal equations
//!   (Frisch–Waugh–Lovell), and the clustered variance read from the residualised treatment.
//!   With staggered starts (`post` turning on at different periods for different stores) this
//!   estimate mixes comparisons and can mislead; keep one campaign start per panel.
//!
//! [`DidEstimator::Auto`] (the default) uses the pooled regression on balanced panels and two-way
//! fixed effects on unbalanced ones; the estimate says which it used (`estimator`).
//!
//! Values are centred (and scaled by a power of two) before anything is summed, so a panel of
//! values near 1e10 keeps the precision of its differences (1e-9 relative and better on the
//! fixtures) and values near 1e308 do not overflow.
//!
//! statsmodels reports normal p-values and intervals for clustered fits by default (`p_value`,
//! `ci`); with few stores the t distribution with G − 1 degrees of freedom (`use_t=True`) is more
//! honest (`p_value_t`, `ci_t`). Use both; trust `_t` with fewer than ~40 stores.

use super::dist::{student_isf, z_isf};
use super::error::{UpliftError, check_alpha, check_finite};
use super::finite::{guard, pow2_scale};
use super::linalg::cholesky_solve;
use super::proportions::{Alternative, Interval};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One observation of a panel: a store's value in one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelRow {
    /// Store (cluster) identifier.
    pub store: String,
    /// Period label (a date, a week).
    pub period: String,
    /// Whether the store is in the treated group (near the ads).
    pub treated: bool,
    /// Whether the period is after the campaign started.
    pub post: bool,
    /// The outcome (sales, visits).
    pub value: f64,
}

/// Which regression estimates the effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DidEstimator {
    /// Pooled on a balanced panel, two-way fixed effects on an unbalanced one.
    #[default]
    Auto,
    /// `value ~ 1 + treated + post + treated·post`.
    Pooled,
    /// `value ~ store + period + treated·post`.
    TwoWayFixedEffects,
}

impl std::str::FromStr for DidEstimator {
    type Err = UpliftError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(DidEstimator::Auto),
            "pooled" => Ok(DidEstimator::Pooled),
            "twfe" | "two-way-fixed-effects" => Ok(DidEstimator::TwoWayFixedEffects),
            _ => Err(UpliftError::invalid(
                "estimator",
                format!("`{s}` is not one of auto, pooled, twfe"),
            )),
        }
    }
}

/// How to estimate a difference-in-differences. `Default`: α = 0.05, [`DidEstimator::Auto`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DidOptions {
    /// Intervals are at level `1 − alpha`.
    pub alpha: f64,
    /// The estimator.
    pub estimator: DidEstimator,
}

impl Default for DidOptions {
    fn default() -> Self {
        DidOptions {
            alpha: 0.05,
            estimator: DidEstimator::Auto,
        }
    }
}

/// A difference-in-differences estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DidEstimate {
    /// The effect of treated·post: for the pooled estimator (treated post − treated pre) −
    /// (control post − control pre) of the cell means.
    pub estimate: f64,
    /// Cluster-robust standard error (clustered by store, with the small-sample correction).
    pub se: f64,
    /// `estimate / se`.
    pub z: f64,
    /// Two-sided normal p-value (statsmodels default for clustered fits).
    pub p_value: f64,
    /// Normal `1 − alpha` interval.
    pub ci: Interval,
    /// Two-sided p-value from t with `stores − 1` degrees of freedom (`use_t=True`).
    pub p_value_t: f64,
    /// t interval with `stores − 1` degrees of freedom.
    pub ci_t: Interval,
    /// Estimate relative to the counterfactual treated-post mean
    /// (`estimate / (treated_post_mean − estimate)`), e.g. 0.07 for "+7 %".
    pub relative: Option<f64>,
    /// For [`did_log`]: `exp(ci) − 1`, an interval for the relative effect.
    pub ci_relative: Option<Interval>,
    /// `"level"` ([`did`]) or `"log"` ([`did_log`]: the model is fitted to `ln(value)`).
    pub scale: String,
    /// The estimator used: `pooled` or `two-way-fixed-effects`.
    #[serde(default)]
    pub estimator: DidEstimator,
    /// Whether every store has exactly one row in every period.
    #[serde(default)]
    pub balanced: bool,
    /// Means of the four cells: `[control pre, control post, treated pre, treated post]`.
    pub cell_means: [f64; 4],
    /// Number of stores (clusters).
    pub stores: usize,
    /// Number of distinct periods.
    #[serde(default)]
    pub periods: usize,
    /// Number of rows used.
    pub rows: usize,
}

/// The panel after centring and scaling: `y = (value − centre) / scale`, with store and period
/// indices.
struct Panel {
    y: Vec<f64>,
    store: Vec<usize>,
    period: Vec<usize>,
    d: Vec<f64>,
    cell: Vec<usize>,
    stores: usize,
    periods: usize,
    centre: f64,
    scale: f64,
}

fn panel(rows: &[PanelRow]) -> Result<Panel, UpliftError> {
    for (i, r) in rows.iter().enumerate() {
        check_finite(&format!("rows[{i}].value"), r.value)?;
    }
    let scale = pow2_scale(rows.iter().fold(0.0, |m: f64, r| m.max(r.value.abs())));
    // The centre is the mean of the scaled values: differences from it are exact for values of
    // similar size, so a panel near 1e10 is summed as a panel near 0.
    let centre = rows.iter().map(|r| r.value / scale).sum::<f64>() / rows.len().max(1) as f64;
    let mut stores: BTreeMap<&str, usize> = BTreeMap::new();
    let mut periods: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        let n = stores.len();
        stores.entry(r.store.as_str()).or_insert(n);
        let n = periods.len();
        periods.entry(r.period.as_str()).or_insert(n);
    }
    Ok(Panel {
        y: rows.iter().map(|r| r.value / scale - centre).collect(),
        store: rows.iter().map(|r| stores[r.store.as_str()]).collect(),
        period: rows.iter().map(|r| periods[r.period.as_str()]).collect(),
        d: rows
            .iter()
            .map(|r| f64::from(u8::from(r.treated && r.post)))
            .collect(),
        cell: rows
            .iter()
            .map(|r| 2 * usize::from(r.treated) + usize::from(r.post))
            .collect(),
        stores: stores.len(),
        periods: periods.len(),
        centre,
        scale,
    })
}

impl Panel {
    fn balanced(&self) -> bool {
        let mut seen = vec![false; self.stores * self.periods];
        for (&s, &t) in self.store.iter().zip(&self.period) {
            let k = s * self.periods + t;
            if seen[k] {
                return false;
            }
            seen[k] = true;
        }
        seen.iter().all(|&x| x)
    }
}

/// The effect, its score per store (`Σ_{i∈g} aᵢuᵢ` where the estimate is `Σ aᵢyᵢ`) and K.
struct Fit {
    estimate: f64,
    scores: Vec<f64>,
    k: usize,
}

/// Pooled 2×2: the regression is saturated in the four cells, so the coefficients are
/// differences of cell means, the residuals are deviations from them, and the interaction is
/// `Σ aᵢyᵢ` with `aᵢ = ±1/n_cell` (+ for treated post and control pre).
fn pooled(p: &Panel, n_cell: &[usize; 4]) -> Fit {
    let mut sums = [0.0; 4];
    for (&c, &y) in p.cell.iter().zip(&p.y) {
        sums[c] += y;
    }
    let mean: Vec<f64> = (0..4).map(|c| sums[c] / n_cell[c] as f64).collect();
    let sign = [1.0, -1.0, -1.0, 1.0];
    let mut scores = vec![0.0; p.stores];
    for i in 0..p.y.len() {
        let c = p.cell[i];
        scores[p.store[i]] += sign[c] / n_cell[c] as f64 * (p.y[i] - mean[c]);
    }
    Fit {
        estimate: (mean[3] - mean[2]) - (mean[1] - mean[0]),
        scores,
        k: 4,
    }
}

/// Two-way fixed effects by Frisch–Waugh–Lovell: residualise y and the treatment indicator on
/// store and period effects, then regress one residual on the other.
fn two_way(p: &Panel) -> Result<Fit, UpliftError> {
    let (g, t) = (p.stores, p.periods);
    let n = p.y.len();
    // Store means and per-store period counts.
    let mut count = vec![0usize; g];
    let mut ybar = vec![0.0; g];
    let mut dbar = vec![0.0; g];
    let mut c = vec![0.0; g * t];
    for i in 0..n {
        count[p.store[i]] += 1;
        ybar[p.store[i]] += p.y[i];
        dbar[p.store[i]] += p.d[i];
        c[p.store[i] * t + p.period[i]] += 1.0;
    }
    for s in 0..g {
        ybar[s] /= count[s] as f64;
        dbar[s] /= count[s] as f64;
    }
    // Within-store demeaned values and the normal equations of the demeaned period dummies
    // (period 0 dropped): M = Σ_stores diag(c) − c cᵀ / n_s, rhs = Σ_rows dummy·(v − v̄_s).
    let (yw, dw): (Vec<f64>, Vec<f64>) = (0..n)
        .map(|i| (p.y[i] - ybar[p.store[i]], p.d[i] - dbar[p.store[i]]))
        .unzip();
    let m = t - 1;
    let mut gram = vec![vec![0.0; m]; m];
    for s in 0..g {
        let row = &c[s * t..(s + 1) * t];
        let ns = count[s] as f64;
        let present: Vec<usize> = (1..t).filter(|&k| row[k] > 0.0).collect();
        for &a in &present {
            gram[a - 1][a - 1] += row[a];
            for &b in &present {
                gram[a - 1][b - 1] -= row[a] * row[b] / ns;
            }
        }
    }
    let mut rhs_y = vec![0.0; m];
    let mut rhs_d = vec![0.0; m];
    for i in 0..n {
        if p.period[i] > 0 {
            rhs_y[p.period[i] - 1] += yw[i];
            rhs_d[p.period[i] - 1] += dw[i];
        }
    }
    let (gy, gd) = if m == 0 {
        (Vec::new(), Vec::new())
    } else {
        let sol = cholesky_solve(&gram, &[rhs_y, rhs_d]).map_err(|_| {
            UpliftError::Degenerate(
                "the period effects are not identified: some periods share no store with the \
                 others"
                    .into(),
            )
        })?;
        (sol[0].clone(), sol[1].clone())
    };
    // Fitted period part for a row: γ_t − Σ_k c_sk γ_k / n_s.
    let store_avg = |gamma: &[f64]| -> Vec<f64> {
        (0..g)
            .map(|s| (1..t).map(|k| c[s * t + k] * gamma[k - 1]).sum::<f64>() / count[s] as f64)
            .collect()
    };
    let (ay, ad) = (store_avg(&gy), store_avg(&gd));
    let at = |gamma: &[f64], k: usize| if k == 0 { 0.0 } else { gamma[k - 1] };
    let mut yt = vec![0.0; n];
    let mut dt = vec![0.0; n];
    for i in 0..n {
        let (s, k) = (p.store[i], p.period[i]);
        yt[i] = yw[i] - (at(&gy, k) - ay[s]);
        dt[i] = dw[i] - (at(&gd, k) - ad[s]);
    }
    let sdd: f64 = dt.iter().map(|v| v * v).sum();
    let sdy: f64 = dt.iter().zip(&yt).map(|(a, b)| a * b).sum();
    let sd_raw: f64 = p.d.iter().map(|v| v * v).sum::<f64>().max(1.0);
    if !(sdd > 1e-10 * sd_raw) {
        return Err(UpliftError::Degenerate(
            "treated·post is explained by the store and period effects (no store changes \
             treatment within the panel next to a store that does not)"
                .into(),
        ));
    }
    let estimate = sdy / sdd;
    let mut scores = vec![0.0; g];
    for i in 0..n {
        scores[p.store[i]] += dt[i] / sdd * (yt[i] - estimate * dt[i]);
    }
    Ok(Fit {
        estimate,
        scores,
        k: g + t,
    })
}

/// Estimate a difference-in-differences with store-clustered standard errors.
///
/// ```
/// use o2o_core::uplift::{DidEstimator, DidOptions, PanelRow, did};
/// let mut rows = Vec::new();
/// for s in 0..6 {
///     for p in 0..4 {
///         let (treated, post) = (s < 3, p >= 2);
///         let value = 100.0 + s as f64 + p as f64 + if treated && post { 7.0 } else { 0.0 }
///             + ((s * p + s) % 3) as f64 * 0.5;
///         rows.push(PanelRow { store: format!("s{s}"), period: format!("w{p}"),
///             treated, post, value });
///     }
/// }
/// let d = did(&rows, &DidOptions::default()).unwrap();
/// assert!((d.estimate - 7.0).abs() < 1.0 && d.ci[0] < d.estimate && d.stores == 6);
/// assert_eq!(d.estimator, DidEstimator::Pooled); // balanced panel
/// ```
pub fn did(rows: &[PanelRow], options: &DidOptions) -> Result<DidEstimate, UpliftError> {
    let alpha = options.alpha;
    check_alpha(alpha)?;
    let p = panel(rows)?;
    let mut n_cell = [0usize; 4];
    for &c in &p.cell {
        n_cell[c] += 1;
    }
    let names = ["control pre", "control post", "treated pre", "treated post"];
    for (c, &n) in n_cell.iter().enumerate() {
        if n == 0 {
            return Err(UpliftError::TooFew {
                what: format!("the {} cell of the panel", names[c]),
                need: 1,
                got: 0,
            });
        }
    }
    let g = p.stores;
    if g < 2 {
        return Err(UpliftError::TooFew {
            what: "clustered standard errors (stores)".into(),
            need: 2,
            got: g,
        });
    }
    let balanced = p.balanced();
    let estimator = match options.estimator {
        DidEstimator::Auto if balanced => DidEstimator::Pooled,
        DidEstimator::Auto => DidEstimator::TwoWayFixedEffects,
        e => e,
    };
    let fit = if estimator == DidEstimator::Pooled {
        pooled(&p, &n_cell)
    } else {
        two_way(&p)?
    };
    let n = rows.len();
    if n <= fit.k {
        return Err(UpliftError::TooFew {
            what: format!(
                "a difference-in-differences regression with {} parameters (rows)",
                fit.k
            ),
            need: fit.k + 1,
            got: n,
        });
    }
    let corr = g as f64 / (g as f64 - 1.0) * (n as f64 - 1.0) / (n - fit.k) as f64;
    let var = corr * fit.scores.iter().map(|s| s * s).sum::<f64>();
    if var.is_nan() || var <= 0.0 {
        return Err(UpliftError::Degenerate(
            "zero clustered variance: the panel fits exactly".into(),
        ));
    }
    let se = var.sqrt() * p.scale;
    let est = fit.estimate * p.scale;
    let z = fit.estimate / var.sqrt();
    let qn = z_isf(alpha / 2.0);
    let df = g as f64 - 1.0;
    let qt = student_isf(alpha / 2.0, df)?;
    let mut sums = [0.0; 4];
    for (&c, &y) in p.cell.iter().zip(&p.y) {
        sums[c] += y;
    }
    let mean = |c: usize| (sums[c] / n_cell[c] as f64 + p.centre) * p.scale;
    let cell_means = [mean(0), mean(1), mean(2), mean(3)];
    let counterfactual = cell_means[3] - est;
    guard(DidEstimate {
        estimate: est,
        se,
        z,
        p_value: Alternative::TwoSided.normal_p(z)?,
        ci: [est - qn * se, est + qn * se],
        p_value_t: super::means::t_p(Alternative::TwoSided, z, df)?,
        ci_t: [est - qt * se, est + qt * se],
        relative: (counterfactual != 0.0).then(|| est / counterfactual),
        ci_relative: None,
        scale: "level".into(),
        estimator,
        balanced,
        cell_means,
        stores: g,
        periods: p.periods,
        rows: n,
    })
}

/// Difference-in-differences on `ln(value)`: the right scale when the groups differ in size
/// and the market moves multiplicatively (a 12 % holiday bump adds more sales to a big segment
/// than to a small one). `estimate` is then a difference of log means, `relative =
/// exp(estimate) − 1` the effect in per cent, `ci_relative` its interval; `cell_means` stay
/// in the original units.
///
/// ```
/// use o2o_core::uplift::{DidOptions, PanelRow, did_log};
/// let mut rows = Vec::new();
/// for s in 0..6 {
///     for p in 0..4 {
///         let (treated, post) = (s < 3, p >= 2);
///         let base = if treated { 100.0 } else { 300.0 } * (1.0 + 0.01 * ((s * 5 + p * 3) % 4) as f64);
///         let value = base * if post { 1.1 } else { 1.0 } * if treated && post { 1.2 } else { 1.0 };
///         rows.push(PanelRow { store: format!("s{s}"), period: format!("w{p}"), treated, post, value });
///     }
/// }
/// let d = did_log(&rows, &DidOptions::default()).unwrap();
/// assert!((d.relative.unwrap() - 0.2).abs() < 0.01);
/// ```
pub fn did_log(rows: &[PanelRow], options: &DidOptions) -> Result<DidEstimate, UpliftError> {
    let mut logged = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if !(r.value.is_finite() && r.value > 0.0) {
            return Err(UpliftError::invalid(
                format!("rows[{i}].value"),
                format!(
                    "{} has no logarithm (store {}, period {})",
                    r.value, r.store, r.period
                ),
            ));
        }
        logged.push(PanelRow {
            value: r.value.ln(),
            ..r.clone()
        });
    }
    let mut d = did(&logged, options)?;
    let k = pow2_scale(rows.iter().fold(0.0, |m: f64, r| m.max(r.value)));
    let mut cells = [(0.0, 0usize); 4];
    for r in rows {
        let c = 2 * usize::from(r.treated) + usize::from(r.post);
        cells[c].0 += r.value / k;
        cells[c].1 += 1;
    }
    for (m, (s, n)) in d.cell_means.iter_mut().zip(cells) {
        *m = s / n as f64 * k;
    }
    d.relative = Some(d.estimate.exp() - 1.0);
    d.ci_relative = Some([d.ci[0].exp() - 1.0, d.ci[1].exp() - 1.0]);
    d.scale = "log".into();
    guard(d)
}

/// Read a panel CSV with header `store,period,treated,post,value` (columns in any order;
/// `treated`/`post` as `1`/`0`/`true`/`false`). Bad rows are reported with their line and field
/// and skipped; good rows are kept.
///
/// ```
/// use o2o_core::uplift::read_panel_csv;
/// let csv = "store,period,treated,post,value\ns1,w1,1,0,10\ns1,w2,1,1,x\n";
/// let (rows, errs) = read_panel_csv(csv.as_bytes()).unwrap();
/// assert_eq!(rows.len(), 1);
/// assert_eq!(errs[0].line, 3);
/// assert_eq!(errs[0].field.as_deref(), Some("value"));
/// ```
#[cfg(feature = "csv")]
pub fn read_panel_csv<R: std::io::Read>(
    input: R,
) -> Result<(Vec<PanelRow>, Vec<crate::event::LineError>), UpliftError> {
    use crate::event::LineError;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = rdr
        .headers()
        .map_err(|e| UpliftError::invalid("header", e.to_string()))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| UpliftError::invalid("header", format!("missing column `{name}`")))
    };
    let idx = [
        col("store")?,
        col("period")?,
        col("treated")?,
        col("post")?,
        col("value")?,
    ];
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(LineError {
                    line: e.position().map_or(0, |p| p.line()),
                    field: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let err = |field: &str, message: String| LineError {
            line,
            field: Some(field.to_owned()),
            message,
        };
        let get = |i: usize| rec.get(i).map(str::trim).unwrap_or("");
        let flag = |name: &str, s: &str| match s.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err(err(name, format!("`{s}` is not 0/1/true/false"))),
        };
        let parsed = (|| {
            let store = get(idx[0]);
            if store.is_empty() {
                return Err(err("store", "empty store".into()));
            }
            let treated = flag("treated", get(idx[2]))?;
            let post = flag("post", get(idx[3]))?;
            let v = get(idx[4]);
            let value: f64 = v
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| err("value", format!("`{v}` is not a finite number")))?;
            Ok(PanelRow {
                store: store.to_owned(),
                period: get(idx[1]).to_owned(),
                treated,
                post,
                value,
            })
        })();
        match parsed {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((rows, errors))
}
