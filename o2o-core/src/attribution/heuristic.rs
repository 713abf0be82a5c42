//! Rule-based models: who gets the credit is decided by position alone.
//!
//! They need no model fitting and are easy to explain, which is why ad platforms report them;
//! but they credit *being there*, not *causing*: a channel that shows many impressions to people
//! who would have come anyway collects credit (see `docs/attribution.md`).

use super::credit::Credit;
use super::journey::Journey;
use super::path_table::PathTable;

/// The name of the organic channel that last-non-direct skips (the simulator's organic visits).
pub const DIRECT: &str = "direct";

/// A position rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// All credit to the first touch.
    First,
    /// All credit to the last touch.
    Last,
    /// All credit to the last touch whose channel is not [`DIRECT`]; to `direct` only when the
    /// path has nothing else.
    LastNonDirect,
    /// Equal credit to every touch (repeats count, as in ChannelAttribution).
    Linear,
    /// `first` to the first touch, `last` to the last, the rest shared by the middle touches;
    /// two touches split 50/50 and one touch takes everything.
    Position {
        /// Share of the first touch (default 0.4).
        first: f64,
        /// Share of the last touch (default 0.4).
        last: f64,
    },
}

impl Rule {
    /// The 40/20/40 position rule.
    pub const POSITION: Rule = Rule::Position {
        first: 0.4,
        last: 0.4,
    };

    /// The model name used on the command line and in JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::First => "first",
            Rule::Last => "last",
            Rule::LastNonDirect => "last-non-direct",
            Rule::Linear => "linear",
            Rule::Position { .. } => "position",
        }
    }

    /// Weights of each touch of `path` (summing to 1), written into `w`.
    fn weights(self, path: &[u32], direct: Option<u32>, w: &mut Vec<f64>) {
        let n = path.len();
        w.clear();
        w.resize(n, 0.0);
        if n == 0 {
            return;
        }
        match self {
            Rule::First => w[0] = 1.0,
            Rule::Last => w[n - 1] = 1.0,
            Rule::LastNonDirect => {
                let k = path
                    .iter()
                    .rposition(|&c| Some(c) != direct)
                    .unwrap_or(n - 1);
                w[k] = 1.0;
            }
            Rule::Linear => w.iter_mut().for_each(|x| *x = 1.0 / n as f64),
            Rule::Position { first, last } => match n {
                1 => w[0] = 1.0,
                2 => {
                    w[0] = 0.5;
                    w[1] = 0.5;
                }
                _ => {
                    let mid = (1.0 - first - last) / (n - 2) as f64;
                    w.iter_mut().for_each(|x| *x = mid);
                    w[0] = first;
                    w[n - 1] = last;
                }
            },
        }
    }
}

/// Credit of a position rule over a path table.
///
/// ```
/// use o2o_core::attribution::{PathTable, heuristic::{attribute, Rule}};
/// let t = PathTable::parse_str("path;total_conversions;total_conversion_value\na > b > c;1;10\n", ">").unwrap().table;
/// let c = attribute(&t, Rule::POSITION);
/// assert!((c.get("a").unwrap().value - 4.0).abs() < 1e-12);
/// assert!((c.get("b").unwrap().value - 2.0).abs() < 1e-12);
/// ```
#[must_use]
pub fn attribute(table: &PathTable, rule: Rule) -> Credit {
    let n = table.channels().len();
    let direct = table.channel_id(DIRECT);
    let (mut conv, mut value) = (vec![0.0; n], vec![0.0; n]);
    let mut w = Vec::new();
    for r in table.rows() {
        rule.weights(&r.path, direct, &mut w);
        for (&c, &x) in r.path.iter().zip(&w) {
            // Path ids index the channel list (canonical table invariant).
            conv[c as usize] += x * r.conversions;
            value[c as usize] += x * r.value;
        }
    }
    Credit::new(rule.name(), 1, table.channels(), &conv, &value)
}

/// Time-decay credit over converted journeys: a touch Δt seconds before the check-in weighs
/// 2^(−Δt / half_life); weights are normalised per journey. Needs timestamps, so it runs on
/// journeys rather than on a path table.
///
/// ```
/// use o2o_core::attribution::{Journey, Touch, heuristic::time_decay};
/// use o2o_core::event::TouchAction;
/// let t = |c: &str, ts| Touch { channel: c.into(), action: TouchAction::Click, timestamp: ts };
/// let j = Journey { profile: 1u64, touches: vec![t("a", 0), t("b", 100)], converted: true, end: 100, value: 3.0 };
/// let c = time_decay(&[j], 100);
/// assert!((c.get("b").unwrap().conversions - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn time_decay<K>(journeys: &[Journey<K>], half_life_secs: i64) -> Credit {
    let h = half_life_secs.max(1) as f64;
    let mut names: Vec<String> = journeys
        .iter()
        .flat_map(|j| j.touches.iter().map(|t| t.channel.clone()))
        .collect();
    names.sort();
    names.dedup();
    let (mut conv, mut value) = (vec![0.0; names.len()], vec![0.0; names.len()]);
    let mut w = Vec::new();
    for j in journeys
        .iter()
        .filter(|j| j.converted && !j.touches.is_empty())
    {
        // Weights relative to the most recent touch (weight 1), so that a long gap cannot
        // underflow every weight to zero.
        let newest = j.touches.iter().map(|t| t.timestamp).max().unwrap_or(j.end);
        w.clear();
        w.extend(
            j.touches
                .iter()
                .map(|t| (-((newest - t.timestamp).max(0) as f64) / h).exp2()),
        );
        let total: f64 = w.iter().sum();
        for (t, &x) in j.touches.iter().zip(&w) {
            if let Ok(k) = names.binary_search(&t.channel) {
                conv[k] += x / total;
                value[k] += x / total * j.value;
            }
        }
    }
    Credit::new("time-decay", 1, &names, &conv, &value)
}
