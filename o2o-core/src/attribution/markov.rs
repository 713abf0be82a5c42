//! Markov-chain attribution (Anderl et al. 2016, as in ChannelAttribution) with **exact**
//! removal effects.
//!
//! States: `start`, one state per tuple of the last k channels (consecutive repeats collapsed
//! first; the first k−1 states of a journey are shorter tuples), and the absorbing `conversion`
//! and `null`. Transition weights are the journeys that take them (conversions + nulls). The
//! conversion probability from `start` is the absorption probability into `conversion`, found by
//! solving (I − Q) x = r rather than by simulating walks, so results never drift between runs.
//! Removing a channel sends every state that contains it to `null`; its removal effect is the
//! relative drop of that probability. Credit = removal-effect share × total conversions; the
//! same with the expected value (each conversion from a state is worth the mean value of the
//! conversions observed ending there).
//!
//! # Cost: near-linear in the number of channels
//!
//! Removing channel c changes the absorption probabilities only of the states that can *reach*
//! a state containing c; every other state keeps its value from the full solve. So each removal
//! solves only the system of those ancestors, with the unchanged states as known boundary
//! values, instead of the whole chain again. The cost of channel c is its ancestor set, not the
//! number of states: when channels are many, each appears in few journeys and its ancestors are
//! few (40,000 channels of one-touch journeys: one full solve and 40,000 empty ones, against
//! 40,000 full solves before), and when the ancestors are the whole chain the channels are few.
//! The solution is the same system's solution, so results agree with a full re-solve per
//! channel to rounding (a test checks 1e-12 on random chains).

use super::credit::{Credit, RemovalEffect};
use super::error::AttributionError;
use super::linalg::{SparseRows, solve_absorbing};
use super::path_table::PathTable;
use super::{FastMap, fast_map};

/// How removal effects are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Solver {
    /// Solve the absorbing chain (deterministic, exact to rounding). Default.
    Exact,
    /// Simulate `walks` (at least 1: 0 is refused) random walks from `start` with a ChaCha8 RNG seeded by `seed`; for state
    /// spaces too large to solve. One set of walks serves every removal (a walk that visits a
    /// removed channel would have ended in `null`).
    #[cfg(any(feature = "sim", feature = "sampling"))]
    MonteCarlo {
        /// Number of walks.
        walks: u64,
        /// RNG seed.
        seed: u64,
    },
}

/// The fitted chain: transition weights over the observed states.
#[derive(Clone, Debug)]
pub struct Chain {
    order: usize,
    channels: Vec<String>,
    /// `states[s]` = tuple of channel ids for transient state s.
    states: Vec<Vec<u32>>,
    /// start → state probabilities.
    start: Vec<(usize, f64)>,
    /// Q rows: transient → transient probabilities.
    q: SparseRows,
    /// Probability of conversion from each state.
    conv: Vec<f64>,
    /// Expected value gained on that step: P(conversion | s) × mean value of conversions ending at s.
    value: Vec<f64>,
    total_conversions: f64,
    total_value: f64,
}

