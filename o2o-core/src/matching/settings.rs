//! The settings of a matching run, as data a user reads and versions (JSON or TOML): which
//! records to compare (blocking rules), how to compare them (comparisons, each a list of levels),
//! how to train the model, and the match-weight threshold.
//!
//! Every reader refuses an unknown field and names it with its path
//! (`comparisons[2].levels[0].treshold`), so a misspelt setting is never silently ignored.

use super::MatchError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Whether records are compared within one data set, or only across two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    /// Every record may be a duplicate of any other.
    #[default]
    DedupeOnly,
    /// Only pairs from two different sources (`source_column`) are compared.
    LinkOnly,
}

/// A blocking rule: only pairs that agree exactly on every field of `on` are compared. With
/// `swap`, the first two fields of `on` are crossed (`l.given_name = r.surname and l.surname =
/// r.given_name`, the others compared straight), for names written in the other order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingRule {
    /// The fields (at most four; at least two with `swap`).
    pub on: Vec<String>,
    /// Cross the two fields.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub swap: bool,
}

impl BlockingRule {
    /// A rule on `fields`.
    #[must_use]
    pub fn on(fields: &[&str]) -> Self {
        BlockingRule {
            on: fields.iter().map(|f| (*f).to_owned()).collect(),
            swap: false,
        }
    }

    /// How a report names it: `given_name & surname`, `given_name ~ surname` when swapped.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.swap {
            let mut s = format!("{} ~ {}", self.on[0], self.on[1]);
            for f in &self.on[2..] {
                s.push_str(" & ");
                s.push_str(f);
            }
            s
        } else {
            self.on.join(" & ")
        }
    }
}

/// One level of a comparison: a pair is at the first level whose test it passes, or at `else`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Level {
    /// The two values are equal. With `term_frequency`, agreement on a rare value weighs more
    /// than agreement on a common one (the value's frequency replaces the level's `u`).
    Exact {
        /// Adjust for the value's frequency.
        #[serde(default)]
        term_frequency: bool,
    },
    /// Jaro–Winkler similarity at least `threshold` (0 to 1).
    JaroWinkler {
        /// The similarity threshold.
        threshold: f64,
    },
    /// Levenshtein distance at most `max`.
    Levenshtein {
        /// The distance threshold.
        max: usize,
    },
    /// Damerau–Levenshtein distance (transpositions count one edit) at most `max`.
    DamerauLevenshtein {
        /// The distance threshold.
        max: usize,
    },
    /// Both values are dates (`YYYYMMDD` or `YYYY-MM-DD`) at most `within_days` apart.
    Date {
        /// The distance threshold, in days (30.4375 is a month, 365.25 a year).
        within_days: f64,
    },
    /// Both values are numbers at most `within` apart.
    Numeric {
        /// The absolute difference threshold.
        within: f64,
    },
    /// Both values are numbers differing by at most `within_percent` of the larger magnitude.
    NumericPercent {
        /// The relative difference threshold, in percent.
        within_percent: f64,
    },
}

impl Level {
    /// How the waterfall names the level.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Level::Exact { .. } => "exact".to_owned(),
            Level::JaroWinkler { threshold } => format!("jaro_winkler >= {threshold}"),
            Level::Levenshtein { max } => format!("levenshtein <= {max}"),
            Level::DamerauLevenshtein { max } => format!("damerau_levenshtein <= {max}"),
            Level::Date { within_days } => format!("date within {within_days} days"),
            Level::Numeric { within } => format!("numeric within {within}"),
            Level::NumericPercent { within_percent } => {
                format!("numeric within {within_percent}%")
            }
        }
    }
}

/// How one field is compared: its levels, strongest first, and an implicit `else` level for
/// pairs that pass none. A pair where either value is missing is at the `null` level, which
/// weighs nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// The field (a CSV column, or a store attribute such as `first_name`).
    pub field: String,
    /// The levels, strongest first.
    pub levels: Vec<Level>,
    /// A value that is not a valid date (for comparisons with a `date` level) counts as missing.
    #[serde(default)]
    pub invalid_dates_as_null: bool,
}

