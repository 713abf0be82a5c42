//! The trained model and the run: score every candidate pair, keep those at or above the
//! threshold, and explain any pair's weight field by field.

use super::MatchError;
use super::blocking::{split, union_pairs};
use super::compare::{Compiled, NULL_LEVEL};
use super::records::Records;
use super::settings::MatchSettings;
use super::train::{self, Patterns, Table, gamma};
use crate::identity::{FieldWeight, Waterfall};
use serde::Serialize;

/// The Fellegi–Sunter parameters of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    /// The prior probability that two random records match.
    pub probability_two_random_records_match: f64,
    /// Per comparison, its levels' parameters.
    pub comparisons: Vec<ComparisonParameters>,
}

/// One comparison's parameters.
#[derive(Clone, Debug, Serialize)]
pub struct ComparisonParameters {
    /// The field.
    pub field: String,
    /// Its levels, `else` last.
    pub levels: Vec<LevelParameters>,
}

/// One level's parameters.
#[derive(Clone, Debug, Serialize)]
pub struct LevelParameters {
    /// The level (`exact`, `jaro_winkler >= 0.92`, …, `else`).
    pub level: String,
    /// The chance that two records of one person fall in it.
    pub m: f64,
    /// The chance that two records of different people fall in it.
    pub u: f64,
    /// log2(m / u).
    pub weight: f64,
}

/// A pair at or above the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScoredPair {
    /// One record (its number in [`Records`]); `a < b`.
    pub a: u32,
    /// The other.
    pub b: u32,
    /// The match weight.
    pub match_weight: f64,
}

/// What a run counted.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MatchStats {
    /// Records read.
    pub records: u64,
    /// Candidate pairs from the blocking rules.
    pub candidate_pairs: u64,
    /// Pairs each blocking rule found that no earlier rule had.
    pub pairs_per_rule: Vec<u64>,
    /// Pairs at or above the threshold.
    pub matches: u64,
}

/// The result of [`run`]: the model, the matched pairs (sorted by record numbers) and counts.
pub struct MatchRun<'a> {
    /// The estimated parameters.
    pub model: Model,
    /// Pairs at or above the threshold.
    pub pairs: Vec<ScoredPair>,
    /// Counts.
    pub stats: MatchStats,
    records: &'a Records,
    comps: Vec<Compiled<'a>>,
    m: Table,
    u: Table,
    prior: f64,
}

/// log2(p / (1 - p)).
fn logit2(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// Train the model on `records` and score the candidate pairs.
///
/// ```
/// use o2o_core::matching::{MatchSettings, Records, run};
/// let settings = MatchSettings::from_json(r#"{"unique_id_column": "id",
///   "blocking_rules": [{"on": ["zip"]}],
///   "comparisons": [
///     {"field": "name", "levels": [{"kind": "exact"}, {"kind": "jaro_winkler", "threshold": 0.9}]},
///     {"field": "dob", "levels": [{"kind": "exact"}]}],
///   "training": {"probability_two_random_records_match": 0.2}}"#).unwrap();
/// let csv = "id,name,dob,zip\n1,martha,19800101,1\n2,marhta,19800101,1\n3,bob,19750505,1\n4,al,19600101,2\n";
/// let records = Records::from_csv(csv.as_bytes(), "people.csv", &settings).unwrap();
/// let result = run(&settings, &records).unwrap();
/// assert_eq!(result.pairs.len(), 1);
/// assert_eq!((records.id(result.pairs[0].a as usize), records.id(result.pairs[0].b as usize)), ("1", "2"));
/// let w = result.waterfall(0, 1);
/// assert_eq!(w.fields[0].level, "jaro_winkler >= 0.9");
/// ```
pub fn run<'a>(
    settings: &'a MatchSettings,
    records: &'a Records,
) -> Result<MatchRun<'a>, MatchError> {
    if records.len() < 2 {
        return Err(MatchError::NoRecords(records.len()));
    }
    let comps = settings
        .comparisons
        .iter()
        .map(|c| Compiled::new(c, records))
        .collect::<Result<Vec<_>, _>>()?;
    let (candidates, pairs_per_rule) = union_pairs(
        records,
        &settings.blocking_rules,
        settings.link_type,
        settings.max_pairs,
    )?;
    let (sampled, n_sampled) = train::estimate_u(records, &comps, settings);
    let start = train::estimate_prior(records, settings, None)?;
    let sessions = train::Sessions::new(records, &comps, settings)?;
    let m = sessions.estimate_m(records, &comps, settings, &sampled, start)?;
    // Random pairs hold a share `start` of matches, which fall mostly in the strong levels:
    // take their expected part out of `u`, then estimate `m` again against it.
    let u = train::without_matches(&sampled, &m, start, n_sampled);
    let m = sessions.estimate_m(records, &comps, settings, &u, start)?;
    let t = &settings.training;
    let prior =
        if t.probability_two_random_records_match.is_none() && t.deterministic_rules.is_empty() {
            let pairs: Vec<(u32, u32)> = candidates.iter().map(|&p| split(p)).collect();
            let patterns = Patterns::of(records, &comps, &pairs);
            train::estimate_prior(records, settings, Some((&patterns, &m, &u)))?
        } else {
            start
        };
    let mut run = MatchRun {
        model: Model {
            probability_two_random_records_match: prior,
            comparisons: Vec::new(),
        },
        pairs: Vec::new(),
        stats: MatchStats {
            records: records.len() as u64,
            candidate_pairs: candidates.len() as u64,
            pairs_per_rule,
            matches: 0,
        },
        records,
        comps,
        m,
        u,
        prior,
    };
    run.model.comparisons = run.parameters();
    run.pairs = run.score(&candidates, settings.threshold);
    run.stats.matches = run.pairs.len() as u64;
    Ok(run)
}

