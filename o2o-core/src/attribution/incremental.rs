//! Exposure-based incremental credit: how many check-ins each channel *added*, estimated from
//! who was exposed to what, not from the order of touches.
//!
//! Path-based models (last touch, Markov, Shapley over paths) credit the channels that were
//! *present* before a check-in. A channel that reaches everyone — a run-of-network banner —
//! is present before most check-ins whether or not it caused any, so those models rank it high;
//! removal effects and presence-based Shapley values inherit the same bias. This model asks the
//! causal question instead. For every profile it records the set of channels that touched it
//! during the analysis window (any touch, not only those inside a lookback) and its check-ins
//! (and their value) in the same window, including profiles that were never exposed. It then
//! fits the additive model
//!
//! `E[check-ins | exposure set S] = a + Σ_{c ∈ S} b_c`
//!
//! by least squares over profiles (computed from per-set sufficient statistics, so the cost is
//! O(distinct sets · k²) whatever the number of profiles). `b_c` is the lift of one profile's
//! check-ins from exposure to `c`; the channel is credited `b_c × (profiles exposed to c)`, with a
//! heteroskedasticity-robust (HC0) standard error and a 95 % interval, and the rest of the
//! check-ins go to `(baseline)`, so the credit sums to the total exactly (to 1e-9 relative, as
//! every model; see [`Credit::check_totals`]). The same fit is made for value.
//!
//! For an additive game the Shapley value of each channel is its own term, so this is also the
//! Shapley value of the conversion-*rate* game v(S) = E[check-ins | S] − E[check-ins | ∅]
//! (the "incremental" Shapley of Dalessandro et al. and Zhao et al.), estimated with the
//! additivity assumption that keeps it stable when some channel sets are rare.
//!
//! When it is right: exposure is as good as random given the profile (randomised delivery, or
//! targeting unrelated to the propensity to visit), as in a holdout-style campaign and in the
//! simulator, where it recovers the true ranking. When it is wrong: targeting on intent (search
//! ads shown to people already looking for the store) makes `b_c` absorb that intent; channels
//! that only ever run together cannot be separated (the fit reports which one). Interactions
//! between channels are averaged into the additive terms.

use super::credit::Credit;
use super::error::AttributionError;
use super::journey::JourneyConfig;
use super::linalg::{Singular, lu_solve};
use crate::event::Event;
use serde::Serialize;
use std::collections::BTreeMap;

/// Name of the credit line for check-ins that happen without any channel.
pub const BASELINE: &str = "(baseline)";

/// Profiles aggregated by the exact set of channels that touched them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExposureTable {
    channels: Vec<String>,
    /// Exposure set (bit i = `channels[i]`) → sums over its profiles.
    sets: BTreeMap<u64, SetStats>,
}

/// Sufficient statistics of the profiles sharing one exposure set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SetStats {
    /// Number of profiles.
    pub profiles: f64,
    /// Their check-ins.
    pub conversions: f64,
    /// Sum of squared check-ins per profile (for the robust standard error).
    pub conversions_sq: f64,
    /// Their check-in value.
    pub value: f64,
    /// Sum of squared value per profile.
    pub value_sq: f64,
}

/// At most this many channels (the exposure set is a 64-bit mask).
pub const MAX_CHANNELS: usize = 64;

