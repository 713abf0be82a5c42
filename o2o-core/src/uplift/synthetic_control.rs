//! Synthetic control (Abadie et al.): one treated region against a weighted average of donor
//! regions that tracked it before the campaign. Weights are non-negative and sum to one, fitted
//! on the pre-period by least squares; the effect is the post-period gap between the region and
//! its synthetic twin. Inference is by placebo: every donor in turn is treated as if it had got
//! the campaign; the p-value is the rank of the treated region's post/pre RMSPE ratio among all
//! of them, `(1 + #{placebos ≥ treated}) / (1 + placebos)`.
//!
//! # Solver: exact, by Wolfe's minimum-norm-point algorithm
//! Because the weights sum to one, `A w − y = Σ wⱼ (aⱼ − y)`: the best fit is the point of
//! smallest norm in the convex hull of the donors' pre-period gaps `pⱼ = aⱼ − y`. Wolfe's
//! algorithm (1976) finds it exactly, as an active-set method: it keeps a set of affinely
//! independent donors, moves to the affine minimiser of that set (a least-squares solve by
//! Householder QR) whenever that point lies inside their hull, drops a donor when it does not,
//! and adds the donor most negatively aligned with the current point until none is
//! (`x·x − minⱼ x·pⱼ`, which bounds the suboptimality, at rounding level). It ends after
//! finitely many steps on every panel — more donors than pre-periods, duplicate or nearly
//! duplicate donors included — and is bounded by [`SYNTH_MAX_ITERATIONS`] steps all the same
//! (an error, never a hang). Values are scaled by a power of two first, so series near ±1e300
//! fit as well as series near 1.
//!
//! # Non-unique weights
//! With more donors than pre-periods, or with duplicate donors, several weight vectors give the
//! same best pre-period fit. The fit (and its RMSPE) is unique; the weights, the synthetic
//! post-period series and so the effect are not: [`SyntheticControl::weights_unique`] is then
//! `false` and `note` says so. The weights returned are the solver's (a vertex of the optimal
//! set: as few donors as the fit needs). Use more pre-periods or fewer donors to pin them down.
//!
//! # Placebos
//! A placebo whose fit fails does not abort the estimate: it is listed in `placebo_failures`
//! with the reason and left out of the p-value. A pre-period RMSPE below the rounding level of
//! the series (`f64::EPSILON ×` its largest magnitude) is taken at that level in the ratio, so
//! an exact pre-period fit gives a large, finite ratio.

use super::error::{UpliftError, check_finite};
use super::finite::{guard, pow2_scale};
use serde::{Deserialize, Serialize};

/// Optimality tolerance of the weight solver: it stops when `x·x − minⱼ x·pⱼ` is at most this
/// times `‖x‖·maxⱼ‖pⱼ‖` (rounding level: the suboptimality is then below 1e-9 relative
/// wherever the fit is not exact to the last digits).
pub const SYNTH_TOLERANCE: f64 = 1e-13;
/// Iteration cap of the weight solver (major and minor steps together), per donor; far above
/// what any panel needs (a few steps per donor in the fit), it turns a numerical accident into
/// an error instead of a hang.
pub const SYNTH_MAX_ITERATIONS: usize = 200;

/// Simplex-constrained least-squares weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimplexFit {
    /// Weights, ≥ 0, summing to 1.
    pub weights: Vec<f64>,
    /// Mean squared pre-period error.
    pub objective: f64,
    /// `x·x − minⱼ x·pⱼ` at the solution over the mean square scale: a bound on the
    /// suboptimality of `objective` (÷ 2), at rounding level.
    pub gap: f64,
    /// Solver steps used.
    pub iterations: usize,
    /// Whether the best weights are unique (see the module documentation).
    pub weights_unique: bool,
}