impl Chain {
    /// Fit a chain of `order` (1 to 4) to a path table.
    pub fn fit(table: &PathTable, order: usize) -> Result<Chain, AttributionError> {
        if !(1..=4).contains(&order) {
            return Err(AttributionError::Order(order));
        }
        let mut ids: FastMap<Vec<u32>, usize> = fast_map();
        let mut states: Vec<Vec<u32>> = Vec::new();
        let mut edges: Vec<FastMap<usize, f64>> = Vec::new();
        let mut start: FastMap<usize, f64> = fast_map();
        let (mut conv_w, mut null_w, mut val_w) = (Vec::new(), Vec::new(), Vec::new());
        let mut collapsed: Vec<u32> = Vec::new();
        // Transition probabilities do not change when every count is divided by the same
        // number; dividing by a power of two is exact. Counts near the largest double (1e308)
        // would otherwise overflow when summed into a state's weight, and the chain would give
        // NaN probabilities.
        let largest = table
            .rows()
            .iter()
            .map(|r| r.conversions.max(r.nulls))
            .fold(0.0_f64, f64::max);
        let scale = if largest > 2f64.powi(64) {
            // Brings the largest count into [1, 2); the exponent is at most 1023, so 2^−e is a
            // normal double (2^−1024 would round to zero).
            2f64.powi(-(largest.log2().floor() as i32))
        } else {
            1.0
        };
        for r in table.rows() {
            let (conversions, nulls, row_value) =
                (r.conversions * scale, r.nulls * scale, r.value * scale);
            let w = conversions + nulls;
            if w <= 0.0 || r.path.is_empty() {
                continue;
            }
            collapsed.clear();
            for &c in &r.path {
                if collapsed.last() != Some(&c) {
                    collapsed.push(c);
                }
            }
            let mut prev: Option<usize> = None;
            for i in 0..collapsed.len() {
                let lo = (i + 1).saturating_sub(order);
                let tuple = &collapsed[lo..=i];
                let s = match ids.get(tuple) {
                    Some(&s) => s,
                    None => {
                        let s = states.len();
                        states.push(tuple.to_vec());
                        ids.insert(tuple.to_vec(), s);
                        edges.push(fast_map());
                        conv_w.push(0.0);
                        null_w.push(0.0);
                        val_w.push(0.0);
                        s
                    }
                };
                match prev {
                    None => *start.entry(s).or_insert(0.0) += w,
                    Some(p) => *edges[p].entry(s).or_insert(0.0) += w,
                }
                prev = Some(s);
            }
            if let Some(last) = prev {
                conv_w[last] += conversions;
                null_w[last] += nulls;
                val_w[last] += row_value;
            }
        }
        if states.is_empty() {
            return Err(AttributionError::Empty);
        }
        // Canonical state order (sorted tuples) so that sums run in the same order every time.
        let mut order_idx: Vec<usize> = (0..states.len()).collect();
        order_idx.sort_by(|&a, &b| states[a].cmp(&states[b]));
        let mut remap = vec![0usize; states.len()];
        for (new, &old) in order_idx.iter().enumerate() {
            remap[old] = new;
        }
        let sorted = |m: &FastMap<usize, f64>| {
            let mut v: Vec<(usize, f64)> = m.iter().map(|(&k, &w)| (remap[k], w)).collect();
            v.sort_by_key(|e| e.0);
            v
        };
        let start_raw = sorted(&start);
        let start_total: f64 = start_raw.iter().map(|e| e.1).sum();
        let mut q = Vec::with_capacity(states.len());
        let (mut conv, mut value) = (Vec::new(), Vec::new());
        for &old in &order_idx {
            let e = sorted(&edges[old]);
            let out: f64 = e.iter().map(|x| x.1).sum::<f64>() + conv_w[old] + null_w[old];
            // out > 0: every state was entered with weight w > 0 and that weight leaves it
            // (to the next state or to conversion/null).
            q.push(e.into_iter().map(|(j, w)| (j, w / out)).collect());
            conv.push(conv_w[old] / out);
            value.push(val_w[old] / out);
        }
        Ok(Chain {
            order,
            channels: table.channels().to_vec(),
            states: order_idx.iter().map(|&o| states[o].clone()).collect(),
            start: start_raw
                .into_iter()
                .map(|(s, w)| (s, w / start_total))
                .collect(),
            q,
            conv,
            value,
            total_conversions: table.total_conversions(),
            total_value: table.total_value(),
        })
    }

    /// Number of transient states.
    #[must_use]
    pub fn states(&self) -> usize {
        self.states.len()
    }

    /// (P(conversion), E[value]) from `start` with the states where `removed(s)` is true sent
    /// to `null`.
    #[cfg(test)]
    fn absorb(&self, removed: &[bool]) -> Result<(f64, f64), AttributionError> {
        let n = self.states.len();
        let mut map = vec![usize::MAX; n];
        let mut keep = Vec::new();
        for s in 0..n {
            if !removed[s] {
                map[s] = keep.len();
                keep.push(s);
            }
        }
        let q: SparseRows = keep
            .iter()
            .map(|&s| {
                self.q[s]
                    .iter()
                    .filter(|(j, _)| map[*j] != usize::MAX)
                    .map(|&(j, p)| (map[j], p))
                    .collect()
            })
            .collect();
        let r = keep.iter().map(|&s| self.conv[s]).collect();
        let v = keep.iter().map(|&s| self.value[s]).collect();
        let x = solve_absorbing(&q, &[r, v]).map_err(AttributionError::Solve)?;
        let (mut p, mut e) = (0.0, 0.0);
        for &(s, w) in &self.start {
            if map[s] != usize::MAX {
                p += w * x[0][map[s]];
                e += w * x[1][map[s]];
            }
        }
        Ok((p, e))
    }

