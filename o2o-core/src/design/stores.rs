//! Store (geo) tests: which stores to treat, chosen by simulation on the history, as GeoLift's
//! market selection does.
//!
//! # Method
//! 1. **Candidate sets** of `treat` stores (excluded stores are neither treated nor controls):
//!    for every store, the store and the `treat − 1` stores whose daily series correlate with it
//!    most (a neighbourhood, GeoLift's correlation ranking), and `random_sets` seeded draws
//!    that take one store from each of `treat` strata of store size (GeoLift's stochastic
//!    market selector: a set spread over the panel sits inside its controls' range, where a
//!    synthetic control fits).
//! 2. **Simulated tests in past periods**: for each set and each of `windows` test windows of
//!    `days` periods placed in the history (the latest ending on its last period), every series
//!    is scaled by its pre-window mean, the treated series is the mean of the set's, and the
//!    existing [`crate::uplift::synthetic_control`] fits it to the other stores on the pre-window periods. An
//!    effect `e` is planted by multiplying the treated stores' window values by `1 + e`; the
//!    weights do not move (they see only the pre-window), so each planted effect is read off
//!    the same fit: the estimate is the mean window gap over the synthetic mean — exactly what
//!    `synthetic_control` returns as `relative_effect` on the planted series (a test checks it).
//!    With [`StoreMethod::Did`] the set is read instead by o2o's difference in differences
//!    against matched control stores (each treated store's `matches` most correlated stores on
//!    the pre-window, equal weights; see the `matched` module): the estimate is its relative
//!    effect, and a planted effect moves it exactly as `did` on the planted rows would (a test
//!    checks it too). Everything below is the same for both methods.
//! 3. **Inference in time**: the estimates with nothing planted, over the windows, are what
//!    the readout's error looks like for this set. The windows overlap, so the history holds
//!    about `k = span / days + 1` independent ones; their root mean square `r` gives the
//!    interval half-width of a new test, `h = t₁₋α/₂,k−1·√(1 + 1/k)·r` (a prediction interval;
//!    GeoLift's conformal inference permutes in time for the same reason), and the stated
//!    power reads each window's error inflated by `√(1 + 1/k)`. Donor placebos are not used to decide: the treated series is a mean
//!    of several stores, smoother than any single donor, so it is not exchangeable with them
//!    and the placebo rank test rejects far more often than α on such sets.
//! 4. **Ranking, then stating on periods the ranking did not see**: the history is split in
//!    time. Sets are screened on `windows` simulated tests whose test periods end before the
//!    split (the earlier half of the periods a test can sit in): power at each effect is the
//!    share of windows whose estimate is beyond `±h` in the effect's direction; the set's
//!    minimum detectable effect is the smallest planted effect with power ≥ the target. Sets
//!    rank by that MDE, then by the bias at zero effect (GeoLift's `abs_lift_in_zero`), then by
//!    the interval width. The best `top` sets keep that order, and their stated figures (power
//!    curve, MDE, bias, false positives) come from every simulated test whose test period
//!    starts after the split; the threshold `h` from every window of the history
//!    ([`Calibration::Whole`]; [`Calibration::Unseen`] reads it only on the tests the ranking
//!    did not see). Stating the power on the windows that ranked the sets would overstate it:
//!    the sets ranked first are partly the ones whose history looked best by luck (the
//!    winner's curse), and fresh periods do not repeat the luck. `check_stores` measures power
//!    and false positives on held-back periods with the stated `h`.
//! 5. **Stated power from the law of the errors** ([`StatedPower::Predictive`], the default):
//!    the later windows of a short history hold only a couple of independent tests, so
//!    counting their hits moves in steps of tens of points. The stated power is instead the
//!    probability that the planted shift (read on the later windows) plus an error of the
//!    history's root mean square error at zero effect `r` exceeds `h`. That `r` is itself
//!    read from about `k` independent test lengths, so the error over `r` follows Student's t
//!    on `k − 1` degrees of freedom (the predictive power); taking `r` as exact (a normal
//!    error, [`StatedPower::Normal`]) overstates the power. The ranking itself
//!    still counts hits on its windows ([`StatedPower::Counted`]): a smooth power there ranks
//!    finely on the noise of a few windows and picks sets whose history was calm by luck.

