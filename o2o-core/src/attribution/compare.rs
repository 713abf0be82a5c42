//! Judging models against a known truth: credit per channel next to the true incremental
//! effect, and the Spearman rank correlation of each model with it. The simulator knows the
//! truth (`sim::Truth`), which is how o2o shows that data-driven models beat last touch.

use super::credit::Credit;
use super::error::AttributionError;
use super::heuristic::{self, Rule};
use super::incremental::{ExposureTable, incremental};
use super::journey::Journey;
use super::markov::markov;
use super::path_table::PathTable;
use super::shapley::shapley;
use crate::table::Table;

/// Spearman rank correlation of `x` and `y` (ties get their average rank). `None` when the
/// lengths differ, there are fewer than two points, or one side is constant.
///
/// ```
/// use o2o_core::attribution::compare::spearman;
/// assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), Some(1.0));
/// assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
/// ```
#[must_use]
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let mean = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Every model's credit per channel next to a truth, with Spearman correlations.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The channels that have a truth, in the truth's order.
    pub channels: Vec<String>,
    /// The true incremental effect per channel (e.g. incremental check-ins).
    pub truth: Vec<f64>,
    /// Each model's full credit.
    pub models: Vec<Credit>,
    /// Spearman correlation of each model's credited conversions with `truth` over `channels`
    /// (`None` when undefined, e.g. a model that credits nothing).
    pub spearman: Vec<(String, Option<f64>)>,
}

impl Comparison {
    /// The Spearman correlation of one model (`"last"`, `"markov"`, `"shapley"`…).
    #[must_use]
    pub fn spearman_of(&self, model: &str) -> Option<f64> {
        self.spearman
            .iter()
            .find(|(m, _)| m == model)
            .and_then(|(_, r)| *r)
    }

    /// An aligned table: channel × model credited conversions, the truth, and a last row with
    /// each model's Spearman correlation.
    pub fn table(&self, truth_label: &str) -> Table {
        let mut header = vec!["channel".to_owned()];
        header.extend(self.models.iter().map(label));
        header.push(truth_label.to_owned());
        let mut t = Table::new(header);
        for (k, ch) in self.channels.iter().enumerate() {
            let mut row = vec![ch.clone()];
            for m in &self.models {
                row.push(format!("{:.1}", m.get(ch).map_or(0.0, |c| c.conversions)));
            }
            row.push(format!("{:.1}", self.truth[k]));
            t.row(row);
        }
        let mut row = vec!["spearman".to_owned()];
        for (_, r) in &self.spearman {
            row.push(r.map_or("n/a".to_owned(), |r| format!("{r:.2}")));
        }
        row.push("1.00".to_owned());
        t.row(row);
        t
    }
}

fn label(c: &Credit) -> String {
    if c.model == "markov" {
        format!("markov{}", c.order)
    } else {
        c.model.clone()
    }
}

/// Run every model (first, last, last-non-direct, linear, position, time decay with a 7-day
/// half-life, Markov orders 1 and 2, Shapley, and — given the profiles' exposures — the
/// exposure-based [`incremental`](super::incremental) model) on `journeys` and compare each
/// with `truth` (`(channel, true incremental effect)` pairs).
pub fn compare_models<K: Clone>(
    journeys: &[Journey<K>],
    exposure: Option<&ExposureTable>,
    truth: &[(String, f64)],
) -> Result<Comparison, AttributionError> {
    let table = PathTable::from_journeys(journeys);
    let mut models = vec![
        heuristic::attribute(&table, Rule::First),
        heuristic::attribute(&table, Rule::Last),
        heuristic::attribute(&table, Rule::LastNonDirect),
        heuristic::attribute(&table, Rule::Linear),
        heuristic::attribute(&table, Rule::POSITION),
        heuristic::time_decay(journeys, 7 * 86_400),
    ];
    models.push(markov(&table, 1)?);
    models.push(markov(&table, 2)?);
    models.push(shapley(&table));
    if let Some(exposure) = exposure {
        models.push(incremental(exposure)?.credit);
    }
    let channels: Vec<String> = truth.iter().map(|t| t.0.clone()).collect();
    let tv: Vec<f64> = truth.iter().map(|t| t.1).collect();
    let spearman_v = models
        .iter()
        .map(|m| {
            let x: Vec<f64> = channels
                .iter()
                .map(|c| m.get(c).map_or(0.0, |c| c.conversions))
                .collect();
            (label(m), spearman(&x, &tv))
        })
        .collect();
    Ok(Comparison {
        channels,
        truth: tv,
        models,
        spearman: spearman_v,
    })
}

/// The simulator's true person behind each event, from `truth.persons` (every raw identifier
/// value a person used maps to them). Use it as the profile key to judge attribution without
/// depending on identity resolution.
#[cfg(feature = "sim")]
pub fn sim_person_of(
    truth: &crate::sim::Truth,
) -> impl Fn(&crate::event::Event) -> Option<u64> + '_ {
    let mut map: super::FastMap<(crate::event::IdKind, &str), u64> = super::fast_map();
    for p in &truth.persons {
        for id in &p.identifiers {
            map.insert((id.kind, id.value.as_str()), p.person);
        }
    }
    move |e| {
        e.identifiers()
            .iter()
            .find_map(|id| map.get(&(id.kind, id.value.as_str())).copied())
    }
}

/// Attribution on a simulated campaign judged against its truth: journeys keyed by the true
/// person (see [`sim_person_of`]), every model, and the Spearman correlation of each with the
/// true incremental check-ins per channel (`truth.channels[i].incremental_checkins`, which is
/// `incremental_visitors` × a constant, so the ranking is the same). This is what `o2o demo`
/// prints: `comparison.table("true incr. check-ins")`.
#[cfg(feature = "sim")]
pub fn compare_on_campaign(
    campaign: &crate::sim::Campaign,
    cfg: &super::JourneyConfig,
) -> Result<Comparison, AttributionError> {
    let person = sim_person_of(&campaign.truth);
    let keys: Vec<Option<u64>> = campaign.events.iter().map(person).collect();
    let journeys = super::build_journeys_keyed(&campaign.events, &keys, cfg);
    let exposure =
        ExposureTable::from_keyed_events(&campaign.events, &keys, cfg, Some(campaign.window()))?;
    let truth: Vec<(String, f64)> = campaign
        .truth
        .channels
        .iter()
        .map(|c| (c.channel.clone(), c.incremental_checkins))
        .collect();
    compare_models(&journeys, Some(&exposure), &truth)
}
