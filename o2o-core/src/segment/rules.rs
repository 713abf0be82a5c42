//! Rules, conditions and their explained evaluation.

use super::{ProfileSummary, SegmentError};
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// One condition on a profile. JSON: `"consent"`, `"always"`, `{"new_customer":{"days":30}}`,
/// `{"lapsed_vip":{"min_spend":500,"days_since_visit":60}}`, `{"region_in":["north","south"]}`,
/// `{"min_visits":3}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Condition {
    /// Matches every profile.
    Always,
    /// The profile allows personalised advertising.
    Consent,
    /// First seen at most `days` ago.
    NewCustomer {
        /// Age limit in days.
        days: u32,
    },
    /// Spent at least `min_spend` and has not visited a store for at least `days_since_visit`
    /// days (or never visited, if the spend came from elsewhere).
    LapsedVip {
        /// Spend threshold.
        min_spend: f64,
        /// Days without a visit.
        days_since_visit: u32,
    },
    /// Visited a store in one of these regions.
    RegionIn(Vec<String>),
    /// At least this many store visits.
    MinVisits(u32),
}

impl Condition {
    /// Whether the condition holds at `now`, and the sentence that says why or why not.
    fn check(&self, p: &ProfileSummary, now: i64) -> (bool, String) {
        match self {
            Condition::Always => (true, "always".into()),
            Condition::Consent => (
                p.consent_personalise,
                format!(
                    "personalisation consent {}",
                    if p.consent_personalise {
                        "granted"
                    } else {
                        "absent"
                    }
                ),
            ),
            Condition::NewCustomer { days } => {
                let age = (now - p.first_seen).div_euclid(DAY);
                (
                    age <= i64::from(*days),
                    format!("first seen {age} days ago (new if ≤ {days})"),
                )
            }
            Condition::LapsedVip {
                min_spend,
                days_since_visit,
            } => {
                let idle = p.last_visit.map(|l| (now - l).div_euclid(DAY));
                let ok = p.total_spend >= *min_spend
                    && idle.is_none_or(|d| d >= i64::from(*days_since_visit));
                let idle_text = idle.map_or_else(
                    || "never visited".to_owned(),
                    |d| format!("last visit {d} days ago"),
                );
                (
                    ok,
                    format!(
                        "spent {:.2} (VIP if ≥ {min_spend}), {idle_text} (lapsed if ≥ {days_since_visit})",
                        p.total_spend
                    ),
                )
            }
            Condition::RegionIn(set) => {
                let hit = p.regions.iter().find(|r| set.contains(r));
                (
                    hit.is_some(),
                    match hit {
                        Some(r) => format!("visited region {r}"),
                        None => format!("no visit in {}", set.join(", ")),
                    },
                )
            }
            Condition::MinVisits(n) => {
                (p.visits >= *n, format!("{} visits (need ≥ {n})", p.visits))
            }
        }
    }
}

/// A named rule: when every condition holds, offer `voucher_type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique name (breaks priority ties, ascending).
    pub name: String,
    /// Higher is tried first.
    #[serde(default)]
    pub priority: i32,
    /// Conditions, all required.
    pub when: Vec<Condition>,
    /// Voucher type to issue (0–7, see [`crate::voucher`]).
    pub voucher_type: u8,
}

impl Rule {
    /// Whether the rule personalises (requires consent); such a rule never fires without it.
    fn personalised(&self) -> bool {
        self.when
            .iter()
            .any(|c| *c != Condition::Always && *c != Condition::Consent)
    }
}

/// An ordered set of rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// The rules (any order in the file; evaluation orders them).
    pub rules: Vec<Rule>,
}

/// Which rule matched a profile, the voucher type, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Profile id.
    pub profile: String,
    /// The matching rule.
    pub rule: String,
    /// Its voucher type.
    pub voucher_type: u8,
    /// One sentence per condition, in rule order.
    pub because: Vec<String>,
}

impl RuleSet {
    /// Parse and validate rules from JSON.
    pub fn from_json(text: &str) -> Result<Self, SegmentError> {
        let r: RuleSet =
            serde_json::from_str(text).map_err(|e| SegmentError::Json(e.to_string()))?;
        r.validate()?;
        Ok(r)
    }

    /// Check names are unique, types fit a code, every rule has a condition.
    pub fn validate(&self) -> Result<(), SegmentError> {
        let mut names = std::collections::BTreeSet::new();
        for r in &self.rules {
            if !names.insert(r.name.as_str()) {
                return Err(SegmentError::DuplicateName(r.name.clone()));
            }
            if r.voucher_type > crate::voucher::MAX_TYPE {
                return Err(SegmentError::VoucherType {
                    rule: r.name.clone(),
                    voucher_type: r.voucher_type,
                });
            }
            if r.when.is_empty() {
                return Err(SegmentError::NoCondition(r.name.clone()));
            }
        }
        Ok(())
    }

    /// Rules in evaluation order: priority descending, then name ascending.
    #[must_use]
    pub fn ordered(&self) -> Vec<&Rule> {
        let mut v: Vec<&Rule> = self.rules.iter().collect();
        v.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then_with(|| a.name.cmp(&b.name))
        });
        v
    }

    /// The first matching rule for `p` at `now` (Unix seconds), or `None`. Rules that look at
    /// behaviour (anything but `always`/`consent`) are skipped for profiles without
    /// personalisation consent, whatever their conditions say.
    #[must_use]
    pub fn evaluate(&self, p: &ProfileSummary, now: i64) -> Option<Decision> {
        self.ordered().into_iter().find_map(|r| {
            if r.personalised() && !p.consent_personalise {
                return None;
            }
            let mut because = Vec::with_capacity(r.when.len());
            for c in &r.when {
                let (ok, why) = c.check(p, now);
                if !ok {
                    return None;
                }
                because.push(why);
            }
            Some(Decision {
                profile: p.id.clone(),
                rule: r.name.clone(),
                voucher_type: r.voucher_type,
                because,
            })
        })
    }
}

/// Decisions for every profile that matches a rule, in profile order.
#[must_use]
pub fn decide_all(rules: &RuleSet, profiles: &[ProfileSummary], now: i64) -> Vec<Decision> {
    profiles
        .iter()
        .filter_map(|p| rules.evaluate(p, now))
        .collect()
}