use super::error::DesignError;
use super::history::{StorePanel, mean_sd, pearson};
use super::matched::{StoreMethod, fit_did, planted_relative, scaled};
use super::panel::{PanelModel, simulate_panel};
use super::plan::StoreWeight;
use crate::uplift::{norm_cdf, norm_sf, simplex_least_squares, t_cdf, t_isf, t_sf};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeSet;

/// How to choose test stores.
#[derive(Clone, Debug, PartialEq)]
pub struct StoresOptions {
    /// Stores to treat.
    pub treat: usize,
    /// Stores neither treated nor used as controls.
    pub exclude: Vec<String>,
    /// Test length, in periods.
    pub days: usize,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Relative effects planted (0 included for the bias and the false-positive rate).
    pub effects: Vec<f64>,
    /// Simulated test windows per candidate set in the screening.
    pub windows: usize,
    /// Seeded random candidate sets besides the neighbourhoods.
    pub random_sets: usize,
    /// Sets reported (and evaluated on every window).
    pub top: usize,
    /// Fewest pre-window periods a simulated test has.
    pub min_pre: usize,
    /// Seed of the random sets.
    pub seed: u64,
    /// The estimator that reads the test: synthetic control or difference in differences.
    pub method: StoreMethod,
    /// Difference in differences: matched control stores per treated store.
    pub matches: usize,
    /// How the reported sets' power is stated from the periods the ranking did not see.
    pub stated_power: StatedPower,
    /// Which simulated tests the reported sets' interval is calibrated on.
    pub calibration: Calibration,
}

/// Which simulated tests of the history calibrate the interval of a reported set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Calibration {
    /// Every simulated test of the history, the ranking's included; the history split in
    /// halves, the earlier ranks the sets and the later states their figures. The sets ranked
    /// first are partly those whose ranking periods were calm by luck, and their interval is
    /// read partly on those periods; measured over simulated histories, their false-positive
    /// rate on fresh periods nevertheless stays below α on average (see docs/experiments.md).
    #[default]
    Whole,
    /// Only the tests the ranking did not see: the earliest third of the history's independent
    /// test lengths (at least one) ranks the candidate sets, and the interval and the stated
    /// figures come from the tests whose test periods start after the ranking's last one. No
    /// selection reaches the interval, but on a short history the ranking then sees about one
    /// test length and picks worse sets, and the interval rests on fewer degrees of freedom
    /// (measured: false positives well below α, power understated, larger MDEs).
    Unseen,
}

/// How the power of a reported set is stated from the simulated tests the ranking did not see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatedPower {
    /// The share of those tests whose estimate, with the effect planted, is beyond the
    /// threshold. Overlapping tests of a short history hold only a few independent ones, so
    /// the share moves in large steps.
    Counted,
    /// From the law of the errors, taking the history's error scale as known: a new test's
    /// estimate is the planted shift (read on those tests) plus a normal error with the root
    /// mean square error at zero effect `r` of every simulated test of the history, and the
    /// power is its probability beyond the threshold. Every overlapping test counts, through
    /// the error's scale, instead of a few independent hits; but `r` is read from about `k`
    /// independent test lengths, and treating it as exact overstates the power (measured:
    /// by 4 points on average on a 140-day history).
    Normal,
    /// The predictive power: as `Normal`, with the uncertainty of the error's scale. `r` is
    /// an estimate on about `k − 1` degrees of freedom (the independent test lengths the
    /// history holds, less one), so a new test's error over `r` follows Student's t on those
    /// degrees of freedom: the power averaged over the error scales the history leaves
    /// possible, not the power at the one scale it happened to show.
    #[default]
    Predictive,
}

impl Default for StoresOptions {
    fn default() -> Self {
        StoresOptions {
            treat: 2,
            exclude: Vec::new(),
            days: 28,
            alpha: 0.05,
            power: 0.8,
            effects: vec![0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2],
            windows: 8,
            random_sets: 30,
            top: 5,
            min_pre: 28,
            seed: 42,
            method: StoreMethod::SyntheticControl,
            matches: 3,
            stated_power: StatedPower::Predictive,
            calibration: Calibration::Whole,
        }
    }
}

/// Power at one planted effect.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PowerPoint {
    /// The planted relative effect.
    pub effect: f64,
    /// Share of the simulated tests that detected it.
    pub power: f64,
    /// Mean estimated relative effect.
    pub mean_estimate: f64,
}

