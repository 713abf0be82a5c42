//! Segment rules: who gets which voucher next. Declarative rules (JSON) over profile summaries —
//! new customer, lapsed VIP, region, consent — each mapping to a voucher type.
//!
//! Evaluation is deterministic and explained: rules are tried by descending `priority`, ties by
//! name; the first rule whose every condition holds wins, and the [`Decision`] says which rule
//! and why (one sentence per condition). A profile without personalisation consent can only
//! match rules that do not require it — the rule author states `"consent"` explicitly, and
//! [`RuleSet::evaluate`] refuses personalised rules to such profiles anyway (fail closed).
//!
//! The input is a [`ProfileSummary`], built from events grouped by any profile key
//! ([`summarise`]): the identity graph's profile id in the pipeline.
//!
//! ```
//! use o2o_core::segment::{RuleSet, ProfileSummary};
//! let rules: RuleSet = serde_json::from_str(r#"{"rules":[
//!   {"name":"win-back","priority":10,"voucher_type":2,
//!    "when":[{"lapsed_vip":{"min_spend":500,"days_since_visit":60}},"consent"]},
//!   {"name":"welcome","priority":5,"voucher_type":1,"when":[{"new_customer":{"days":30}}]}
//! ]}"#).unwrap();
//! let p = ProfileSummary { id: "p1".into(), first_seen: 0, last_visit: Some(0), total_spend: 800.0,
//!     visits: 9, regions: vec!["south".into()], consent_personalise: true };
//! let d = rules.evaluate(&p, 90 * 86_400).unwrap();
//! assert_eq!((d.rule.as_str(), d.voucher_type), ("win-back", 2));
//! ```

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod rules;
mod summary;

pub use rules::{Condition, Decision, Rule, RuleSet, decide_all};
pub use summary::{ProfileSummary, summarise};

/// Rules that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SegmentError {
    /// The JSON is not a rule set.
    #[error("rules: {0}")]
    Json(String),
    /// Two rules share a name (names break priority ties, so they must be unique).
    #[error("rule name `{0}` is used twice")]
    DuplicateName(String),
    /// A voucher type a code cannot carry.
    #[error(
        "rule `{rule}`: voucher_type {voucher_type} is above {}",
        crate::voucher::MAX_TYPE
    )]
    VoucherType {
        /// The rule.
        rule: String,
        /// Its voucher type.
        voucher_type: u8,
    },
    /// A rule without conditions would match everyone; say `"always"` instead.
    #[error("rule `{0}` has no condition (use [\"always\"] to match everyone)")]
    NoCondition(String),
}

#[cfg(test)]
mod tests;
