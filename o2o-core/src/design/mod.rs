//! Designing a test before the money is spent: how large a holdout, for how long, and which
//! stores to treat — so that the test can detect the effect it is run for, and the analysis is
//! the one planned.
//!
//! A badly designed test cannot be rescued afterwards: too small a holdout leaves every
//! interval wider than the effect; stores that do not resemble their controls leave the
//! synthetic control guessing. This module answers the planning questions from the history in
//! the event store:
//!
//! | question | function |
//! |---|---|
//! | what the store's history says per customer and per store | [`History::from_events`] |
//! | holdout share and duration for a minimum detectable effect, with and without CUPED | [`design_holdout`] |
//! | the holdout list itself, stratified by region and value tier, seeded | [`assign_holdout`] |
//! | does the design reach its stated power? (simulation on the history) | [`check_holdout`] |
//! | which stores to treat, GeoLift-style simulation on history | [`design_stores`] |
//! | read by synthetic control or by difference in differences | [`StoreMethod`] |
//! | does the chosen set recover an effect in held-back periods? | [`check_stores`] |
//! | a panel of stores with a known model, for checks and comparisons | [`simulate_panel`] |
//! | the plan `o2o report --design` reads back | [`DesignFile`] |
//! | a store test read as planned | [`read_store_test`] |
//! | a store test read every day, with always-valid intervals | [`look_scales`], [`read_store_test`] |
//! | does a plan, read as the report reads it, keep its word on held-back periods? | [`check_plan`] |
//! | the page: power curves as SVG charts | [`render_html`] |
//!
//! Every random draw comes from a ChaCha8 stream seeded by the caller: the same history and
//! seed give the same design, the same assignment file and the same store ranking.

// `!(x > limit)` is deliberate: a NaN must fail every domain check.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod assign;
mod check;
mod error;
mod history;
mod holdout;
mod matched;
mod page;
mod panel;
mod plan;
mod store_looks;
mod store_readout;
mod stores;

pub use assign::{Assigned, AssignmentRow, assign_holdout, write_assignment_csv};
pub use check::{HoldoutCheck, PowerCheck, check_holdout};
pub use error::DesignError;
pub use history::{CustomerHistory, History, Metric, ProfileOf, StorePanel, WindowStats};
pub use holdout::{
    DurationRow, HoldoutDesign, HoldoutOptions, OutcomeSpread, PowerTarget, Recommendation,
    design_holdout, mde_at, power_at, share_for,
};
pub use matched::StoreMethod;
pub use page::render_html;
pub use panel::{PanelModel, simulate_panel};
pub use plan::{
    DESIGN_FORMAT, DesignFile, DesignKind, PlannedReadout, Readout, StoreWeight, expected_width,
    planned_readout,
};
pub use store_looks::{check_plan, look_scales, sequential_store_readout, store_sequence};
pub use store_readout::{StoreLook, StorePeriods, StoreReadout, read_store_test};
pub use stores::{
    Calibration, CandidateSet, PowerPoint, StatedPower, StoresCheck, StoresDesign, StoresOptions,
    check_stores, design_stores, evaluate_set,
};

#[cfg(test)]
mod tests;