/// One candidate set of test stores and how it fares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidateSet {
    /// 1 for the best.
    pub rank: usize,
    /// The stores to treat.
    pub stores: Vec<String>,
    /// How the set was formed (`neighbours of S07`, `spread 3`).
    pub origin: String,
    /// Simulated tests (windows) behind the figures.
    pub windows: usize,
    /// Effect → power.
    pub power_curve: Vec<PowerPoint>,
    /// Smallest planted effect detected with the target power (`null`: none of them).
    pub mde: Option<f64>,
    /// Power at `mde`.
    pub power_at_mde: Option<f64>,
    /// Mean estimated effect when none was planted.
    pub bias: f64,
    /// Share of windows that rejected with no effect planted (should be about α).
    pub false_positive_rate: f64,
    /// Expected full width of a (1 − α) interval of the relative effect: twice `threshold`.
    pub interval_width: f64,
    /// The readout's threshold: an estimate beyond `±threshold` (half the interval width) is
    /// an effect at level α.
    pub threshold: f64,
    /// Mean pre-window RMSPE of the fit, relative to the series' mean.
    pub pre_fit: f64,
    /// Control weights fitted on the whole history (stores with weight ≥ 0.001).
    pub weights: Vec<StoreWeight>,
}

/// A store design.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoresDesign {
    /// The estimator the sets were ranked with and the test is read with.
    pub method: StoreMethod,
    /// Difference in differences: matched controls per treated store (`null` for the
    /// synthetic control).
    pub matches: Option<usize>,
    /// Stores treated per set.
    pub treat: usize,
    /// Test length in periods.
    pub days: usize,
    /// Significance level.
    pub alpha: f64,
    /// Target power.
    pub power: f64,
    /// Stores in the panel.
    pub stores: usize,
    /// Stores excluded.
    pub excluded: Vec<String>,
    /// Periods of history.
    pub periods: usize,
    /// Candidate sets screened.
    pub candidates: usize,
    /// Windows per set in the screening (all of their test periods before `ranked_before`).
    pub screening_windows: usize,
    /// The history's split: candidate sets are ranked on simulated tests that end by this
    /// period (0-based, exclusive), and the reported figures come from tests that start at or
    /// after it, which the ranking did not see.
    pub ranked_before: usize,
    /// Windows behind each reported set's stated figures (after `ranked_before`).
    pub stated_windows: usize,
    /// The seed.
    pub seed: u64,
    /// The best sets, best first.
    pub top: Vec<CandidateSet>,
}

/// One simulated test of a set: the fit on `[0, end − days)`, read at every planted effect.
#[derive(Clone)]
struct WindowFit {
    /// Estimated relative effect per planted effect.
    estimates: Vec<f64>,
    pre_rmspe: f64,
    weights: Vec<f64>,
}

/// A synthetic control fitted on the first `pre` of the periods before `end`: the treated
/// stores' mean scaled series, the synthetic series, their gaps, and the donors used (the
/// positions in `donors` of those that could be scaled) with their weights. `None` when a
/// treated store cannot be scaled.
pub(crate) struct SyntheticFit {
    pub treated: Vec<f64>,
    pub synthetic: Vec<f64>,
    pub gaps: Vec<f64>,
    pub used: Vec<usize>,
    pub weights: Vec<f64>,
}

pub(crate) fn synthetic_fit(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    end: usize,
    pre: usize,
) -> Result<Option<SyntheticFit>, DesignError> {
    let mut tr = vec![0.0; end];
    for &s in treated {
        let Some(x) = scaled(&panel.values[s][..end], pre) else {
            return Ok(None);
        };
        for (a, b) in tr.iter_mut().zip(&x) {
            *a += b / treated.len() as f64;
        }
    }
    // Donors without a positive pre-window mean cannot be scaled: they sit out (weight 0).
    let mut ds = Vec::with_capacity(donors.len());
    let mut used = Vec::with_capacity(donors.len());
    for (i, &s) in donors.iter().enumerate() {
        if let Some(x) = scaled(&panel.values[s][..end], pre) {
            ds.push(x);
            used.push(i);
        }
    }
    if ds.len() < 2 {
        return Err(DesignError::History(
            "a synthetic control needs at least 2 control stores with visits".into(),
        ));
    }
    // The synthetic control's own fit — the same simplex-constrained least squares on the
    // pre-window that `synthetic_control` solves — without its placebo fits (one per donor),
    // which the design does not use: its inference is in time (a test checks that the
    // estimates equal `synthetic_control`'s).
    let pre_cols: Vec<Vec<f64>> = ds.iter().map(|d| d[..pre].to_vec()).collect();
    let fit = simplex_least_squares(&tr[..pre], &pre_cols)?;
    let synthetic: Vec<f64> = (0..end)
        .map(|k| ds.iter().zip(&fit.weights).map(|(d, w)| w * d[k]).sum())
        .collect();
    let gaps: Vec<f64> = tr.iter().zip(&synthetic).map(|(a, b)| a - b).collect();
    Ok(Some(SyntheticFit {
        treated: tr,
        synthetic,
        gaps,
        used,
        weights: fit.weights,
    }))
}

