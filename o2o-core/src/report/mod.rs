//! Reports for people and machines: every report is a serde value (JSON for machines) and can be
//! rendered as an aligned text table (for people).
//!
//! The O2O, ROPO and KPI reports are built by the activation work; this module starts with the
//! table renderer every report shares.

mod table;

pub use table::Table;