/// The solver's answer in scaled units.
struct Solution {
    weights: Vec<f64>,
    /// ‖x‖² (scaled units, summed over periods).
    norm2: f64,
    gap: f64,
    iterations: usize,
    unique: bool,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Affine minimiser of the points `pts` (indices into `p`): coefficients α summing to 1 that
/// minimise ‖Σ αᵢ p_i‖, by Householder QR of the differences to the first point. `None` when
/// the points are (numerically) affinely dependent.
fn affine_minimiser(p: &[Vec<f64>], pts: &[usize]) -> Option<Vec<f64>> {
    let k = pts.len() - 1;
    if k == 0 {
        return Some(vec![1.0]);
    }
    let t = p[pts[0]].len();
    if k > t {
        return None;
    }
    let p0 = &p[pts[0]];
    // Columns dᵢ = p_i − p₀ (column-major), right-hand side −p₀.
    let mut d: Vec<Vec<f64>> = pts[1..]
        .iter()
        .map(|&i| p[i].iter().zip(p0).map(|(a, b)| a - b).collect())
        .collect();
    let mut rhs: Vec<f64> = p0.iter().map(|v| -v).collect();
    let col_scale = d
        .iter()
        .map(|c| dot(c, c).sqrt())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut diag = vec![0.0; k];
    for j in 0..k {
        // Householder reflection zeroing d[j][j+1..].
        let norm = d[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if !(norm > 1e-14 * col_scale) {
            return None;
        }
        let alpha = if d[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = d[j][j..].to_vec();
        v[0] -= alpha;
        let vv = dot(&v, &v);
        diag[j] = alpha;
        if vv > 0.0 {
            for col in d.iter_mut().skip(j + 1) {
                let f = 2.0 * dot(&v, &col[j..]) / vv;
                for (c, vi) in col[j..].iter_mut().zip(&v) {
                    *c -= f * vi;
                }
            }
            let f = 2.0 * dot(&v, &rhs[j..]) / vv;
            for (c, vi) in rhs[j..].iter_mut().zip(&v) {
                *c -= f * vi;
            }
        }
    }
    // Back substitution R β = (Qᵀ rhs)[..k]; R's diagonal is `diag`, above it d[j][i], i < j.
    let mut beta = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| d[j][i] * beta[j]).sum();
        beta[i] = (rhs[i] - s) / diag[i];
    }
    let mut alpha = Vec::with_capacity(k + 1);
    alpha.push(1.0 - beta.iter().sum::<f64>());
    alpha.extend(beta);
    alpha.iter().all(|a| a.is_finite()).then_some(alpha)
}

fn combine(p: &[Vec<f64>], set: &[usize], lambda: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; p[0].len()];
    for (&i, &l) in set.iter().zip(lambda) {
        for (xv, pv) in x.iter_mut().zip(&p[i]) {
            *xv += l * pv;
        }
    }
    x
}

/// Whether the points `pts` are affinely independent (rank test as in [`affine_minimiser`]).
fn affinely_independent(p: &[Vec<f64>], pts: &[usize]) -> bool {
    affine_minimiser(p, pts).is_some()
}

/// A state of the search: ‖x‖², the set, its weights, x.
type Point = (f64, Vec<usize>, Vec<f64>, Vec<f64>);