fn fit_window(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    end: usize,
    o: &StoresOptions,
    effects: &[f64],
) -> Result<Option<WindowFit>, DesignError> {
    let days = o.days;
    let pre = end - days;
    if o.method == StoreMethod::Did {
        let periods: Vec<usize> = (0..end).collect();
        let Some(f) = fit_did(
            panel,
            treated,
            donors,
            &periods,
            pre,
            Some(o.matches),
            o.alpha,
        )?
        else {
            return Ok(None);
        };
        let share = 1.0 / f.controls.len().max(1) as f64;
        return Ok(Some(WindowFit {
            estimates: effects
                .iter()
                .map(|&e| planted_relative(&f.estimate, e))
                .collect(),
            pre_rmspe: f.pre_rmspe,
            weights: donors
                .iter()
                .map(|d| if f.controls.contains(d) { share } else { 0.0 })
                .collect(),
        }));
    }
    let Some(SyntheticFit {
        treated: tr,
        synthetic,
        gaps,
        used,
        weights: fitted,
    }) = synthetic_fit(panel, treated, donors, end, pre)?
    else {
        return Ok(None);
    };
    let synth_post = synthetic[pre..].iter().sum::<f64>() / days as f64;
    let estimates = effects
        .iter()
        .map(|&e| {
            let gap: f64 = (pre..end).map(|k| gaps[k] + e * tr[k]).sum::<f64>();
            gap / days as f64 / synth_post
        })
        .collect();
    let pre_rmspe = (gaps[..pre].iter().map(|g| g * g).sum::<f64>() / pre as f64).sqrt();
    let mut weights = vec![0.0; donors.len()];
    for (&i, &w) in used.iter().zip(&fitted) {
        weights[i] = w;
    }
    Ok(Some(WindowFit {
        estimates,
        pre_rmspe,
        weights,
    }))
}

/// Window ends (exclusive) for `windows` simulated tests, the latest first, spread evenly over
/// the history; `usize::MAX` windows takes every one.
pub(crate) fn window_ends(
    periods: usize,
    days: usize,
    min_pre: usize,
    windows: usize,
) -> Vec<usize> {
    let first = min_pre + days;
    if periods < first || windows == 0 {
        return Vec::new();
    }
    let span = periods - first;
    if windows > span {
        return (first..=periods).rev().collect();
    }
    if windows == 1 {
        return vec![periods];
    }
    let mut ends: Vec<usize> = (0..windows)
        .map(|k| periods - (k * span + (windows - 1) / 2) / (windows - 1))
        .collect();
    ends.dedup();
    ends
}

/// Where the history is split: simulated tests whose test periods end by the returned period
/// rank the candidate sets; those whose test periods start at or after it calibrate the
/// interval of the sets ranked best and state their figures, so that neither the interval nor
/// the power is read on the periods that picked the sets (the winner's curse).
///
/// With [`Calibration::Unseen`] the ranking takes the earliest third of the history's
/// independent test lengths (at least one, and the days left over by whole test lengths), so
/// that the calibration keeps the rest: on 140 days of history and 21-day tests after 28
/// days, the ranking sees tests ending on days 49 to 56 and the calibration those ending on
/// days 77 to 140, four independent test lengths. With [`Calibration::Whole`] the later part
/// holds half the periods a test can sit in. `None` when the history cannot hold a test in
/// each part.
fn ranking_cut(
    periods: usize,
    days: usize,
    min_pre: usize,
    calibration: Calibration,
) -> Option<usize> {
    if days == 0 {
        return None;
    }
    let cut = match calibration {
        Calibration::Whole => {
            let room = periods.checked_sub(min_pre)?;
            let evaluation = (room / 2).max(days);
            periods.checked_sub(evaluation)?
        }
        Calibration::Unseen => {
            // Independent test lengths in the history; the calibration keeps all but a third.
            let lengths = periods.checked_sub(min_pre + days)? / days + 1;
            let kept = (lengths - (lengths / 3).max(1)).max(1);
            periods.checked_sub(kept * days)?
        }
    };
    (cut >= min_pre + days).then_some(cut)
}

