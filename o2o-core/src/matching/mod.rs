//! Probabilistic record matching: records without a shared identifier (a CRM row and a POS
//! row with the same name, date of birth and zip) found to be one person.
//!
//! The model is Fellegi–Sunter, as in Splink: each field of a pair of records is compared and
//! falls in a *level* (exact, Jaro–Winkler or Levenshtein within a threshold, dates or numbers
//! within a distance, `else`, `null` when a value is missing); each level has an `m` (the chance
//! of it when the two records are one person) and a `u` (when they are not), and the pair's
//! *match weight* is the log2 prior odds plus log2(m/u) of each field. Agreement on a rare
//! value weighs more than on a common one (term-frequency adjustment). The parameters are
//! estimated without labels ([`train`]: `u` from random pairs, `m` by expectation–maximisation),
//! and only pairs that *blocking rules* find are compared, never all pairs.
//!
//! Everything is set in [`MatchSettings`], data a user reads and versions (JSON or TOML). The
//! result is pairs with their weights ([`run`]); [`MatchRun::waterfall`] explains any pair field
//! by field. Matched pairs enter the identity graph as scored links
//! ([`IdentityGraph::link_scored`](crate::identity::IdentityGraph::link_scored)), under the same
//! hub guard, limits and priorities as exact links. See `docs/identity.md`, "Probabilistic
//! matching".

mod blocking;
mod compare;
mod model;
mod records;
mod settings;
#[cfg(feature = "store")]
mod store;
mod train;

#[cfg(test)]
mod tests;

pub use model::{
    ComparisonParameters, LevelParameters, MatchRun, MatchStats, Model, ScoredPair, probability,
    run,
};
pub use records::Records;
pub use settings::{BlockingRule, Comparison, Level, LinkType, MatchSettings, Training};
#[cfg(feature = "store")]
pub(crate) use store::erase_links;
#[cfg(feature = "store")]
pub use store::{
    LINKS_FILE, MATCH_SOURCE, StoreMatch, StoredLink, add_links, apply_links, links_of_batch,
    match_store, read_links, store_records, write_links,
};

/// Why matching failed. Every variant names what and where; none echoes a record's value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The settings are unusable (an unknown field, a bad value).
    #[error("settings{}: {message}", if file.is_empty() { String::new() } else { format!(" {file}") })]
    Settings {
        /// The settings file (empty when parsed from text).
        file: String,
        /// What is wrong, with the field's path.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        message: String,
    },
    /// A record is unusable.
    #[error("line {line}: {message}")]
    Record {
        /// Its line (1-based; 0 when the problem is the whole input).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// An error in a named file.
    #[error("{file}: {source}")]
    InFile {
        /// The file.
        file: String,
        /// The error.
        #[source]
        source: Box<MatchError>,
    },
    /// A field the settings compare or block on is not in the records.
    #[error("the records have no field `{0}`")]
    MissingField(String),
    /// A blocking rule would generate too many pairs.
    #[error(
        "blocking rule `{rule}` makes {pairs} pairs, more than `max_pairs` ({max}): make it stricter (add a field)"
    )]
    TooManyPairs {
        /// The rule.
        rule: String,
        /// The pairs it would make.
        pairs: u64,
        /// The limit.
        max: u64,
    },
    /// Every EM session blocks on a comparison's field, so its `m` is never estimated.
    #[error(
        "the `m` of `{0}` is never estimated: every training rule blocks on it (add an `em_blocking_rules` entry on other fields)"
    )]
    NotEstimated(String),
    /// Fewer than two records: nothing to match.
    #[error("{0} record(s): matching needs at least two")]
    NoRecords(usize),
    /// The store could not be read or written.
    #[cfg(feature = "store")]
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The identity graph refused a link.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
}
