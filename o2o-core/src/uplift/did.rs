//! Difference-in-differences for store × period panels ("stores near the indoor ads sold 7 %
//! more than the other stores, after the campaign started, compared to before").
//!
//! The estimate is the interaction coefficient of the OLS regression
//! `value ~ 1 + treated + post + treated·post`, with standard errors clustered by store —
//! exactly statsmodels `OLS(...).fit(cov_type="cluster", cov_kwds={"groups": store})`,
//! including its small-sample correction `G/(G−1) · (N−1)/(N−K)`. statsmodels reports normal
//! p-values and intervals for clustered fits by default (`p_value`, `ci`); with few stores the
//! t distribution with G − 1 degrees of freedom (`use_t=True`) is more honest (`p_value_t`,
//! `ci_t`). Use both; trust `_t` with fewer than ~40 stores.

use super::dist::{norm_isf, t_isf};
use super::error::{UpliftError, check_alpha, check_finite};
use super::linalg::invert;
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

/// A difference-in-differences estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DidEstimate {
    /// The interaction coefficient: (treated post − treated pre) − (control post − control pre).
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
    /// Means of the four cells: `[control pre, control post, treated pre, treated post]`.
    pub cell_means: [f64; 4],
    /// Number of stores (clusters).
    pub stores: usize,
    /// Number of rows used.
    pub rows: usize,
}

/// Estimate a difference-in-differences with store-clustered standard errors.
///
/// ```
/// use o2o_core::uplift::{PanelRow, did};
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
/// let d = did(&rows, 0.05).unwrap();
/// assert!((d.estimate - 7.0).abs() < 1.0 && d.ci[0] < d.estimate && d.stores == 6);
/// ```
pub fn did(rows: &[PanelRow], alpha: f64) -> Result<DidEstimate, UpliftError> {
    check_alpha(alpha)?;
    for (i, r) in rows.iter().enumerate() {
        check_finite(&format!("rows[{i}].value"), r.value)?;
    }
    const K: usize = 4;
    let x = |r: &PanelRow| {
        let (t, p) = (f64::from(u8::from(r.treated)), f64::from(u8::from(r.post)));
        [1.0, t, p, t * p]
    };
    let mut xtx = vec![vec![0.0; K]; K];
    let mut xty = [0.0; K];
    let mut cells = [(0.0, 0usize); 4];
    for r in rows {
        let xi = x(r);
        for a in 0..K {
            xty[a] += xi[a] * r.value;
            for b in 0..K {
                xtx[a][b] += xi[a] * xi[b];
            }
        }
        let c = 2 * usize::from(r.treated) + usize::from(r.post);
        cells[c].0 += r.value;
        cells[c].1 += 1;
    }
    let names = ["control pre", "control post", "treated pre", "treated post"];
    for (c, &(_, n)) in cells.iter().enumerate() {
        if n == 0 {
            return Err(UpliftError::TooFew {
                what: format!("the {} cell of the panel", names[c]),
                need: 1,
                got: 0,
            });
        }
    }
    let inv = invert(&xtx)?;
    let beta: Vec<f64> = (0..K)
        .map(|a| (0..K).map(|b| inv[a][b] * xty[b]).sum())
        .collect();
    // Score sums per store: Σ_i∈g x_i u_i.
    let mut scores: BTreeMap<&str, [f64; K]> = BTreeMap::new();
    for r in rows {
        let xi = x(r);
        let u = r.value - (0..K).map(|a| xi[a] * beta[a]).sum::<f64>();
        let s = scores.entry(r.store.as_str()).or_insert([0.0; K]);
        for a in 0..K {
            s[a] += xi[a] * u;
        }
    }
    let g = scores.len();
    if g < 2 {
        return Err(UpliftError::TooFew {
            what: "clustered standard errors (stores)".into(),
            need: 2,
            got: g,
        });
    }
    let n = rows.len();
    if n <= K {
        return Err(UpliftError::TooFew {
            what: "a difference-in-differences regression (rows)".into(),
            need: K + 1,
            got: n,
        });
    }
    let mut meat = [[0.0; K]; K];
    for s in scores.values() {
        for a in 0..K {
            for b in 0..K {
                meat[a][b] += s[a] * s[b];
            }
        }
    }
    let corr = g as f64 / (g as f64 - 1.0) * (n as f64 - 1.0) / (n - K) as f64;
    // Variance of the interaction coefficient: row 3 of inv · meat · inv column 3.
    let mut var = 0.0;
    for a in 0..K {
        for b in 0..K {
            var += inv[3][a] * meat[a][b] * inv[b][3];
        }
    }
    var *= corr;
    if var.is_nan() || var <= 0.0 {
        return Err(UpliftError::Degenerate(
            "zero clustered variance: the panel fits exactly".into(),
        ));
    }
    let se = var.sqrt();
    let est = beta[3];
    let z = est / se;
    let qn = norm_isf(alpha / 2.0);
    let df = g as f64 - 1.0;
    let qt = t_isf(alpha / 2.0, df)?;
    let mean = |c: usize| cells[c].0 / cells[c].1 as f64;
    let cell_means = [mean(0), mean(1), mean(2), mean(3)];
    let counterfactual = cell_means[3] - est;
    Ok(DidEstimate {
        estimate: est,
        se,
        z,
        p_value: Alternative::TwoSided.normal_p(z),
        ci: [est - qn * se, est + qn * se],
        p_value_t: super::means::t_p(Alternative::TwoSided, z, df)?,
        ci_t: [est - qt * se, est + qt * se],
        relative: (counterfactual != 0.0).then(|| est / counterfactual),
        ci_relative: None,
        scale: "level".into(),
        cell_means,
        stores: g,
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
/// use o2o_core::uplift::{PanelRow, did_log};
/// let mut rows = Vec::new();
/// for s in 0..6 {
///     for p in 0..4 {
///         let (treated, post) = (s < 3, p >= 2);
///         let base = if treated { 100.0 } else { 300.0 } * (1.0 + 0.01 * ((s * 5 + p * 3) % 4) as f64);
///         let value = base * if post { 1.1 } else { 1.0 } * if treated && post { 1.2 } else { 1.0 };
///         rows.push(PanelRow { store: format!("s{s}"), period: format!("w{p}"), treated, post, value });
///     }
/// }
/// let d = did_log(&rows, 0.05).unwrap();
/// assert!((d.relative.unwrap() - 0.2).abs() < 0.01);
/// ```
pub fn did_log(rows: &[PanelRow], alpha: f64) -> Result<DidEstimate, UpliftError> {
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
    let mut d = did(&logged, alpha)?;
    let mut cells = [(0.0, 0usize); 4];
    for r in rows {
        let c = 2 * usize::from(r.treated) + usize::from(r.post);
        cells[c].0 += r.value;
        cells[c].1 += 1;
    }
    for (m, (s, n)) in d.cell_means.iter_mut().zip(cells) {
        *m = s / n as f64;
    }
    d.relative = Some(d.estimate.exp() - 1.0);
    d.ci_relative = Some([d.ci[0].exp() - 1.0, d.ci[1].exp() - 1.0]);
    d.scale = "log".into();
    Ok(d)
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
