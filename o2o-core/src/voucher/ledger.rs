//! The redemption ledger: each till records what it accepted; merged ledgers reveal a code used
//! twice (in two stores while offline, or twice in one store).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One accepted redemption.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redemption {
    /// Unix seconds.
    pub timestamp: i64,
    /// Store id.
    pub store: String,
}

/// A code redeemed more than once, with every redemption in time order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DoubleUse {
    /// The canonical code.
    pub code: String,
    /// Its redemptions, earliest first (the first is the legitimate one).
    pub redemptions: Vec<Redemption>,
}

/// Redemptions by canonical code. Serialisable (JSON) so stores can ship theirs for merging.
///
/// ```
/// use o2o_core::voucher::{Redemption, RedemptionLedger};
/// let mut a = RedemptionLedger::default();
/// let mut b = RedemptionLedger::default();
/// a.record("CODE1", Redemption { timestamp: 10, store: "S1".into() });
/// b.record("CODE1", Redemption { timestamp: 20, store: "S2".into() });
/// assert!(a.double_uses().is_empty());
/// a.merge(&b);
/// assert_eq!(a.double_uses()[0].redemptions.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedemptionLedger {
    by_code: BTreeMap<String, Vec<Redemption>>,
}

impl RedemptionLedger {
    /// Record a redemption of `code` (give the canonical code from
    /// [`Verified::code`](super::Verified)). Returns `false` when the code was already redeemed
    /// in this ledger: the till should refuse it.
    pub fn record(&mut self, code: &str, r: Redemption) -> bool {
        let list = self.by_code.entry(code.to_owned()).or_default();
        let first = list.is_empty();
        if let Err(at) = list.binary_search(&r) {
            list.insert(at, r);
        }
        first
    }

    /// Whether `code` was already redeemed.
    pub fn is_redeemed(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// Merge another ledger in. Idempotent and order-independent: identical records (same
    /// code, store and time) count once.
    pub fn merge(&mut self, other: &RedemptionLedger) {
        for (code, list) in &other.by_code {
            for r in list {
                let mine = self.by_code.entry(code.clone()).or_default();
                if let Err(at) = mine.binary_search(r) {
                    mine.insert(at, r.clone());
                }
            }
        }
    }

    /// Codes redeemed more than once, by code.
    pub fn double_uses(&self) -> Vec<DoubleUse> {
        self.by_code
            .iter()
            .filter(|(_, l)| l.len() > 1)
            .map(|(code, l)| DoubleUse {
                code: code.clone(),
                redemptions: l.clone(),
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