impl ExposureTable {
    /// Build from events whose profile is `keys[i]` (missing keys drop the event). A touch counts
    /// as exposure when its action has a lookback in `cfg` (so sign-ups and online purchases do
    /// not); channels are grouped by `cfg.channel_map` as in journeys. Only events with
    /// `from <= timestamp < to` count when `window` is given. Profiles with check-ins but no
    /// touch are the unexposed baseline; a profile with neither (say, only a sign-up) counts as
    /// unexposed and not converted, which is what makes the baseline rate honest.
    pub fn from_keyed_events<K: Ord>(
        events: &[Event],
        keys: &[Option<K>],
        cfg: &JourneyConfig,
        window: Option<(i64, i64)>,
    ) -> Result<ExposureTable, AttributionError> {
        let inside = |ts: i64| window.is_none_or(|(from, to)| from <= ts && ts < to);
        let mut channels: Vec<String> = Vec::new();
        let mut per: BTreeMap<&K, (u64, f64, f64)> = BTreeMap::new();
        for (e, k) in events.iter().zip(keys) {
            let Some(k) = k else { continue };
            // Product views are no ad touch and no conversion: they do not make a profile.
            if matches!(e, Event::ProductView(_)) {
                continue;
            }
            let entry = per.entry(k).or_insert((0, 0.0, 0.0));
            if !inside(e.timestamp()) {
                continue;
            }
            match e {
                Event::Touchpoint(t) => {
                    if cfg.lookback.get(&t.action).copied().flatten().is_none() {
                        continue;
                    }
                    let name = match &t.campaign {
                        Some(c) if cfg.channel_map.group(c) != c => cfg.channel_map.group(c),
                        _ => cfg.channel_map.group(&t.channel),
                    };
                    let bit = match channels.iter().position(|c| c == name) {
                        Some(i) => i,
                        None if channels.len() < MAX_CHANNELS => {
                            channels.push(name.to_owned());
                            channels.len() - 1
                        }
                        None => {
                            return Err(AttributionError::TooManyChannels {
                                max: MAX_CHANNELS,
                                got: MAX_CHANNELS + 1,
                            });
                        }
                    };
                    entry.0 |= 1u64 << bit;
                }
                Event::CheckIn(c) => {
                    entry.1 += 1.0;
                    entry.2 += c.value.filter(|v| v.is_finite()).unwrap_or(0.0);
                }
                Event::ProductView(_) => {}
            }
        }
        // Channel ids in name order, so the table does not depend on event order.
        let mut order: Vec<usize> = (0..channels.len()).collect();
        order.sort_by(|&a, &b| channels[a].cmp(&channels[b]));
        let mut new_bit = vec![0usize; channels.len()];
        for (new, &old) in order.iter().enumerate() {
            new_bit[old] = new;
        }
        let mut table = ExposureTable {
            channels: order.iter().map(|&i| channels[i].clone()).collect(),
            sets: BTreeMap::new(),
        };
        for (mask, conv, value) in per.into_values() {
            let mut m = 0u64;
            for (old, &new) in new_bit.iter().enumerate() {
                if mask >> old & 1 == 1 {
                    m |= 1 << new;
                }
            }
            table.add_profile(m, conv, value);
        }
        Ok(table)
    }

    /// A table over `channels` (at most [`MAX_CHANNELS`]), filled with [`ExposureTable::add`].
    pub fn new(channels: Vec<String>) -> Result<ExposureTable, AttributionError> {
        if channels.len() > MAX_CHANNELS {
            return Err(AttributionError::TooManyChannels {
                max: MAX_CHANNELS,
                got: channels.len(),
            });
        }
        Ok(ExposureTable {
            channels,
            sets: BTreeMap::new(),
        })
    }

    /// Add one profile exposed to `set` (bit i = channel i) with `conversions` check-ins worth
    /// `value`.
    pub fn add_profile(&mut self, set: u64, conversions: f64, value: f64) {
        let s = self.sets.entry(set).or_default();
        s.profiles += 1.0;
        s.conversions += conversions;
        s.conversions_sq += conversions * conversions;
        s.value += value;
        s.value_sq += value * value;
    }

    /// The channels, bit i of a set being `channels()[i]`.
    #[must_use]
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// The exposure sets and their statistics.
    pub fn sets(&self) -> impl Iterator<Item = (u64, &SetStats)> {
        self.sets.iter().map(|(&m, s)| (m, s))
    }

    /// Number of profiles.
    #[must_use]
    pub fn profiles(&self) -> f64 {
        self.sets.values().map(|s| s.profiles).sum()
    }
}

/// One channel's estimated incremental effect.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelLift {
    /// The channel.
    pub channel: String,
    /// Profiles it touched.
    pub exposed: f64,
    /// Extra check-ins per exposed profile (`b_c`).
    pub lift: f64,
    /// Incremental check-ins: `lift × exposed`.
    pub incremental: f64,
    /// HC0 standard error of `incremental`.
    pub se: f64,
    /// 95 % interval (normal approximation) of `incremental`.
    pub ci: (f64, f64),
    /// Incremental value: value lift × exposed.
    pub incremental_value: f64,
    /// HC0 standard error of `incremental_value`.
    pub value_se: f64,
}

/// The fit: per-channel lifts and the credit they imply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incremental {
    /// Check-ins per profile with no exposure (the intercept).
    pub baseline_rate: f64,
    /// Per channel, in channel order.
    pub lifts: Vec<ChannelLift>,
    /// Credit: each channel's incremental check-ins and value, and [`BASELINE`] for the rest.
    pub credit: Credit,
}

