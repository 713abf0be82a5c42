//! Shapley-value attribution over the game v(S) = conversions (or value) of the journeys whose
//! channel set is contained in S.
//!
//! This v is a sum of unanimity games: v(S) = Σ_{T ⊆ S} f(T), where f(T) is what the journeys
//! with channel set exactly T converted. f is the Möbius transform (Harsanyi dividends) of v, so
//! the Shapley value is φ_i = Σ_{T ∋ i} f(T) / |T| — exact in O(distinct channel sets), for any
//! number of channels. [`shapley_coalitions`] computes the same numbers the textbook way, by
//! enumerating all 2ⁿ coalitions with v built by a subset-sum (zeta) transform over bitmasks
//! (n ≤ 20), and [`shapley_sampled`] estimates them from seeded random permutations; tests check
//! the three agree and match a brute-force scan of the data.

use super::credit::Credit;
use super::error::AttributionError;
use super::path_table::PathTable;
use super::{FastMap, fast_map};

/// Most channels [`shapley_coalitions`] enumerates (2²⁰ coalitions × 8 bytes × 2 games = 16 MiB).
pub const MAX_EXACT_CHANNELS: usize = 20;

/// Distinct channel sets (sorted ids) with their conversions and value, in canonical order.
fn channel_sets(table: &PathTable) -> Vec<(Vec<u32>, f64, f64)> {
    let mut m: FastMap<Vec<u32>, (f64, f64)> = fast_map();
    for r in table.rows() {
        if r.conversions == 0.0 && r.value == 0.0 {
            continue;
        }
        let mut set = r.path.clone();
        set.sort_unstable();
        set.dedup();
        let e = m.entry(set).or_insert((0.0, 0.0));
        e.0 += r.conversions;
        e.1 += r.value;
    }
    let mut v: Vec<(Vec<u32>, f64, f64)> = m.into_iter().map(|(k, (c, x))| (k, c, x)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Exact Shapley credit through the Harsanyi dividends: each channel set's conversions and
/// value are split equally among its channels. Works for any number of channels.
///
/// ```
/// use o2o_core::attribution::{PathTable, shapley::shapley};
/// let t = PathTable::parse_str("path;total_conversions\na > b > a;2\na;1\n", ">").unwrap().table;
/// let c = shapley(&t);
/// assert_eq!(c.get("a").unwrap().conversions, 2.0);
/// assert_eq!(c.get("b").unwrap().conversions, 1.0);
/// ```
#[must_use]
pub fn shapley(table: &PathTable) -> Credit {
    let n = table.channels().len();
    let (mut conv, mut value) = (vec![0.0; n], vec![0.0; n]);
    for (set, c, v) in channel_sets(table) {
        let k = set.len() as f64;
        for &i in &set {
            conv[i as usize] += c / k;
            value[i as usize] += v / k;
        }
    }
    Credit::new("shapley", 1, table.channels(), &conv, &value)
}

/// Exact Shapley credit by enumerating every coalition: v is built for all 2ⁿ coalitions by a
/// subset-sum transform of the channel-set totals (O(2ⁿ·n), independent of the data size), then
/// φ_i = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)). At most [`MAX_EXACT_CHANNELS`].
pub fn shapley_coalitions(table: &PathTable) -> Result<Credit, AttributionError> {
    let n = table.channels().len();
    if n > MAX_EXACT_CHANNELS {
        return Err(AttributionError::TooManyChannels {
            max: MAX_EXACT_CHANNELS,
            got: n,
        });
    }
    let size = 1usize << n;
    let (mut vc, mut vv) = (vec![0.0; size], vec![0.0; size]);
    for (set, c, v) in channel_sets(table) {
        let mask = set.iter().fold(0usize, |m, &i| m | (1 << i));
        vc[mask] += c;
        vv[mask] += v;
    }
    // Zeta transform: v(S) = Σ_{T ⊆ S} f(T).
    for i in 0..n {
        let bit = 1 << i;
        for s in 0..size {
            if s & bit != 0 {
                vc[s] += vc[s ^ bit];
                vv[s] += vv[s ^ bit];
            }
        }
    }
    // weight[k] = k!(n−k−1)!/n!, built by the ratio weight[k+1]/weight[k] = (k+1)/(n−k−1).
    let mut weight = vec![0.0; n.max(1)];
    if n > 0 {
        weight[0] = 1.0 / n as f64;
        for k in 0..n - 1 {
            weight[k + 1] = weight[k] * (k + 1) as f64 / (n - k - 1) as f64;
        }
    }
    let (mut conv, mut value) = (vec![0.0; n], vec![0.0; n]);
    for s in 0..size {
        let k = s.count_ones() as usize;
        for i in 0..n {
            if s & (1 << i) == 0 {
                let w = weight[k];
                conv[i] += w * (vc[s | 1 << i] - vc[s]);
                value[i] += w * (vv[s | 1 << i] - vv[s]);
            }
        }
    }
    Ok(Credit::new("shapley", 1, table.channels(), &conv, &value))
}

/// Shapley credit estimated from `permutations` random channel orders (ChaCha8 seeded by
/// `seed`): in each order a channel set's conversions go to its member that arrives last (the
/// one whose arrival completes it). Unbiased; the error shrinks as 1/√permutations. For games
/// too large to enumerate; with this v the exact [`shapley`] is always available too.
#[cfg(any(feature = "sim", feature = "sampling"))]
#[must_use]
pub fn shapley_sampled(table: &PathTable, permutations: u64, seed: u64) -> Credit {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    let n = table.channels().len();
    let sets = channel_sets(table);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<u32> = (0..n as u32).collect();
    let mut pos = vec![0usize; n];
    let (mut conv, mut value) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..permutations {
        perm.shuffle(&mut rng);
        for (k, &c) in perm.iter().enumerate() {
            pos[c as usize] = k;
        }
        for (set, c, v) in &sets {
            if let Some(&last) = set.iter().max_by_key(|&&i| pos[i as usize]) {
                conv[last as usize] += c;
                value[last as usize] += v;
            }
        }
    }
    let m = permutations.max(1) as f64;
    conv.iter_mut().for_each(|x| *x /= m);
    value.iter_mut().for_each(|x| *x /= m);
    Credit::new("shapley-sampled", 1, table.channels(), &conv, &value)
}

/// Ordered Shapley: each channel's Shapley credit split by the position at which the channel
/// first appears in the journey (1 = it opened the journey). `positions[k]` holds the credit
/// earned at position k+1; their sum is the channel's [`shapley`] credit.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OrderedCredit {
    /// Channel name.
    pub channel: String,
    /// Conversions credited at each first-appearance position.
    pub positions: Vec<f64>,
    /// Value credited at each first-appearance position.
    pub value_positions: Vec<f64>,
}

/// The ordered Shapley variant (see [`OrderedCredit`]).
///
/// ```
/// use o2o_core::attribution::{PathTable, shapley::shapley_ordered};
/// let t = PathTable::parse_str("path;total_conversions\na > b;2\nb > a;2\n", ">").unwrap().table;
/// let o = shapley_ordered(&t);
/// assert_eq!(o[0].channel, "a");
/// assert_eq!(o[0].positions, vec![1.0, 1.0]);
/// ```
#[must_use]
pub fn shapley_ordered(table: &PathTable) -> Vec<OrderedCredit> {
    let n = table.channels().len();
    let mut out: Vec<OrderedCredit> = table
        .channels()
        .iter()
        .map(|c| OrderedCredit {
            channel: c.clone(),
            positions: Vec::new(),
            value_positions: Vec::new(),
        })
        .collect();
    let mut first: Vec<u32> = Vec::with_capacity(n);
    for r in table.rows() {
        first.clear();
        for &c in &r.path {
            if !first.contains(&c) {
                first.push(c);
            }
        }
        let k = first.len() as f64;
        for (p, &c) in first.iter().enumerate() {
            let o = &mut out[c as usize];
            if o.positions.len() <= p {
                o.positions.resize(p + 1, 0.0);
                o.value_positions.resize(p + 1, 0.0);
            }
            o.positions[p] += r.conversions / k;
            o.value_positions[p] += r.value / k;
        }
    }
    out
}