/// How the model's parameters are estimated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// Random pairs sampled to estimate each level's `u` (the chance that two different
    /// people's records fall in it). When the data has fewer pairs, every pair is used.
    #[serde(default = "default_u_pairs")]
    pub u_pairs: u64,
    /// Seed of the sampling RNG (ChaCha8): same data and seed, same model.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Blocking rules of the expectation–maximisation sessions that estimate each level's `m`
    /// (the chance that two records of one person fall in it). A comparison on a field of a
    /// session's rule is not estimated in that session; each `m` is the mean over the sessions
    /// that estimate it. Empty: one session per prediction blocking rule.
    #[serde(default)]
    pub em_blocking_rules: Vec<BlockingRule>,
    /// EM iterations at most, per session.
    #[serde(default = "default_iterations")]
    pub max_iterations: u32,
    /// EM stops when no parameter moves by more than this.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// The prior probability that two random records match. When absent it is estimated:
    /// from `deterministic_rules` and `recall` when given (pairs they find, divided by recall),
    /// otherwise by EM over the candidate pairs with `m` and `u` fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_two_random_records_match: Option<f64>,
    /// Rules whose pairs are almost all matches, for the prior.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deterministic_rules: Vec<BlockingRule>,
    /// The share of all matches the deterministic rules are thought to find.
    #[serde(default = "default_recall")]
    pub recall: f64,
}

fn default_u_pairs() -> u64 {
    1_000_000
}
fn default_seed() -> u64 {
    42
}
fn default_iterations() -> u32 {
    25
}
fn default_tolerance() -> f64 {
    1e-4
}
fn default_recall() -> f64 {
    1.0
}
fn default_max_pairs() -> u64 {
    50_000_000
}

impl Default for Training {
    fn default() -> Self {
        Training {
            u_pairs: default_u_pairs(),
            seed: default_seed(),
            em_blocking_rules: Vec::new(),
            max_iterations: default_iterations(),
            tolerance: default_tolerance(),
            probability_two_random_records_match: None,
            deterministic_rules: Vec::new(),
            recall: default_recall(),
        }
    }
}

/// The settings of a matching run.
///
/// ```
/// use o2o_core::matching::MatchSettings;
/// let s = MatchSettings::from_json(r#"{
///   "blocking_rules": [{"on": ["surname"]}, {"on": ["date_of_birth"]}],
///   "comparisons": [
///     {"field": "given_name", "levels": [{"kind": "exact", "term_frequency": true},
///                                        {"kind": "jaro_winkler", "threshold": 0.88}]},
///     {"field": "date_of_birth", "levels": [{"kind": "exact"}, {"kind": "date", "within_days": 365.25}]}
///   ],
///   "threshold": 0.0
/// }"#).unwrap();
/// assert_eq!(s.comparisons.len(), 2);
/// let err = MatchSettings::from_json(r#"{"blocking_rules": [], "comparisons": [], "treshold": 1}"#)
///     .unwrap_err();
/// assert!(err.to_string().contains("treshold"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSettings {
    /// Deduplicate one data set, or link two.
    #[serde(default)]
    pub link_type: LinkType,
    /// The CSV column holding each record's id.
    #[serde(default = "default_id_column")]
    pub unique_id_column: String,
    /// The CSV column naming each record's source (two values), for `link_only`.
    #[serde(default = "default_source_column")]
    pub source_column: String,
    /// Only pairs found by at least one rule are compared.
    pub blocking_rules: Vec<BlockingRule>,
    /// One per field compared.
    pub comparisons: Vec<Comparison>,
    /// Pairs whose match weight (log2 of the odds of a match, the prior included) is at least
    /// this are matches. 0 is a probability of one half.
    #[serde(default)]
    pub threshold: f64,
    /// Blocking refuses to generate more candidate pairs than this (a rule on a field most
    /// records share would compare nearly all pairs).
    #[serde(default = "default_max_pairs")]
    pub max_pairs: u64,
    /// Parameter estimation.
    #[serde(default)]
    pub training: Training,
}

fn default_id_column() -> String {
    "unique_id".to_owned()
}
fn default_source_column() -> String {
    "source_dataset".to_owned()
}

