//! The campaign simulator: a deterministic, seeded O2O world with a **known ground truth**.
//!
//! Measurement code cannot be validated on real data, where nobody knows what an ad caused. The
//! simulator generates customers with noisy identifiers, households that share a tablet, stores
//! whose Wi-Fi IP everyone shares, junk values typed by staff, consent refusals, a random holdout,
//! and online channels each with a **true additive causal effect** on the probability of a store
//! visit. It writes the events an O2O stack would collect, the truth ([`Truth`]) beside them, and
//! the experiment readout a CRM would have ([`AudienceRow`]).
//!
//! Determinism: one ChaCha8 stream seeded with [`SimConfig::seed`] drives every draw in a fixed
//! order, so the same configuration gives the same bytes on every machine.
//!
//! ```
//! use o2o_core::sim::{SimConfig, simulate};
//! let cfg = SimConfig { customers: 200, seed: 7, ..SimConfig::default() };
//! let a = simulate(&cfg).unwrap();
//! let b = simulate(&cfg).unwrap();
//! assert_eq!(a.events, b.events);
//! assert_eq!(a.truth.channels.len(), cfg.channels.len());
//! ```

mod config;
mod exports;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod people;
mod stream;
mod truth;
mod world;
mod write;

pub use config::{ChannelSpec, ChannelStyle, SimConfig, SimError};
pub use exports::{
    ExportError, ExportFile, Exports, Planted, TIMEZONE, VND_PER_USD, side_records, write_exports,
};
pub use stream::{BLOCK, StreamError, Written, write_campaign};
pub use truth::{ChannelTruth, PersonTruth, SharedIdentifier, SharedReason, Totals, Truth};
pub(crate) use world::customer_seed;
pub use world::{AudienceRow, Campaign, Group, simulate, simulate_with_progress};
pub use write::{read_audience_csv, write_audience_csv};

/// The highest baseline visit probability a customer can draw; the lifts must fit above it.
pub const MAX_BASELINE: f64 = 0.6;

#[cfg(test)]
mod tests;