/// Ends of the simulated tests the ranking did not see (their test periods start at or after
/// the split): the windows that state a reported set's figures and, with
/// [`Calibration::Unseen`], calibrate its interval.
pub(crate) fn calibration_ends(
    periods: usize,
    o: &StoresOptions,
) -> Result<Vec<usize>, DesignError> {
    let cut = ranking_cut(periods, o.days, o.min_pre, o.calibration).ok_or_else(|| {
        DesignError::flag("days", "the history is too short for this test length")
    })?;
    Ok(window_ends(periods, o.days, o.min_pre, usize::MAX)
        .into_iter()
        .filter(|&e| e >= cut + o.days)
        .collect())
}

/// The law of a new test's error, read from the simulated tests of the history: the one place
/// the interval's critical value is chosen, shared by the plan's interval (and so by the store
/// readout of `report --design`, which reads the plan's width) and the stated power.
///
/// The windows overlap: the history holds about `k = span / days + 1` independent test
/// lengths, and their root mean square error at zero effect `r` is an estimate on `k − 1`
/// degrees of freedom. A new test's error over `r` then follows Student's t on those degrees
/// of freedom, scaled by the prediction factor `√(1 + 1/k)`; the normal critical value would
/// take `r` as exact and reject too often.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PredictionLaw {
    /// Independent test lengths in the history (at least 2).
    pub k: f64,
    /// Degrees of freedom of the error scale: `k − 1`.
    pub df: f64,
    /// The prediction factor `√(1 + 1/k)`.
    pub inflate: f64,
    /// Student's t critical value `t₁₋α/₂,k−1`.
    pub critical: f64,
}

impl PredictionLaw {
    /// The law for the windows ending at `ends`, tests of `days` periods, level `alpha`.
    pub(crate) fn new(ends: &[usize], days: usize, alpha: f64) -> Result<Self, DesignError> {
        let span = ends.iter().max().unwrap_or(&0) - ends.iter().min().unwrap_or(&0);
        let k = ((span / days.max(1)) + 1).max(2) as f64;
        Ok(PredictionLaw {
            k,
            df: k - 1.0,
            inflate: (1.0 + 1.0 / k).sqrt(),
            critical: t_isf(alpha / 2.0, k - 1.0)?,
        })
    }

    /// Half-width of the (1 − α) prediction interval of a new test's estimate, for the
    /// history's root mean square error at zero effect `rms0`.
    pub(crate) fn half_width(&self, rms0: f64) -> f64 {
        self.critical * self.inflate * rms0
    }
}

/// Evaluate one set of treated stores (indices into `panel.stores`) against `donors` on the
/// windows ending at `ends`.
pub fn evaluate_set(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    ends: &[usize],
    o: &StoresOptions,
) -> Result<CandidateSet, DesignError> {
    evaluate_split(panel, treated, donors, ends, ends, o)
}

