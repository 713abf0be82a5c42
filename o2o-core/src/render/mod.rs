//! The report for people: a self-contained HTML page with SVG charts, an Excel workbook, and
//! text that fits a terminal — all rendered from one [`ReportView`] whose field names follow the
//! report's JSON contract, so every number a person reads is a number of the JSON.
//!
//! - [`view`]: the view model and how the current report fills it.
//! - [`series`]: period, currency, daily visits by arm, visits by store (grouping only).
//! - [`format`]: thousands separators, money in the currency's minor unit, local dates.
//! - [`words`]: the headline in sentences and the vocabulary (credited, influenced, incremental).
//! - [`svg`]: the charts; [`html`]: the page; [`text`]: the terminal; `xlsx`: the workbook.

pub mod format;
pub mod html;
#[cfg(all(feature = "stats", feature = "ingest"))]
pub mod series;
pub mod svg;
pub mod text;
pub mod view;
pub mod words;
#[cfg(feature = "xlsx")]
pub mod xlsx;

pub use view::{
    CampaignView, DailyVisits, HoldoutView, IncrementalView, Influenced, Period, Provenance,
    ReportView, SourceView, StoreVisits, ViewContext, VisitsView,
};
