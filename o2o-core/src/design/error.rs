//! The one error type of the design module.

use crate::uplift::UpliftError;

/// Why a design could not be made. Every variant names what is wrong and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// An option is unusable (`--mde 0`, `--power 1.2`, `--treat 0`…).
    #[error("--{flag}: {message}")]
    Flag {
        /// The flag, without dashes.
        flag: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The history is too short or too thin for the design asked.
    #[error("history: {0}")]
    History(String),
    /// Purchase values in several currencies cannot be added up into revenue per customer.
    #[error("revenue in {0} cannot be added up: design on --metric visits, or ingest one currency")]
    MixedCurrencies(String),
    /// A panel file is unusable.
    #[error("{file}: line {line}, {field}: {message}")]
    Panel {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A design file is unusable.
    #[error("design file: {0}")]
    File(String),
    /// The statistics refused the input.
    #[error("uplift: {0}")]
    Uplift(#[from] UpliftError),
}

impl DesignError {
    pub(crate) fn flag(flag: &'static str, message: impl Into<String>) -> DesignError {
        DesignError::Flag {
            flag,
            message: message.into(),
        }
    }
}