/// [`evaluate_set`] with the readout's threshold taken from the windows ending at `calibrate`
/// (the interval a real test will use) and the figures stated — power curve, MDE, bias, false
/// positives, fit — from the windows ending at `state`, a subset of `calibrate`.
pub(crate) fn evaluate_split(
    panel: &StorePanel,
    treated: &[usize],
    donors: &[usize],
    calibrate: &[usize],
    state: &[usize],
    o: &StoresOptions,
) -> Result<CandidateSet, DesignError> {
    let mut all = Vec::with_capacity(calibrate.len());
    let mut fits = Vec::with_capacity(state.len());
    for &end in calibrate {
        if let Some(f) = fit_window(panel, treated, donors, end, o, &o.effects)? {
            if state.contains(&end) {
                fits.push(f.clone());
            }
            all.push(f);
        }
    }
    let n = fits.len().max(1) as f64;
    let zero = o
        .effects
        .iter()
        .position(|&e| e == 0.0)
        .ok_or_else(|| DesignError::flag("effects", "the planted effects must include 0"))?;
    let rms0 = (all.iter().map(|f| f.estimates[zero].powi(2)).sum::<f64>()
        / all.len().max(1) as f64)
        .sqrt();
    let law = PredictionLaw::new(calibrate, o.days, o.alpha)?;
    let inflate = law.inflate;
    let threshold = law.half_width(rms0);
    let detected = |est: f64, e: f64| est.abs() > threshold && (e == 0.0 || est * e > 0.0);
    let predicted = |f: &WindowFit, j: usize| f.estimates[j] + (inflate - 1.0) * f.estimates[zero];
    // The law of a new test's error: its scale is the root mean square error at zero effect of
    // every window of the history (the threshold's own scale), an estimate on k − 1 degrees of
    // freedom: Student's t on them (`df`), or normal when the scale is taken as exact. The
    // shift an effect brings is read on the stated windows.
    let modelled = |j: usize, e: f64, df: Option<f64>| -> Result<f64, DesignError> {
        if !(rms0 > 0.0) {
            return Ok(f64::NAN);
        }
        let shift = fits
            .iter()
            .map(|f| f.estimates[j] - f.estimates[zero])
            .sum::<f64>()
            / n;
        let (hi, lo) = ((threshold - shift) / rms0, (-threshold - shift) / rms0);
        let up = match df {
            None => norm_sf(hi)?,
            Some(df) => t_sf(hi, df)?,
        };
        let down = match (e == 0.0, df) {
            (false, _) => 0.0,
            (true, None) => norm_cdf(lo)?,
            (true, Some(df)) => t_cdf(lo, df)?,
        };
        Ok(up + down)
    };
    let mut power_curve: Vec<PowerPoint> = Vec::with_capacity(o.effects.len());
    for (j, &e) in o.effects.iter().enumerate() {
        let power = match o.stated_power {
            StatedPower::Counted => {
                fits.iter().filter(|f| detected(predicted(f, j), e)).count() as f64 / n
            }
            StatedPower::Normal => modelled(j, e, None)?,
            StatedPower::Predictive => modelled(j, e, Some(law.df))?,
        };
        power_curve.push(PowerPoint {
            effect: e,
            power,
            mean_estimate: fits.iter().map(|f| f.estimates[j]).sum::<f64>() / n,
        });
    }
    let bias = power_curve[zero].mean_estimate;
    let fpr = power_curve[zero].power;
    let hit = power_curve
        .iter()
        .find(|p| p.effect > 0.0 && p.power >= o.power);
    // Weights on the whole history (the latest window's fit, the set's controls for the test).
    let weights = all
        .first()
        .map(|f| {
            let named: Vec<&String> = donors.iter().map(|&d| &panel.stores[d]).collect();
            let mut w: Vec<StoreWeight> = named
                .iter()
                .zip(&f.weights)
                .filter(|(_, w)| **w >= 0.001)
                .map(|(s, w)| StoreWeight {
                    store: (*s).clone(),
                    weight: *w,
                })
                .collect();
            w.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.store.cmp(&b.store)));
            w
        })
        .unwrap_or_default();
    let mut stores: Vec<String> = treated.iter().map(|&s| panel.stores[s].clone()).collect();
    stores.sort();
    Ok(CandidateSet {
        rank: 0,
        stores,
        origin: String::new(),
        windows: fits.len(),
        mde: hit.map(|p| p.effect),
        power_at_mde: hit.map(|p| p.power),
        power_curve,
        bias,
        false_positive_rate: fpr,
        interval_width: 2.0 * threshold,
        threshold,
        pre_fit: fits.iter().map(|f| f.pre_rmspe).sum::<f64>() / n,
        weights,
    })
}

fn rank_key(c: &CandidateSet) -> (bool, f64, f64, f64) {
    (
        c.mde.is_none(),
        c.mde.unwrap_or(f64::INFINITY),
        c.bias.abs(),
        c.interval_width,
    )
}