/// Wolfe's minimum-norm point of conv{p₀ … p_{J−1}}; returns the convex weights.
fn min_norm_point(p: &[Vec<f64>]) -> Result<Solution, UpliftError> {
    let j = p.len();
    let norms: Vec<f64> = p.iter().map(|v| dot(v, v)).collect();
    let pmax = norms.iter().copied().fold(0.0, f64::max).sqrt();
    let max_steps = SYNTH_MAX_ITERATIONS * (j + 1);
    // Start at the donor closest to the treated series.
    let first = (0..j)
        .min_by(|&a, &b| norms[a].total_cmp(&norms[b]))
        .unwrap_or(0);
    let mut set = vec![first];
    let mut lambda = vec![1.0];
    let mut x = p[first].clone();
    let mut steps = 0;
    // Each major step shrinks ‖x‖² in exact arithmetic, or keeps it on a degenerate pivot.
    // More than J + 2 steps in a row that do not improve on the best point (rounding cycling on
    // panels whose fit is exact to the last digits) end the search at the best point.
    let mut best_point: Option<Point> = None;
    let mut stalled = 0;
    let (gap, optimal) = loop {
        steps += 1;
        if steps > max_steps {
            return Err(UpliftError::NoConvergence {
                what: "synthetic-control weights (Wolfe's minimum-norm point)".into(),
                iterations: steps,
            });
        }
        let mut xx = dot(&x, &x);
        match &best_point {
            Some((bxx, ..)) if xx >= *bxx => stalled += 1,
            _ => {
                stalled = 0;
                best_point = Some((xx, set.clone(), lambda.clone(), x.clone()));
            }
        }
        if stalled > j + 2 {
            if let Some((bxx, bs, bl, bx)) = best_point.take() {
                (set, lambda, x, xx) = (bs, bl, bx, bxx);
            }
            let d = (0..j).map(|i| dot(&x, &p[i])).fold(f64::INFINITY, f64::min);
            break ((xx - d).max(0.0), true);
        }
        let (best, best_dot) = (0..j)
            .filter(|i| !set.contains(i))
            .map(|i| (i, dot(&x, &p[i])))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((first, xx));
        let gap = xx - best_dot;
        if gap <= SYNTH_TOLERANCE * xx.sqrt() * pmax {
            break (gap.max(0.0), true);
        }
        let mut trial_set = set.clone();
        trial_set.push(best);
        if !affinely_independent(p, &trial_set) {
            // The new donor lies in the affine hull of the set: x is already the best point of
            // that hull, so any improvement is below rounding.
            break (gap.max(0.0), true);
        }
        set = trial_set;
        lambda.push(0.0);
        // Minor cycles: move towards the affine minimiser, dropping donors that leave the hull.
        loop {
            steps += 1;
            if steps > max_steps {
                return Err(UpliftError::NoConvergence {
                    what: "synthetic-control weights (Wolfe's minimum-norm point)".into(),
                    iterations: steps,
                });
            }
            let Some(alpha) = affine_minimiser(p, &set) else {
                break;
            };
            if alpha.iter().all(|&a| a > 0.0) {
                lambda = alpha;
                break;
            }
            // Largest step θ ∈ [0, 1) from λ towards α that keeps every weight ≥ 0.
            let theta = set
                .iter()
                .enumerate()
                .filter(|&(i, _)| alpha[i] <= 0.0)
                .map(|(i, _)| lambda[i] / (lambda[i] - alpha[i]))
                .fold(1.0, f64::min);
            for (l, a) in lambda.iter_mut().zip(&alpha) {
                *l = theta * a + (1.0 - theta) * *l;
            }
            // Drop the donors whose weight reached zero (at least the one that set θ).
            let min_pos = lambda
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i)
                .unwrap_or(0);
            let mut keep: Vec<bool> = lambda.iter().map(|&l| l > 0.0).collect();
            keep[min_pos] = false;
            let (s2, l2): (Vec<usize>, Vec<f64>) = set
                .iter()
                .zip(&lambda)
                .zip(&keep)
                .filter(|&(_, &k)| k)
                .map(|((&s, &l), _)| (s, l))
                .unzip();
            let total: f64 = l2.iter().sum();
            set = s2;
            lambda = l2.iter().map(|l| l / total).collect();
            if set.len() == 1 {
                lambda = vec![1.0];
                break;
            }
        }
        x = combine(p, &set, &lambda);
    };
    debug_assert!(optimal);
    let mut weights = vec![0.0; j];
    for (&i, &l) in set.iter().zip(&lambda) {
        weights[i] = l.max(0.0);
    }
    let total: f64 = weights.iter().sum();
    for w in &mut weights {
        *w /= total;
    }
    let x = combine(p, &(0..j).collect::<Vec<_>>(), &weights);
    let norm2 = dot(&x, &x);
    // The optimal face: donors as well aligned with x as the solution itself.
    let face: Vec<usize> = (0..j)
        .filter(|&i| dot(&x, &p[i]) - norm2 <= 1e-9 * norm2.sqrt() * pmax + 1e-300)
        .collect();
    let unique = affinely_independent(p, &face);
    Ok(Solution {
        weights,
        norm2,
        gap,
        iterations: steps,
        unique,
    })
}

/// Solve on series already divided by a common power of two.
fn solve_scaled(y: &[f64], columns: &[&[f64]]) -> Result<Solution, UpliftError> {
    let p: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| c.iter().zip(y).map(|(a, b)| a - b).collect())
        .collect();
    min_norm_point(&p)
}

fn max_abs<'a>(series: impl IntoIterator<Item = &'a [f64]>) -> f64 {
    series
        .into_iter()
        .flat_map(|s| s.iter())
        .fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// Weights `w ≥ 0, Σw = 1` minimising `Σ_t (y_t − Σ_j w_j x_{j,t})² / T` where
/// `columns[j]` is donor j's series (all of length `y.len()`), by an exact active-set method
/// (see the module documentation).
///
/// ```
/// use o2o_core::uplift::simplex_least_squares;
/// let y = [2.0, 3.0, 4.0];
/// let cols = vec![vec![1.0, 2.0, 3.0], vec![3.0, 4.0, 5.0], vec![9.0, 0.0, 9.0]];
/// let f = simplex_least_squares(&y, &cols).unwrap();
/// assert!((f.weights[0] - 0.5).abs() < 1e-12 && (f.weights[1] - 0.5).abs() < 1e-12);
/// ```
pub fn simplex_least_squares(y: &[f64], columns: &[Vec<f64>]) -> Result<SimplexFit, UpliftError> {
    let j = columns.len();
    let t = y.len();
    if j == 0 || t == 0 {
        return Err(UpliftError::TooFew {
            what: "simplex least squares (donors and periods)".into(),
            need: 1,
            got: j.min(t),
        });
    }
    for (k, &v) in y.iter().enumerate() {
        check_finite(&format!("y[{k}]"), v)?;
    }
    for (d, c) in columns.iter().enumerate() {
        if c.len() != t {
            return Err(UpliftError::invalid(
                format!("columns[{d}]"),
                format!("has {} periods, y has {t}", c.len()),
            ));
        }
        for (k, &v) in c.iter().enumerate() {
            check_finite(&format!("columns[{d}][{k}]"), v)?;
        }
    }
    let k = pow2_scale(max_abs(columns.iter().map(|c| &c[..]).chain([y])));
    let ys: Vec<f64> = y.iter().map(|v| v / k).collect();
    let cs: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| c.iter().map(|v| v / k).collect())
        .collect();
    let refs: Vec<&[f64]> = cs.iter().map(|c| &c[..]).collect();
    let s = solve_scaled(&ys, &refs)?;
    let tf = t as f64;
    guard(SimplexFit {
        objective: s.norm2 / tf * k * k,
        gap: s.gap / tf * k * k,
        weights: s.weights,
        iterations: s.iterations,
        weights_unique: s.unique,
    })
}

