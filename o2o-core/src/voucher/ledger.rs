//! The redemption ledger: each till records what it accepted; merged ledgers reveal a code used
//! twice (in two stores while offline, or twice in one store).
//!
//! Single-use codes (serial codes and personal short codes) may be redeemed once. A *shared*
//! code (an anonymous short code, see [`is_shared`]) is the one code of its campaign and type,
//! meant for everyone: its redemptions are counted per customer, a second use by the same
//! identified customer is a double use, and uses by unidentified customers are only counted.
//! To limit an offer to one use per person, issue personal codes.

use super::is_shared;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One accepted redemption.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redemption {
    /// Unix seconds.
    pub timestamp: i64,
    /// Store id.
    pub store: String,
    /// Pseudonym of the customer, when the till identified one (loyalty card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

/// A code redeemed more than once (for a shared code: more than once by one customer), with
/// those redemptions in time order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DoubleUse {
    /// The canonical code.
    pub code: String,
    /// For a shared code, the customer who used it more than once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Its redemptions, earliest first (the first is the legitimate one).
    pub redemptions: Vec<Redemption>,
}

/// How a shared code was used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedUse {
    /// The canonical code.
    pub code: String,
    /// Redemptions in all.
    pub redemptions: u64,
    /// Distinct identified customers.
    pub customers: u64,
    /// Redemptions without an identified customer.
    pub unidentified: u64,
}

/// Redemptions by canonical code, each code's kept sorted and deduplicated (a set, so merging
/// large ledgers costs O(n log n)). Serialisable (JSON: code → array of redemptions in time
/// order) so stores can ship theirs for merging.
///
/// ```
/// use o2o_core::voucher::{Redemption, RedemptionLedger};
/// let mut a = RedemptionLedger::default();
/// let mut b = RedemptionLedger::default();
/// a.record("CODE1", Redemption { timestamp: 10, store: "S1".into(), customer: None });
/// b.record("CODE1", Redemption { timestamp: 20, store: "S2".into(), customer: None });
/// assert!(a.double_uses().is_empty());
/// a.merge(&b);
/// assert_eq!(a.double_uses()[0].redemptions.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedemptionLedger {
    by_code: BTreeMap<String, BTreeSet<Redemption>>,
}

impl RedemptionLedger {
    /// Record a redemption of `code` (give the canonical code from
    /// [`Verified::code`](super::Verified)). Returns `false` when this is a double use in this
    /// ledger (a single-use code already redeemed, or a shared code already redeemed by the same
    /// identified customer): the till should refuse it. For a shared code this scans the
    /// code's redemptions (a till's day of them; merged ledgers are checked by `double_uses`).
    pub fn record(&mut self, code: &str, r: Redemption) -> bool {
        let shared = is_shared(code);
        let list = self.by_code.entry(code.to_owned()).or_default();
        let first = if shared {
            r.customer
                .as_ref()
                .is_none_or(|c| !list.iter().any(|x| x.customer.as_ref() == Some(c)))
        } else {
            list.is_empty()
        };
        list.insert(r);
        first
    }

    /// Whether `code` was already redeemed (by anyone).
    pub fn is_redeemed(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// Merge another ledger in. Idempotent and order-independent: identical records (same
    /// code, store, time and customer) count once.
    pub fn merge(&mut self, other: &RedemptionLedger) {
        for (code, list) in &other.by_code {
            let mine = self.by_code.entry(code.clone()).or_default();
            mine.extend(list.iter().cloned());
        }
    }

    /// Double uses, by code (then customer): single-use codes redeemed more than once, and
    /// shared codes redeemed more than once by one identified customer.
    pub fn double_uses(&self) -> Vec<DoubleUse> {
        let mut out = Vec::new();
        for (code, list) in &self.by_code {
            if !is_shared(code) {
                if list.len() > 1 {
                    out.push(DoubleUse {
                        code: code.clone(),
                        customer: None,
                        redemptions: list.iter().cloned().collect(),
                    });
                }
                continue;
            }
            let mut by_customer: BTreeMap<&str, Vec<Redemption>> = BTreeMap::new();
            for r in list {
                if let Some(c) = &r.customer {
                    by_customer.entry(c).or_default().push(r.clone());
                }
            }
            for (c, rs) in by_customer {
                if rs.len() > 1 {
                    out.push(DoubleUse {
                        code: code.clone(),
                        customer: Some(c.to_owned()),
                        redemptions: rs,
                    });
                }
            }
        }
        out
    }

    /// Use of every shared code, by code.
    pub fn shared_uses(&self) -> Vec<SharedUse> {
        self.by_code
            .iter()
            .filter(|(code, _)| is_shared(code))
            .map(|(code, list)| {
                let customers: BTreeSet<&str> =
                    list.iter().filter_map(|r| r.customer.as_deref()).collect();
                SharedUse {
                    code: code.clone(),
                    redemptions: list.len() as u64,
                    customers: customers.len() as u64,
                    unidentified: list.iter().filter(|r| r.customer.is_none()).count() as u64,
                }
            })
            .collect()
    }

    /// Number of distinct codes redeemed.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether nothing was redeemed.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}