fn check(panel: &StorePanel, o: &StoresOptions) -> Result<Vec<usize>, DesignError> {
    for x in &o.exclude {
        if !panel.stores.contains(x) {
            return Err(DesignError::flag(
                "exclude",
                format!("store `{x}` is not in the history"),
            ));
        }
    }
    let eligible: Vec<usize> = (0..panel.stores.len())
        .filter(|&s| !o.exclude.contains(&panel.stores[s]))
        .collect();
    if o.treat == 0 || o.treat + 2 > eligible.len() {
        return Err(DesignError::flag(
            "treat",
            format!(
                "{} stores to treat out of {} (after --exclude): at least 1, leaving at least 2 \
                 controls",
                o.treat,
                eligible.len()
            ),
        ));
    }
    if !(o.alpha > 0.0 && o.alpha < 1.0) {
        return Err(DesignError::flag(
            "alpha",
            format!("{} must be in (0, 1)", o.alpha),
        ));
    }
    if !(o.power > 0.0 && o.power < 1.0) {
        return Err(DesignError::flag(
            "power",
            format!("{} must be in (0, 1)", o.power),
        ));
    }
    if ranking_cut(panel.periods.len(), o.days, o.min_pre, o.calibration).is_none() {
        return Err(DesignError::flag(
            "days",
            format!(
                "{} days of test need {} days of history: {} before a first simulated test, \
                 then two tests' length (earlier tests rank the candidate sets, later ones \
                 state their power); the history holds {}",
                o.days,
                o.min_pre + 2 * o.days,
                o.min_pre,
                panel.periods.len()
            ),
        ));
    }
    if o.method == StoreMethod::Did && o.matches == 0 {
        return Err(DesignError::flag(
            "matches",
            "a difference in differences needs at least 1 matched control per treated store",
        ));
    }
    if o.effects.iter().any(|e| !e.is_finite() || *e < 0.0) || !o.effects.contains(&0.0) {
        return Err(DesignError::flag(
            "effects",
            "relative effects must be finite, non-negative and include 0",
        ));
    }
    Ok(eligible)
}

/// Candidate sets: neighbourhoods by correlation and seeded spread draws.
fn candidates(
    panel: &StorePanel,
    eligible: &[usize],
    o: &StoresOptions,
) -> Vec<(Vec<usize>, String)> {
    let t = panel.periods.len();
    let norm: Vec<Option<Vec<f64>>> = panel.values.iter().map(|v| scaled(v, t)).collect();
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |mut set: Vec<usize>, origin: String, out: &mut Vec<(Vec<usize>, String)>| {
        set.sort_unstable();
        if set.len() == o.treat && seen.insert(set.clone()) {
            out.push((set, origin));
        }
    };
    for &s in eligible {
        let Some(a) = &norm[s] else { continue };
        let mut others: Vec<(f64, usize)> = eligible
            .iter()
            .filter(|&&q| q != s)
            .filter_map(|&q| norm[q].as_ref().map(|b| (pearson(a, b), q)))
            .collect();
        others.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut set = vec![s];
        set.extend(others.iter().take(o.treat - 1).map(|x| x.1));
        push(set, format!("neighbours of {}", panel.stores[s]), &mut out);
    }
    let mut by_size: Vec<(f64, usize)> = eligible
        .iter()
        .map(|&s| (mean_sd(&panel.values[s]).0, s))
        .collect();
    by_size.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed);
    let n = by_size.len();
    for k in 0..o.random_sets {
        let set: Vec<usize> = (0..o.treat)
            .filter_map(|g| {
                let lo = g * n / o.treat;
                let hi = ((g + 1) * n / o.treat).max(lo + 1);
                by_size[lo..hi].choose(&mut rng).map(|x| x.1)
            })
            .collect();
        push(set, format!("spread {}", k + 1), &mut out);
    }
    out
}