/// A synthetic-control estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyntheticControl {
    /// Donor weights (same order as the donors).
    pub weights: Vec<f64>,
    /// Whether these are the only weights with the best pre-period fit; when `false` the
    /// synthetic post-period series and the effect depend on which of them is taken (`note`).
    pub weights_unique: bool,
    /// Why the estimate needs care, in words (`null` when it does not).
    pub note: Option<String>,
    /// The synthetic series over all periods.
    pub synthetic: Vec<f64>,
    /// Treated minus synthetic, per period.
    pub gaps: Vec<f64>,
    /// Root mean squared gap in the pre-period.
    pub pre_rmspe: f64,
    /// Root mean squared gap in the post-period.
    pub post_rmspe: f64,
    /// Mean post-period gap: the estimated effect per period.
    pub effect: f64,
    /// `effect / mean synthetic post value`; `null` when that mean is 0.
    pub relative_effect: Option<f64>,
    /// Placebo p-value from the post/pre RMSPE ratios, over the placebos that could be fitted.
    pub p_value: f64,
    /// The post/pre RMSPE ratio of each placebo (donor order), for a plot; `null` for a placebo
    /// whose fit failed (see `placebo_failures`).
    pub placebo_ratios: Vec<Option<f64>>,
    /// Placebos that could not be fitted, with the reason; left out of the p-value.
    pub placebo_failures: Vec<PlaceboFailure>,
    /// The treated region's post/pre RMSPE ratio.
    pub ratio: f64,
    /// Solver steps for the treated fit.
    pub iterations: usize,
}

/// A placebo fit that failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceboFailure {
    /// The donor treated as the placebo (index in `donors`).
    pub donor: usize,
    /// Why its fit failed.
    pub reason: String,
}

/// One fit on scaled series: weights, uniqueness, synthetic series, gaps, pre/post RMSPE and
/// the solver's steps.
struct Fit {
    weights: Vec<f64>,
    unique: bool,
    synthetic: Vec<f64>,
    gaps: Vec<f64>,
    pre: f64,
    post: f64,
    floor: f64,
    iterations: usize,
}

fn rms(g: &[f64]) -> f64 {
    (g.iter().map(|x| x * x).sum::<f64>() / g.len() as f64).sqrt()
}

fn fit_one(treated: &[f64], donors: &[&[f64]], t0: usize) -> Result<Fit, UpliftError> {
    let pre_cols: Vec<&[f64]> = donors.iter().map(|d| &d[..t0]).collect();
    let s = solve_scaled(&treated[..t0], &pre_cols)?;
    let t = treated.len();
    let synthetic: Vec<f64> = (0..t)
        .map(|k| donors.iter().zip(&s.weights).map(|(d, w)| w * d[k]).sum())
        .collect();
    let gaps: Vec<f64> = treated.iter().zip(&synthetic).map(|(a, b)| a - b).collect();
    Ok(Fit {
        pre: rms(&gaps[..t0]),
        post: rms(&gaps[t0..]),
        floor: f64::EPSILON * max_abs([&treated[..t0]]),
        weights: s.weights,
        unique: s.unique,
        synthetic,
        gaps,
        iterations: s.iterations,
    })
}

impl Fit {
    /// post/pre RMSPE, the pre-period RMSPE taken at least at the series' rounding level.
    fn ratio(&self) -> f64 {
        let pre = self.pre.max(self.floor);
        if pre > 0.0 { self.post / pre } else { 0.0 }
    }
}