    /// Removal effects and credit, solved exactly: one full solve, then per channel a solve
    /// over the states that can reach it (see the module docs).
    pub fn attribute(&self) -> Result<Credit, AttributionError> {
        let n = self.states.len();
        let nc = self.channels.len();
        let full = self.solve_all()?;
        let start_of = |x: &[f64]| self.start.iter().map(|&(s, w)| w * x[s]).sum::<f64>();
        let (p, e) = (start_of(&full[0]), start_of(&full[1]));
        // Where each channel occurs, and who enters each state.
        let mut holding: Vec<Vec<usize>> = vec![Vec::new(); nc];
        for (s, t) in self.states.iter().enumerate() {
            for &c in t {
                // A tuple may repeat a channel (a b a): list the state once.
                let list = &mut holding[c as usize];
                if list.last() != Some(&s) {
                    list.push(s);
                }
            }
        }
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (s, row) in self.q.iter().enumerate() {
            for &(j, _) in row {
                if j != s {
                    preds[j].push(s);
                }
            }
        }
        let mut start_w = vec![0.0; n];
        for &(s, w) in &self.start {
            start_w[s] += w;
        }
        // Generation stamps (channel + 1), so the marks need no clearing between channels.
        let mut removed_at = vec![0u32; n];
        let mut local_at = vec![0u32; n];
        let mut local = vec![0usize; n];
        let mut ancestors: Vec<usize> = Vec::new();
        let mut re = Vec::with_capacity(nc);
        for (c, held) in holding.iter().enumerate() {
            // At most u32::MAX channels: ids are u32.
            let stamp = c as u32 + 1;
            for &s in held {
                removed_at[s] = stamp;
            }
            // Every state that reaches a removed one, without passing through a removed one.
            ancestors.clear();
            for &s in held {
                for &pr in &preds[s] {
                    if removed_at[pr] != stamp && local_at[pr] != stamp {
                        local_at[pr] = stamp;
                        ancestors.push(pr);
                    }
                }
            }
            let mut i = 0;
            while i < ancestors.len() {
                let s = ancestors[i];
                for &pr in &preds[s] {
                    if removed_at[pr] != stamp && local_at[pr] != stamp {
                        local_at[pr] = stamp;
                        ancestors.push(pr);
                    }
                }
                i += 1;
            }
            // A canonical order, so the sub-solve sums in the same order every run.
            ancestors.sort_unstable();
            for (k, &s) in ancestors.iter().enumerate() {
                local[s] = k;
            }
            // (I − Q_AA) x_A = r_A + Q_AB x_B: B, the states neither removed nor ancestors, keep
            // their full-solve values; removed states are null (0).
            let mut q_sub: SparseRows = Vec::with_capacity(ancestors.len());
            let mut rhs = [
                Vec::with_capacity(ancestors.len()),
                Vec::with_capacity(ancestors.len()),
            ];
            for &s in &ancestors {
                let (mut r, mut v) = (self.conv[s], self.value[s]);
                let mut row = Vec::new();
                for &(j, w) in &self.q[s] {
                    if removed_at[j] == stamp {
                        continue;
                    }
                    if local_at[j] == stamp {
                        row.push((local[j], w));
                    } else {
                        r += w * full[0][j];
                        v += w * full[1][j];
                    }
                }
                q_sub.push(row);
                rhs[0].push(r);
                rhs[1].push(v);
            }
            let x = solve_absorbing(&q_sub, &rhs).map_err(AttributionError::Solve)?;
            // P(conversion) without c: the full value, less what removed and re-solved states
            // contributed from `start`, plus their new values.
            let (mut pc, mut ec) = (p, e);
            for &s in held {
                pc -= start_w[s] * full[0][s];
                ec -= start_w[s] * full[1][s];
            }
            for (k, &s) in ancestors.iter().enumerate() {
                pc += start_w[s] * (x[0][k] - full[0][s]);
                ec += start_w[s] * (x[1][k] - full[1][s]);
            }
            re.push((rel_drop(p, pc.max(0.0)), rel_drop(e, ec.max(0.0))));
        }
        Ok(self.credit(p, &re))
    }

    /// Absorption probabilities and expected values of every state of the full chain.
    fn solve_all(&self) -> Result<Vec<Vec<f64>>, AttributionError> {
        solve_absorbing(&self.q, &[self.conv.clone(), self.value.clone()])
            .map_err(AttributionError::Solve)
    }

    /// Removal effects by re-solving the whole chain without each channel: the definition,
    /// kept to check [`Chain::attribute`] against.
    #[cfg(test)]
    pub(crate) fn attribute_by_full_resolves(&self) -> Result<Credit, AttributionError> {
        let n = self.states.len();
        let (p, e) = self.absorb(&vec![false; n])?;
        let mut re = Vec::with_capacity(self.channels.len());
        for c in 0..self.channels.len() as u32 {
            let removed: Vec<bool> = self.states.iter().map(|t| t.contains(&c)).collect();
            let (pc, ec) = self.absorb(&removed)?;
            re.push((rel_drop(p, pc), rel_drop(e, ec)));
        }
        Ok(self.credit(p, &re))
    }

