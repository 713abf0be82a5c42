//! The redemption ledger: each till records what it accepted; merged ledgers reveal a code used
//! twice (in two stores while offline, or twice in one store).
//!
//! Single-use codes (serial codes and personal short codes) may be redeemed once. A *shared*
//! code (an anonymous short code, see [`is_shared`]) is the one code of its campaign and type,
//! meant for everyone: its redemptions are counted per customer, a second use by the same
//! identified customer is a double use, and uses by unidentified customers are only counted.
//! To limit an offer to one use per person, issue personal codes.

use super::{canonical, is_shared};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The ledger key of a code as typed or stored: its canonical spelling (upper case, no
/// separators, Crockford readings), so `0g36-g037…` and `0G36G037…` are one code. A string that
/// is not a well-formed code is kept upper-cased without separators (it can never verify, but a
/// ledger shipped from an old till keeps it).
fn key(code: &str) -> String {
    canonical(code).unwrap_or_else(|| {
        code.chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    })
}

/// One accepted redemption. Two redemptions are the same record only when every field agrees,
/// so two tills of one store accepting a code in the same second are two redemptions: give each
/// till its `till` id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redemption {
    /// Unix seconds.
    pub timestamp: i64,
    /// Store id.
    pub store: String,
    /// The till (POS terminal) within the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub till: Option<String>,
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
/// a.record("CODE1", Redemption { timestamp: 10, store: "S1".into(), till: None, customer: None });
/// b.record("CODE1", Redemption { timestamp: 20, store: "S2".into(), till: None, customer: None });
/// assert!(a.double_uses().is_empty());
/// a.merge(&b);
/// assert_eq!(a.double_uses()[0].redemptions.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RedemptionLedger {
    by_code: BTreeMap<String, BTreeSet<Redemption>>,
}

impl<'de> Deserialize<'de> for RedemptionLedger {
    /// Keys are read as codes and canonicalised: a ledger whose keys were written as typed
    /// (lower case, dashes) merges its entries under the one canonical code.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, BTreeSet<Redemption>>::deserialize(d)?;
        let mut by_code: BTreeMap<String, BTreeSet<Redemption>> = BTreeMap::new();
        for (code, list) in raw {
            by_code.entry(key(&code)).or_default().extend(list);
        }
        Ok(RedemptionLedger { by_code })
    }
}

impl RedemptionLedger {
    /// Record a redemption of `code`, as typed or canonical (it is keyed by its canonical
    /// spelling, [`canonical`]). Returns `false` when this is a double use in this
    /// ledger (a single-use code already redeemed, or a shared code already redeemed by the same
    /// identified customer): the till should refuse it. For a shared code this scans the
    /// code's redemptions (a till's day of them; merged ledgers are checked by `double_uses`).
    pub fn record(&mut self, code: &str, r: Redemption) -> bool {
        let shared = is_shared(code);
        let list = self.by_code.entry(key(code)).or_default();
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

    /// Whether `code` (as typed or canonical) was already redeemed (by anyone).
    #[must_use]
    pub fn is_redeemed(&self, code: &str) -> bool {
        self.by_code.contains_key(&key(code))
    }

    /// Redemptions of `code` (as typed or canonical), earliest first.
    #[must_use]
    pub fn redemptions(&self, code: &str) -> Vec<Redemption> {
        self.by_code
            .get(&key(code))
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
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
    #[must_use]
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
    #[must_use]
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
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether nothing was redeemed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}
