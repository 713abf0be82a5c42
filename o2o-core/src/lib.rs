//! # o2o-core
//!
//! Measure and drive Online-to-Offline (O2O) marketing: which online ads (YouTube, Facebook,
//! TikTok, email, messaging apps) caused offline check-ins (a QR scan in a store, a Wi-Fi join,
//! a POS purchase, a voucher redemption), and what to do next.
//!
//! The data flows through the modules in this order (see `docs/architecture.md`):
//! [`event`] → [`consent`] gate → [`hashing`] (normalise, hash) → [`identity`] graph →
//! journeys and [`attribution`] / [`uplift`] → [`report`] and actions ([`voucher`], [`segment`],
//! [`survey`], [`loyalty`]). [`sim`] generates campaigns with a known ground truth against which
//! every module is validated.
//!
//! The crate does no I/O of its own: readers and writers are handed in.

// `unsafe` code is confined to the identity resolver's memory module (`identity::memory`),
// where each block states why it is sound.
#![deny(unsafe_code)]
// A pure function whose answer is dropped is a mistake: the library marks them `#[must_use]`,
// and this keeps new ones marked.
#![warn(clippy::must_use_candidate)]

#[cfg(all(feature = "stats", feature = "store"))]
pub mod activation;
pub mod attribution;
pub mod consent;
#[cfg(all(feature = "csv", feature = "fuzzing"))]
mod csv_lines;
#[cfg(all(feature = "sim", feature = "stats", feature = "ingest"))]
pub mod design;
pub mod event;
pub mod hashing;
#[cfg(feature = "identity")]
pub mod identity;
#[cfg(feature = "ingest")]
pub mod ingest;
pub mod keys;
pub mod loyalty;
#[cfg(feature = "matching")]
pub mod matching;
#[cfg(all(feature = "stats", feature = "ingest"))]
pub mod measure;
#[cfg(feature = "sim")]
pub mod pipeline;
pub mod render;
pub mod report;
pub mod segment;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "store")]
pub mod store;
pub mod survey;
pub mod table;
#[cfg(feature = "stats")]
pub mod uplift;
mod utc;
pub mod voucher;

/// The crate version, as in `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
