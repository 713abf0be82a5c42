//! Errors of the attribution module.

use serde::Serialize;

/// Why attribution could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// The path table header lacks a required column or is empty.
    #[error("path table header (line 1): {0}")]
    Header(String),
    /// A Markov order outside 1..=4.
    #[error("Markov order {0} is not supported (use 1 to 4)")]
    Order(usize),
    /// There is nothing to attribute.
    #[error("no journeys with touchpoints to attribute")]
    Empty,
    /// The absorbing chain could not be solved (singular or did not converge).
    #[error("Markov chain solve failed: {0}")]
    Solve(String),
    /// Exact Shapley was asked for more channels than the bitmask enumeration allows.
    #[error("exact Shapley enumeration supports at most {max} channels, the table has {got}")]
    TooManyChannels {
        /// The limit.
        max: usize,
        /// Channels in the table.
        got: usize,
    },
    /// A credited amount is not a finite number: the counts or values sum past the largest
    /// double (about 1.8e308). The credit would be meaningless, so none is returned.
    #[error(
        "{what} is not a finite number (the counts or values sum past the largest double, \
         about 1.8e308): scale the table down"
    )]
    NotFinite {
        /// The amount, e.g. `credit of channel `a` (conversions)`.
        what: String,
    },
    /// A configuration value is unusable.
    #[error("{field}: {message}")]
    Config {
        /// The setting.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// One rejected row of a path table: its line, the field and what was wrong. The good rows
/// around it are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}, field `{field}`: {message}")]
pub struct RowError {
    /// 1-based line number.
    pub line: u64,
    /// Column name (`path`, `total_conversions`, `total_conversion_value`, `total_null`).
    pub field: String,
    /// What was wrong.
    pub message: String,
}
