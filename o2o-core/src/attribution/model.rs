//! Choosing a model by name and running it: the one entry point the CLI and the C/WASM bindings
//! call, so that they translate and never decide.

use super::credit::Credit;
use super::error::{AttributionError, RowError};
use super::heuristic::{self, Rule};
use super::journey::Journey;
use super::markov::{self, Solver};
use super::path_table::PathTable;
use super::shapley;
use std::str::FromStr;

/// An attribution model with its settings.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Model {
    /// A position rule (first, last, last-non-direct, linear, position).
    Rule(Rule),
    /// Time decay with this half-life in seconds (journeys only: it needs timestamps).
    TimeDecay {
        /// Half-life, seconds.
        half_life: i64,
    },
    /// Markov chain of this order (1–4) and solver.
    Markov {
        /// Order.
        order: usize,
        /// Exact solve or Monte Carlo.
        solver: Solver,
    },
    /// Exact Shapley value.
    Shapley,
    /// Exposure-based incremental credit ([`super::incremental`]): needs events, because it
    /// compares exposed with unexposed profiles, which a path table does not list.
    Incremental,
}

impl FromStr for Model {
    type Err = AttributionError;

    /// `first`, `last`, `last-non-direct`, `linear`, `position` (40/20/40), `time-decay`
    /// (7-day half-life), `markov` (order 1, exact), `shapley`, `incremental`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "first" => Model::Rule(Rule::First),
            "last" => Model::Rule(Rule::Last),
            "last-non-direct" => Model::Rule(Rule::LastNonDirect),
            "linear" => Model::Rule(Rule::Linear),
            "position" => Model::Rule(Rule::POSITION),
            "time-decay" => Model::TimeDecay {
                half_life: 7 * 86_400,
            },
            "markov" => Model::Markov {
                order: 1,
                solver: Solver::Exact,
            },
            "shapley" => Model::Shapley,
            "incremental" => Model::Incremental,
            other => {
                return Err(AttributionError::Config {
                    field: "model".into(),
                    message: format!(
                        "unknown model `{other}` (expected first, last, last-non-direct, linear, position, time-decay, markov, shapley, incremental)"
                    ),
                });
            }
        })
    }
}

impl Model {
    /// Run the model on a path table. Time decay needs journeys and is refused here.
    /// A credit that is not a finite number (counts summing past the largest double) is refused
    /// with [`AttributionError::NotFinite`].
    pub fn run(&self, table: &PathTable) -> Result<Credit, AttributionError> {
        let credit = match *self {
            Model::Rule(r) => Ok(heuristic::attribute(table, r)),
            Model::TimeDecay { .. } => Err(AttributionError::Config {
                field: "model".into(),
                message: "time-decay needs timestamps: run it on events, not on a path table"
                    .into(),
            }),
            Model::Markov { order, solver } => markov::markov_with(table, order, solver),
            Model::Shapley => Ok(shapley::shapley(table)),
            Model::Incremental => Err(needs_exposure()),
        }?;
        credit.finite()
    }

    /// Run the model on journeys (time decay uses their timestamps; the others their path table).
    pub fn run_journeys<K>(&self, journeys: &[Journey<K>]) -> Result<Credit, AttributionError> {
        match *self {
            Model::TimeDecay { half_life } => heuristic::time_decay(journeys, half_life).finite(),
            Model::Incremental => Err(needs_exposure()),
            _ => self.run(&PathTable::from_journeys(journeys)),
        }
    }
}

fn needs_exposure() -> AttributionError {
    AttributionError::Config {
        field: "model".into(),
        message: "incremental compares exposed with unexposed profiles: run it on events \
                  (`o2o attribute --events`, or `incremental::ExposureTable`), not on paths"
            .into(),
    }
}

/// Parse a path table (ChannelAttribution's format, see [`PathTable::parse_str`]) and run a
/// model on it: the whole of `o2o attribute --paths` as one call, for the C and WASM bindings.
/// Returns the credit and the rejected rows (the good rows were used).
///
/// ```
/// use o2o_core::attribution::{Model, attribute_path_table};
/// let (credit, rejected) = attribute_path_table(
///     "path;total_conversions;total_null\na > b;3;2\nb;1;oops\nb;1;4\n", ">",
///     &"markov".parse::<Model>().unwrap()).unwrap();
/// assert_eq!(rejected[0].line, 3);
/// assert!((credit.total_conversions() - 4.0).abs() < 1e-9);
/// let json = serde_json::to_string(&credit).unwrap();
/// assert!(json.starts_with(r#"{"model":"markov","order":1,"channels":[{"channel":"a","#));
/// ```
pub fn attribute_path_table(
    text: &str,
    sep: &str,
    model: &Model,
) -> Result<(Credit, Vec<RowError>), AttributionError> {
    let parsed = PathTable::parse_str(text, sep)?;
    let credit = model.run(&parsed.table)?;
    Ok((credit, parsed.errors))
}
