//! Attribution: which online touchpoints earned each offline check-in.
//!
//! The flow is events → [`journey`] (per profile, touchpoints inside a lookback window before each
//! check-in, plus the journeys that ended without one) → [`path_table`] (identical paths
//! aggregated, ChannelAttribution's format) → a model → [`Credit`] per channel.
//!
//! Models:
//! - rule-based ([`heuristic`]): first touch, last touch, last non-direct, linear, position-based,
//!   and time decay (on journeys, which keep timestamps);
//! - [`markov`]: a Markov chain of order 1–4 whose removal effects are computed **exactly** by
//!   solving the absorbing chain (no simulation, so no drift between runs);
//! - [`shapley`]: the Shapley value of the game v(S) = conversions of journeys whose channel set
//!   is inside S, exact through its Möbius transform, plus an ordered variant and a seeded
//!   sampled estimator;
//! - [`incremental`]: exposure-based incremental credit — the additive lift of each channel on
//!   check-ins per profile, fitted over exposed and unexposed profiles alike (it needs events,
//!   not a path table), so a channel that is everywhere but causes nothing gets nothing.
//!
//! Every model returns credit whose conversions and value sum to the totals of the attributable
//! journeys within a relative tolerance of 1e-9 (floating-point summation of shares; see
//! [`Credit::check_totals`]). [`compare`] ranks models against a known truth (Spearman), which is
//! how the simulator judges them. See `docs/attribution.md` for when to use which model.
//!
//! ```
//! use o2o_core::attribution::{PathTable, heuristic::{self, Rule}};
//! let table = PathTable::parse_str("path;total_conversions\nfacebook > email;2\nemail;1\n", ">").unwrap();
//! let credit = heuristic::attribute(&table.table, Rule::Last);
//! assert_eq!(credit.get("email").unwrap().conversions, 3.0);
//! ```

pub mod compare;
mod credit;
mod error;
pub mod heuristic;
pub mod incremental;
pub mod journey;
mod linalg;
pub mod markov;
mod model;
pub mod path_table;
pub mod shapley;

pub use credit::{ChannelCredit, Credit, RemovalEffect};
pub use error::{AttributionError, RowError};
pub use journey::{Journey, JourneyConfig, Touch, build_journeys, build_journeys_keyed};
pub use model::{Model, attribute_path_table};
pub use path_table::{ChannelMap, ParsedTable, PathRow, PathTable};

/// A hash map with a fixed-seed aHash: fast, and iteration order is never relied upon (every
/// output is sorted), so a fixed seed costs nothing and keeps runs reproducible.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

pub(crate) fn fast_map<K, V>() -> FastMap<K, V> {
    FastMap::with_hasher(ahash::RandomState::with_seeds(0x6f32, 0x6f, 0x61, 0x74))
}

#[cfg(test)]
mod tests;