    /// Removal effects and credit estimated from `walks` seeded random walks.
    #[cfg(any(feature = "sim", feature = "sampling"))]
    #[must_use]
    pub fn attribute_monte_carlo(&self, walks: u64, seed: u64) -> Credit {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let nc = self.channels.len();
        let (mut conv, mut val) = (0.0, 0.0);
        // Conversions (and value) of walks that did NOT visit channel c.
        let (mut conv_wo, mut val_wo) = (vec![0.0; nc], vec![0.0; nc]);
        let mut seen = vec![false; nc];
        let pick = |rng: &mut rand_chacha::ChaCha8Rng, row: &[(usize, f64)]| {
            let mut u: f64 = rng.random();
            for &(j, p) in row {
                if u < p {
                    return Some(j);
                }
                u -= p;
            }
            None
        };
        for _ in 0..walks {
            seen.iter_mut().for_each(|x| *x = false);
            let Some(mut s) = pick(&mut rng, &self.start).or(self.start.last().map(|e| e.0)) else {
                continue;
            };
            let mut outcome = None;
            for _ in 0..100_000 {
                for &c in &self.states[s] {
                    seen[c as usize] = true;
                }
                // One draw decides: conversion, a next state, or (the remainder) null.
                let u: f64 = rng.random();
                if u < self.conv[s] {
                    // Expected value of a conversion from s.
                    outcome = Some(self.value[s] / self.conv[s]);
                    break;
                }
                let mut rest = u - self.conv[s];
                let mut next = None;
                for &(j, p) in &self.q[s] {
                    if rest < p {
                        next = Some(j);
                        break;
                    }
                    rest -= p;
                }
                match next {
                    Some(j) => s = j,
                    None => break,
                }
            }
            if let Some(v) = outcome {
                conv += 1.0;
                val += v;
                for c in 0..nc {
                    if !seen[c] {
                        conv_wo[c] += 1.0;
                        val_wo[c] += v;
                    }
                }
            }
        }
        let re: Vec<(f64, f64)> = (0..nc)
            .map(|c| (rel_drop(conv, conv_wo[c]), rel_drop(val, val_wo[c])))
            .collect();
        let w = walks.max(1) as f64;
        self.credit(conv / w, &re)
    }

    fn credit(&self, p: f64, re: &[(f64, f64)]) -> Credit {
        let sc: f64 = re.iter().map(|r| r.0).sum();
        let sv: f64 = re.iter().map(|r| r.1).sum();
        let share = |x: f64, s: f64| if s > 0.0 { x / s } else { 0.0 };
        let conv: Vec<f64> = re
            .iter()
            .map(|r| share(r.0, sc) * self.total_conversions)
            .collect();
        let value: Vec<f64> = re
            .iter()
            .map(|r| share(r.1, sv) * self.total_value)
            .collect();
        let mut credit = Credit::new("markov", self.order, &self.channels, &conv, &value);
        credit.removal_effects = Some(
            self.channels
                .iter()
                .zip(re)
                .map(|(c, &(rc, rv))| RemovalEffect {
                    channel: c.clone(),
                    conversion: rc,
                    value: rv,
                })
                .collect(),
        );
        credit.p_conversion = Some(p);
        credit
    }
}

fn rel_drop(full: f64, removed: f64) -> f64 {
    if full > 0.0 {
        (1.0 - removed / full).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Markov attribution of order `order` (1 to 4), removal effects solved exactly.
///
/// ```
/// use o2o_core::attribution::{PathTable, markov::markov};
/// let t = PathTable::parse_str("path;total_conversions;total_null\na > b;1;1\nb;0;1\n", ">").unwrap().table;
/// let c = markov(&t, 1).unwrap();
/// // P(conv) = P(conv | b) = 1/3 (b is always last); without a: 1/3 · 1/3 = 1/9, so RE(a) = 2/3;
/// // without b nothing converts, RE(b) = 1. a gets (2/3) / (5/3) = 0.4 of the one conversion.
/// assert!((c.p_conversion.unwrap() - 1.0 / 3.0).abs() < 1e-12);
/// assert!((c.get("a").unwrap().conversions - 0.4).abs() < 1e-12);
/// ```
pub fn markov(table: &PathTable, order: usize) -> Result<Credit, AttributionError> {
    Chain::fit(table, order)?.attribute()
}

/// Markov attribution with an explicit [`Solver`].
pub fn markov_with(
    table: &PathTable,
    order: usize,
    solver: Solver,
) -> Result<Credit, AttributionError> {
    let chain = Chain::fit(table, order)?;
    match solver {
        Solver::Exact => chain.attribute(),
        #[cfg(any(feature = "sim", feature = "sampling"))]
        Solver::MonteCarlo { walks: 0, .. } => Err(AttributionError::Config {
            field: "walks".into(),
            message: "0 random walks estimate nothing: give at least 1 (or solve exactly)".into(),
        }),
        #[cfg(any(feature = "sim", feature = "sampling"))]
        Solver::MonteCarlo { walks, seed } => Ok(chain.attribute_monte_carlo(walks, seed)),
    }
}