impl MatchRun<'_> {
    fn parameters(&self) -> Vec<ComparisonParameters> {
        self.comps
            .iter()
            .enumerate()
            .map(|(c, comp)| ComparisonParameters {
                field: comp.spec.field.clone(),
                levels: (1..=comp.else_level())
                    .map(|l| {
                        let (m, u) = (self.m[c][l as usize], self.u[c][l as usize]);
                        LevelParameters {
                            level: comp.label(l),
                            m,
                            u,
                            weight: (m / u).log2(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    /// Score `candidates`, keeping those at or above `threshold`.
    fn score(&self, candidates: &[u64], threshold: f64) -> Vec<ScoredPair> {
        // Level weights looked up, not recomputed, per pair.
        let weights: Vec<Vec<f64>> = self
            .m
            .iter()
            .zip(&self.u)
            .map(|(m, u)| {
                m.iter()
                    .zip(u)
                    .enumerate()
                    .map(|(l, (m, u))| if l == 0 { 0.0 } else { (m / u).log2() })
                    .collect()
            })
            .collect();
        let base = logit2(self.prior);
        let mut v = vec![0u8; self.comps.len()];
        let mut out = Vec::new();
        for &p in candidates {
            let (a, b) = split(p);
            gamma(self.records, &self.comps, a, b, &mut v);
            let mut w = base;
            for (c, &l) in v.iter().enumerate() {
                w += weights[c][l as usize] + self.tf_adjustment(c, l, a, b);
            }
            if w >= threshold {
                out.push(ScoredPair {
                    a,
                    b,
                    match_weight: w,
                });
            }
        }
        out
    }

    /// What the rarity of the shared value adds to comparison `c` at level `l`.
    #[inline]
    fn tf_adjustment(&self, c: usize, l: u8, a: u32, b: u32) -> f64 {
        if !self.comps[c].tf_level(l) {
            return 0.0;
        }
        let col = &self.records.columns[self.comps[c].column];
        let tf = col
            .frequency(col.of[a as usize])
            .max(col.frequency(col.of[b as usize]));
        (self.u[c][l as usize] / tf).log2()
    }

    /// The waterfall of any pair of records (numbers in [`Records`]), matched or not.
    #[must_use]
    pub fn waterfall(&self, a: u32, b: u32) -> Waterfall {
        let mut v = vec![0u8; self.comps.len()];
        gamma(self.records, &self.comps, a, b, &mut v);
        let prior = logit2(self.prior);
        let mut total = prior;
        let fields = v
            .iter()
            .enumerate()
            .map(|(c, &l)| {
                let (m, u) = (self.m[c][l as usize], self.u[c][l as usize]);
                let null = l == NULL_LEVEL;
                let weight = if null { 0.0 } else { (m / u).log2() };
                let tf_adjustment = self.tf_adjustment(c, l, a, b);
                total += weight + tf_adjustment;
                FieldWeight {
                    field: self.comps[c].spec.field.clone(),
                    level: self.comps[c].label(l),
                    m: (!null).then_some(m),
                    u: (!null).then_some(u),
                    weight,
                    tf_adjustment,
                }
            })
            .collect();
        Waterfall {
            prior,
            fields,
            match_weight: total,
            probability: probability(total),
        }
    }
}

/// The match probability of a match weight.
#[must_use]
pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}