/// Choose test stores on `panel` (the history).
pub fn design_stores(panel: &StorePanel, o: &StoresOptions) -> Result<StoresDesign, DesignError> {
    let eligible = check(panel, o)?;
    let periods = panel.periods.len();
    let cut = ranking_cut(periods, o.days, o.min_pre, o.calibration).ok_or_else(|| {
        DesignError::flag("days", "the history is too short for this test length")
    })?;
    // Rank on tests that end by `cut`; state on tests that start at or after it.
    let screen = window_ends(cut, o.days, o.min_pre, o.windows);
    let all = window_ends(periods, o.days, o.min_pre, usize::MAX);
    let stated = calibration_ends(periods, o)?;
    let sets = candidates(panel, &eligible, o);
    // The ranking counts hits on its few windows: a smooth modelled power there would rank
    // finely on the noise of a handful of windows and pick sets whose history was calm by
    // luck (measured: a one-region set, false positives 15 % in held-back periods).
    let screening = StoresOptions {
        stated_power: StatedPower::Counted,
        ..o.clone()
    };
    let mut screened = Vec::with_capacity(sets.len());
    for (set, origin) in &sets {
        let donors: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|s| !set.contains(s))
            .collect();
        let mut c = evaluate_set(panel, set, &donors, &screen, &screening)?;
        c.origin = origin.clone();
        screened.push((c, set.clone()));
    }
    screened.sort_by(|a, b| {
        let (x, y) = (rank_key(&a.0), rank_key(&b.0));
        x.0.cmp(&y.0)
            .then(x.1.total_cmp(&y.1))
            .then(x.2.total_cmp(&y.2))
            .then(x.3.total_cmp(&y.3))
            .then(a.0.stores.cmp(&b.0.stores))
    });
    // The order is the ranking's: sorting again on the stated figures would select on them
    // and bring the winner's curse back.
    let mut top = Vec::with_capacity(o.top);
    for (i, (c, set)) in screened.iter().take(o.top.max(1)).enumerate() {
        let donors: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|s| !set.contains(s))
            .collect();
        let calibrate = match o.calibration {
            Calibration::Unseen => &stated,
            Calibration::Whole => &all,
        };
        let mut full = evaluate_split(panel, set, &donors, calibrate, &stated, o)?;
        full.origin = c.origin.clone();
        full.rank = i + 1;
        top.push(full);
    }
    Ok(StoresDesign {
        method: o.method,
        matches: (o.method == StoreMethod::Did).then_some(o.matches),
        treat: o.treat,
        days: o.days,
        alpha: o.alpha,
        power: o.power,
        stores: panel.stores.len(),
        excluded: o.exclude.clone(),
        periods,
        candidates: sets.len(),
        screening_windows: screen.len(),
        ranked_before: cut,
        stated_windows: stated.len(),
        seed: o.seed,
        top,
    })
}

/// What a held-back check of a store design measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoresCheck {
    /// Replications (fresh panels of the same stores).
    pub replications: u64,
    /// The treated stores.
    pub stores: Vec<String>,
    /// The planted effect.
    pub effect: f64,
    /// The power the design states for it.
    pub stated_power: f64,
    /// Replications that detected it.
    pub detected: u64,
    /// `detected / replications`.
    pub power: f64,
    /// Replications with no effect that rejected.
    pub false_positives: u64,
    /// `false_positives / replications`.
    pub false_positive_rate: f64,
    /// Binomial standard error of `power`.
    pub power_se: f64,
}

/// Check `set` (stated power `stated` at `effect`) on held-back periods: each replication draws
/// the model's stores afresh over the history's length plus `o.days` periods, fits on the
/// history and reads the planted effect in the `o.days` held-back periods.
pub fn check_stores(
    model: &PanelModel,
    set: &CandidateSet,
    effect: f64,
    o: &StoresOptions,
    replications: u64,
    seed: u64,
) -> Result<StoresCheck, DesignError> {
    let long = PanelModel {
        periods: model.periods + o.days,
        ..model.clone()
    };
    let effects = [0.0, effect];
    let stated = set
        .power_curve
        .iter()
        .find(|p| p.effect == effect)
        .map_or(f64::NAN, |p| p.power);
    let (mut detected, mut fp) = (0u64, 0u64);
    for r in 0..replications {
        let panel = simulate_panel(&long, seed.wrapping_add(r));
        let treated: Vec<usize> = (0..panel.stores.len())
            .filter(|&s| set.stores.contains(&panel.stores[s]))
            .collect();
        let donors: Vec<usize> = (0..panel.stores.len())
            .filter(|&s| !treated.contains(&s) && !o.exclude.contains(&panel.stores[s]))
            .collect();
        let Some(f) = fit_window(&panel, &treated, &donors, long.periods, o, &effects)? else {
            continue;
        };
        fp += u64::from(f.estimates[0].abs() > set.threshold);
        detected += u64::from(f.estimates[1] > set.threshold);
    }
    let n = replications.max(1) as f64;
    let power = detected as f64 / n;
    Ok(StoresCheck {
        replications,
        stores: set.stores.clone(),
        effect,
        stated_power: stated,
        detected,
        power,
        false_positives: fp,
        false_positive_rate: fp as f64 / n,
        power_se: (power * (1.0 - power) / n).sqrt(),
    })
}