/// Synthetic control of `treated` (one series over all periods) against `donors` (each a series
/// over the same periods); the first `pre_periods` periods are before the campaign.
///
/// ```
/// use o2o_core::uplift::synthetic_control;
/// let donors: Vec<Vec<f64>> = (0..5).map(|d| (0..12).map(|t|
///     100.0 + 3.0 * d as f64 + t as f64 + ((t * (d + 1)) % 3) as f64).collect()).collect();
/// let treated: Vec<f64> = (0..12).map(|t|
///     0.5 * donors[1][t] + 0.5 * donors[3][t] + if t >= 8 { 7.0 } else { 0.0 }).collect();
/// let s = synthetic_control(&treated, &donors, 8).unwrap();
/// assert!((s.effect - 7.0).abs() < 1e-9);
/// ```
pub fn synthetic_control(
    treated: &[f64],
    donors: &[Vec<f64>],
    pre_periods: usize,
) -> Result<SyntheticControl, UpliftError> {
    let t = treated.len();
    if pre_periods < 2 || pre_periods >= t {
        return Err(UpliftError::invalid(
            "pre_periods",
            format!("{pre_periods} must be at least 2 and leave a post-period of the {t} periods"),
        ));
    }
    if donors.len() < 2 {
        return Err(UpliftError::TooFew {
            what: "synthetic control (donors)".into(),
            need: 2,
            got: donors.len(),
        });
    }
    for (k, &v) in treated.iter().enumerate() {
        check_finite(&format!("treated[{k}]"), v)?;
    }
    for (d, s) in donors.iter().enumerate() {
        if s.len() != t {
            return Err(UpliftError::invalid(
                format!("donors[{d}]"),
                format!("has {} periods, the treated series {t}", s.len()),
            ));
        }
        for (k, &v) in s.iter().enumerate() {
            check_finite(&format!("donors[{d}][{k}]"), v)?;
        }
    }
    // One power-of-two scale for every series: exact in the usual range, no overflow near 1e308.
    let k = pow2_scale(max_abs(donors.iter().map(|d| &d[..]).chain([treated])));
    let tr: Vec<f64> = treated.iter().map(|v| v / k).collect();
    let ds: Vec<Vec<f64>> = donors
        .iter()
        .map(|d| d.iter().map(|v| v / k).collect())
        .collect();
    let all: Vec<&[f64]> = ds.iter().map(|d| &d[..]).collect();
    let fit = fit_one(&tr, &all, pre_periods)?;
    let r = fit.ratio();
    let mut placebo_ratios = Vec::with_capacity(ds.len());
    let mut placebo_failures = Vec::new();
    for (p, series) in ds.iter().enumerate() {
        let others: Vec<&[f64]> = all
            .iter()
            .enumerate()
            .filter(|&(q, _)| q != p)
            .map(|(_, d)| *d)
            .collect();
        match fit_one(series, &others, pre_periods) {
            Ok(f) => placebo_ratios.push(Some(f.ratio())),
            Err(e) => {
                placebo_ratios.push(None);
                placebo_failures.push(PlaceboFailure {
                    donor: p,
                    reason: e.to_string(),
                });
            }
        }
    }
    let fitted = placebo_ratios.iter().flatten().count();
    let at_least = placebo_ratios.iter().flatten().filter(|&&x| x >= r).count();
    let post_gaps = &fit.gaps[pre_periods..];
    let effect = post_gaps.iter().sum::<f64>() / post_gaps.len() as f64;
    let synth_post = fit.synthetic[pre_periods..].iter().sum::<f64>() / post_gaps.len() as f64;
    let note = (!fit.unique).then(|| {
        "the donor weights are not unique: other weights fit the pre-period equally well (more \
         donors than pre-periods, or duplicate donors), and the synthetic post-period series and \
         the effect depend on which are taken; these are the solver's (as few donors as the fit \
         needs)"
            .to_owned()
    });
    guard(SyntheticControl {
        weights: fit.weights,
        weights_unique: fit.unique,
        note,
        synthetic: fit.synthetic.iter().map(|v| v * k).collect(),
        gaps: fit.gaps.iter().map(|v| v * k).collect(),
        pre_rmspe: fit.pre * k,
        post_rmspe: fit.post * k,
        effect: effect * k,
        relative_effect: (synth_post != 0.0).then(|| effect / synth_post),
        p_value: (1 + at_least) as f64 / (1 + fitted) as f64,
        placebo_ratios,
        placebo_failures,
        ratio: r,
        iterations: fit.iterations,
    })
}