/// Least squares of one outcome on the exposure indicators: coefficients (intercept first) and
/// their HC0 covariance diagonal.
fn fit(
    table: &ExposureTable,
    outcome: impl Fn(&SetStats) -> (f64, f64),
) -> Result<(Vec<f64>, Vec<f64>), AttributionError> {
    let k = table.channels.len();
    let p = k + 1;
    let x = |m: u64, i: usize| -> f64 {
        if i == 0 || m >> (i - 1) & 1 == 1 {
            1.0
        } else {
            0.0
        }
    };
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    for (&m, s) in &table.sets {
        let (sum, _) = outcome(s);
        for i in 0..p {
            let xi = x(m, i);
            if xi == 0.0 {
                continue;
            }
            xty[i] += sum;
            for j in 0..p {
                xtx[i * p + j] += x(m, j) * s.profiles;
            }
        }
    }
    let scale = xtx.iter().fold(0.0f64, |a, &b| a.max(b.abs())).max(1.0);
    let identity: Vec<Vec<f64>> = (0..p)
        .map(|i| (0..p).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let mut rhs = vec![xty];
    rhs.extend(identity);
    let sol = lu_solve(xtx, p, &rhs, 1e-10 * scale).map_err(|Singular { pivot }| {
        // Column 0 is the intercept; column i > 0 is channel i − 1.
        let which = pivot
            .checked_sub(1)
            .and_then(|i| table.channels.get(i))
            .map_or_else(|| "a channel".to_owned(), |c| format!("channel `{c}`"));
        AttributionError::Config {
            field: "exposure".into(),
            message: format!(
                "{which} reached every profile, or only ever ran together with other channels: its \
                 effect cannot be separated (group it with the channels it runs with)"
            ),
        }
    })?;
    let mut it = sol.into_iter();
    let beta = it.next().unwrap_or_default();
    let inv: Vec<Vec<f64>> = it.collect();
    // HC0 meat: Σ_S x_S x_Sᵀ Σ_{i∈S} e_i², with Σ e² = Σy² − 2ŷΣy + nŷ² per set.
    let mut meat = vec![0.0; p * p];
    for (&m, s) in &table.sets {
        let (sum, sum_sq) = outcome(s);
        let yhat: f64 = (0..p).map(|i| x(m, i) * beta[i]).sum();
        let e2 = (sum_sq - 2.0 * yhat * sum + s.profiles * yhat * yhat).max(0.0);
        for i in 0..p {
            for j in 0..p {
                meat[i * p + j] += x(m, i) * x(m, j) * e2;
            }
        }
    }
    // diag(A⁻¹ M A⁻¹), A⁻¹ symmetric: column c of A⁻¹ is inv[c].
    let var: Vec<f64> = (0..p)
        .map(|c| {
            let col = &inv[c];
            let mut v = 0.0;
            for i in 0..p {
                for j in 0..p {
                    v += col[i] * meat[i * p + j] * col[j];
                }
            }
            v.max(0.0)
        })
        .collect();
    Ok((beta, var))
}

/// Fit the additive exposure model (module docs) for check-ins and for value.
///
/// ```
/// use o2o_core::attribution::incremental::{ExposureTable, incremental};
/// // 1,000 unexposed profiles visit at 10 %, 1,000 exposed to "zalo" at 30 %.
/// let mut t = ExposureTable::new(vec!["zalo".into()]).unwrap();
/// for i in 0..1000 {
///     t.add_profile(0, if i % 10 == 0 { 1.0 } else { 0.0 }, 0.0);
///     t.add_profile(1, if i % 10 < 3 { 1.0 } else { 0.0 }, 0.0);
/// }
/// let fit = incremental(&t).unwrap();
/// assert!((fit.lifts[0].incremental - 200.0).abs() < 1e-9);
/// assert!((fit.credit.get("(baseline)").unwrap().conversions - 200.0).abs() < 1e-9);
/// ```
pub fn incremental(table: &ExposureTable) -> Result<Incremental, AttributionError> {
    if table.sets.is_empty() {
        return Err(AttributionError::Empty);
    }
    let (b, var) = fit(table, |s| (s.conversions, s.conversions_sq))?;
    let (bv, var_v) = fit(table, |s| (s.value, s.value_sq))?;
    let mut lifts = Vec::with_capacity(table.channels.len());
    for (i, ch) in table.channels.iter().enumerate() {
        let exposed: f64 = table
            .sets
            .iter()
            .filter(|(m, _)| *m >> i & 1 == 1)
            .map(|(_, s)| s.profiles)
            .sum();
        let lift = b[i + 1];
        let se = var[i + 1].sqrt() * exposed;
        let incremental = lift * exposed;
        lifts.push(ChannelLift {
            channel: ch.clone(),
            exposed,
            lift,
            incremental,
            se,
            ci: (
                incremental - 1.959_963_984_540_054 * se,
                incremental + 1.959_963_984_540_054 * se,
            ),
            incremental_value: bv[i + 1] * exposed,
            value_se: var_v[i + 1].sqrt() * exposed,
        });
    }
    let total_c: f64 = table.sets.values().map(|s| s.conversions).sum();
    let total_v: f64 = table.sets.values().map(|s| s.value).sum();
    let mut names: Vec<String> = table.channels.clone();
    let mut conv: Vec<f64> = lifts.iter().map(|l| l.incremental).collect();
    let mut value: Vec<f64> = lifts.iter().map(|l| l.incremental_value).collect();
    names.push(BASELINE.to_owned());
    conv.push(total_c - conv.iter().sum::<f64>());
    value.push(total_v - value.iter().sum::<f64>());
    Ok(Incremental {
        baseline_rate: b[0],
        lifts,
        credit: Credit::new("incremental", 1, &names, &conv, &value),
    })
}