impl MatchSettings {
    /// Parse JSON settings; an unknown or mistyped field is an error naming its path.
    pub fn from_json(text: &str) -> Result<Self, MatchError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let s: MatchSettings =
            serde_path_to_error::deserialize(de).map_err(|e| MatchError::Settings {
                file: String::new(),
                message: format!("{} (at `{}`)", e.inner(), e.path()),
            })?;
        s.validate()?;
        Ok(s)
    }

    /// Parse TOML settings; an unknown or mistyped field is an error naming it and its line.
    pub fn from_toml(text: &str) -> Result<Self, MatchError> {
        let s: MatchSettings = toml::from_str(text).map_err(|e| MatchError::Settings {
            file: String::new(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        s.validate()?;
        Ok(s)
    }

    /// Read settings from a file: TOML when its name ends in `.toml`, JSON otherwise.
    pub fn from_path(path: &Path) -> Result<Self, MatchError> {
        let text = std::fs::read_to_string(path).map_err(|e| MatchError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let parsed = if path.extension().is_some_and(|e| e == "toml") {
            Self::from_toml(&text)
        } else {
            Self::from_json(&text)
        };
        parsed.map_err(|e| match e {
            MatchError::Settings { message, .. } => MatchError::Settings {
                file: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// Every field the settings read (blocking rules and comparisons), without repeats, in
    /// order of first mention.
    #[must_use]
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let rules = self
            .blocking_rules
            .iter()
            .chain(&self.training.em_blocking_rules)
            .chain(&self.training.deterministic_rules);
        for f in rules
            .flat_map(|r| r.on.iter())
            .chain(self.comparisons.iter().map(|c| &c.field))
        {
            if !out.contains(&f.as_str()) {
                out.push(f);
            }
        }
        out
    }

    /// Check what the types cannot: rule shapes, thresholds in range, a comparison per field.
    fn validate(&self) -> Result<(), MatchError> {
        let bad = |message: String| {
            Err(MatchError::Settings {
                file: String::new(),
                message,
            })
        };
        if self.comparisons.is_empty() {
            return bad("`comparisons` is empty: nothing to compare".to_owned());
        }
        if self.blocking_rules.is_empty() {
            return bad(
                "`blocking_rules` is empty: o2o never compares every pair (add a rule)".to_owned(),
            );
        }
        let rules = [
            ("blocking_rules", &self.blocking_rules),
            (
                "training.em_blocking_rules",
                &self.training.em_blocking_rules,
            ),
            (
                "training.deterministic_rules",
                &self.training.deterministic_rules,
            ),
        ];
        for (name, list) in rules {
            for (i, r) in list.iter().enumerate() {
                if r.on.is_empty() || r.on.len() > 4 {
                    return bad(format!("`{name}[{i}].on`: one to four fields"));
                }
                if r.swap && r.on.len() < 2 {
                    return bad(format!("`{name}[{i}]`: `swap` crosses two fields"));
                }
            }
        }
        for (i, c) in self.comparisons.iter().enumerate() {
            if self.comparisons[..i].iter().any(|d| d.field == c.field) {
                return bad(format!("`comparisons[{i}]`: `{}` compared twice", c.field));
            }
            if c.levels.is_empty() {
                return bad(format!("`comparisons[{i}].levels` is empty"));
            }
            for (j, l) in c.levels.iter().enumerate() {
                let ok = match l {
                    Level::JaroWinkler { threshold } => (0.0..=1.0).contains(threshold),
                    Level::Date { within_days } => within_days.is_finite() && *within_days >= 0.0,
                    Level::Numeric { within } => within.is_finite() && *within >= 0.0,
                    Level::NumericPercent { within_percent } => {
                        within_percent.is_finite() && *within_percent >= 0.0
                    }
                    _ => true,
                };
                if !ok {
                    return bad(format!(
                        "`comparisons[{i}].levels[{j}]`: threshold out of range"
                    ));
                }
            }
        }
        if !self.threshold.is_finite() {
            return bad("`threshold` must be a finite match weight".to_owned());
        }
        let t = &self.training;
        if let Some(p) = t.probability_two_random_records_match
            && !(p > 0.0 && p < 1.0)
        {
            return bad("`training.probability_two_random_records_match`: between 0 and 1".into());
        }
        if !(t.recall > 0.0 && t.recall <= 1.0) {
            return bad("`training.recall`: above 0, at most 1".to_owned());
        }
        if t.u_pairs == 0 {
            return bad("`training.u_pairs`: at least 1".to_owned());
        }
        Ok(())
    }
}
