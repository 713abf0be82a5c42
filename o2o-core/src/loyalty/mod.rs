//! Loyalty points: earn, redeem, expire — and the reminders that bring members back (points about
//! to expire, a tier within reach).
//!
//! Points are kept in *lots* (one per earning, with its own expiry). Redemptions and expiry
//! consume lots first-in first-out, oldest expiry first, so a member never loses points that
//! could have been spent. Tiers are reached on points earned in total (lifetime), configurable.
//!
//! ```
//! use o2o_core::loyalty::{PointsLedger, Tier, ReminderPolicy};
//! let mut l = PointsLedger::default();
//! l.earn("m1", 120, 0, 100).unwrap();      // 120 points at t=0, expiring at t=100
//! l.earn("m1", 50, 10, 500).unwrap();
//! l.redeem("m1", 130, 20).unwrap();        // uses the 120-lot, then 10 of the 50-lot
//! assert_eq!(l.balance("m1", 20), 40);
//! let tiers = vec![Tier { name: "silver".into(), min_points: 200 }];
//! let r = l.reminders(30, &ReminderPolicy { expiring_within: 1_000, near_tier_within: 50 }, &tiers);
//! assert_eq!(r.len(), 2);
//! ```

use crate::event::{CheckInMethod, Event};
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A ledger operation that cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoyaltyError {
    /// Earning or redeeming zero points.
    #[error("member {member}: points must be positive")]
    Zero {
        /// The member.
        member: String,
    },
    /// The lot would expire before it is earned.
    #[error("member {member}: expiry {expires_at} is not after {at}")]
    Expiry {
        /// The member.
        member: String,
        /// When earned.
        at: i64,
        /// The expiry given.
        expires_at: i64,
    },
    /// An earning rule that cannot be applied.
    #[error("earning rule: {field} {reason}")]
    Rule {
        /// The field of [`EarnRule`].
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Not enough unexpired points.
    #[error("member {member}: redeeming {wanted} points but only {available} are available")]
    Insufficient {
        /// The member.
        member: String,
        /// Points asked.
        wanted: u64,
        /// Points available at that time.
        available: u64,
    },
}

/// Points earned together, expiring together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// When earned.
    pub earned_at: i64,
    /// When they expire (no longer usable from this time).
    pub expires_at: i64,
    /// Points left in the lot.
    pub remaining: u64,
}

/// One member's account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Lots with points left, ordered by (expiry, earning time).
    pub lots: Vec<Lot>,
    /// Points ever earned (decides the tier).
    pub lifetime: u64,
    /// Points redeemed.
    pub redeemed: u64,
    /// Points lost to expiry.
    pub expired: u64,
}

/// A loyalty tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Name (`silver`).
    pub name: String,
    /// Lifetime points needed.
    pub min_points: u64,
}

/// When to remind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderPolicy {
    /// Remind of points expiring within this many seconds.
    pub expiring_within: i64,
    /// Remind members at most this many points below the next tier.
    pub near_tier_within: u64,
}

/// A message to send a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reminder {
    /// Points will expire soon.
    PointsExpiring {
        /// The member.
        member: String,
        /// Points expiring.
        points: u64,
        /// Earliest expiry among them.
        expires_at: i64,
    },
    /// The next tier is close.
    NearTier {
        /// The member.
        member: String,
        /// The tier within reach.
        tier: String,
        /// Points still needed.
        missing: u64,
    },
}

/// How store purchases earn points: [`PointsLedger::from_purchases`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnRule {
    /// Points per unit of purchase value; a purchase earns the whole points of its value times
    /// this (rounded down), and nothing below one point.
    pub points_per_unit: f64,
    /// Seconds the points stay usable after the purchase.
    pub valid_for: i64,
}

impl Default for EarnRule {
    /// One point per unit of value, usable for 60 days.
    fn default() -> Self {
        EarnRule {
            points_per_unit: 1.0,
            valid_for: 60 * 86_400,
        }
    }
}

/// All members' points. Serialisable, deterministic (members in id order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PointsLedger {
    accounts: BTreeMap<String, Account>,
}

impl PointsLedger {
    /// Earn `points` at `at`, expiring at `expires_at`.
    pub fn earn(
        &mut self,
        member: &str,
        points: u64,
        at: i64,
        expires_at: i64,
    ) -> Result<(), LoyaltyError> {
        if points == 0 {
            return Err(LoyaltyError::Zero {
                member: member.into(),
            });
        }
        if expires_at <= at {
            return Err(LoyaltyError::Expiry {
                member: member.into(),
                at,
                expires_at,
            });
        }
        let a = self.accounts.entry(member.to_owned()).or_default();
        let lot = Lot {
            earned_at: at,
            expires_at,
            remaining: points,
        };
        let pos = a
            .lots
            .partition_point(|l| (l.expires_at, l.earned_at) <= (expires_at, at));
        a.lots.insert(pos, lot);
        a.lifetime += points;
        Ok(())
    }

    /// The points that in-store purchases earn under `rule`: one lot per POS purchase or voucher
    /// redemption with a value, for the member `key` names (events it names no one for earn
    /// nothing). The same events give the same ledger in any order.
    ///
    /// ```
    /// use o2o_core::event::read_ndjson_str;
    /// use o2o_core::loyalty::{EarnRule, PointsLedger};
    /// let ev = read_ndjson_str(r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":0,"value":42.9,"identifiers":[{"kind":"loyalty_card","value":"LC1"}]}"#);
    /// let key = |e: &o2o_core::event::Event| e.identifiers().first().map(|i| i.value.clone());
    /// let ledger = PointsLedger::from_purchases(&ev.events, key, &EarnRule::default()).unwrap();
    /// assert_eq!(ledger.balance("LC1", 1), 42);
    /// ```
    pub fn from_purchases(
        events: &[Event],
        key: impl Fn(&Event) -> Option<String>,
        rule: &EarnRule,
    ) -> Result<Self, LoyaltyError> {
        if !(rule.points_per_unit.is_finite() && rule.points_per_unit > 0.0) {
            return Err(LoyaltyError::Rule {
                field: "points_per_unit",
                reason: "must be a positive number",
            });
        }
        if rule.valid_for <= 0 {
            return Err(LoyaltyError::Rule {
                field: "valid_for",
                reason: "must be positive",
            });
        }
        // Points above 2^53 would not be whole in an f64: no real purchase comes near.
        const MAX_POINTS: f64 = 9_007_199_254_740_992.0;
        let mut ledger = PointsLedger::default();
        for ev in events {
            let Event::CheckIn(c) = ev else { continue };
            if !matches!(
                c.method,
                CheckInMethod::PosPurchase | CheckInMethod::VoucherRedemption
            ) {
                continue;
            }
            let points = (c.value.unwrap_or(0.0) * rule.points_per_unit).floor();
            if !(1.0..=MAX_POINTS).contains(&points) {
                continue;
            }
            let Some(member) = key(ev) else { continue };
            // A whole number in [1, 2^53]: the cast is exact.
            ledger.earn(
                &member,
                points as u64,
                c.timestamp,
                c.timestamp.saturating_add(rule.valid_for),
            )?;
        }
        Ok(ledger)
    }

    /// Every member's account, in member order.
    pub fn accounts(&self) -> impl Iterator<Item = (&str, &Account)> {
        self.accounts.iter().map(|(m, a)| (m.as_str(), a))
    }

    /// Move lots expired at `now` out of the balance; returns points expired per member.
    pub fn expire(&mut self, now: i64) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (m, a) in &mut self.accounts {
            let n = a.lots.partition_point(|l| l.expires_at <= now);
            let lost: u64 = a.lots.drain(..n).map(|l| l.remaining).sum();
            if lost > 0 {
                a.expired += lost;
                out.insert(m.clone(), lost);
            }
        }
        out
    }

    /// Usable points at `at`.
    #[must_use]
    pub fn balance(&self, member: &str, at: i64) -> u64 {
        self.accounts.get(member).map_or(0, |a| {
            a.lots
                .iter()
                .filter(|l| l.expires_at > at)
                .map(|l| l.remaining)
                .sum()
        })
    }

    /// Redeem `points` at `at`, soonest-expiring lots first. Expires lots first; all or nothing.
    pub fn redeem(&mut self, member: &str, points: u64, at: i64) -> Result<(), LoyaltyError> {
        if points == 0 {
            return Err(LoyaltyError::Zero {
                member: member.into(),
            });
        }
        self.expire(at);
        let available = self.balance(member, at);
        let Some(a) = self
            .accounts
            .get_mut(member)
            .filter(|_| available >= points)
        else {
            return Err(LoyaltyError::Insufficient {
                member: member.into(),
                wanted: points,
                available,
            });
        };
        let mut left = points;
        for l in &mut a.lots {
            let take = l.remaining.min(left);
            l.remaining -= take;
            left -= take;
            if left == 0 {
                break;
            }
        }
        a.lots.retain(|l| l.remaining > 0);
        a.redeemed += points;
        Ok(())
    }

    /// A member's account.
    #[must_use]
    pub fn account(&self, member: &str) -> Option<&Account> {
        self.accounts.get(member)
    }

    /// The tier a member holds (highest whose minimum is reached).
    #[must_use]
    pub fn tier<'t>(&self, member: &str, tiers: &'t [Tier]) -> Option<&'t Tier> {
        let lifetime = self.accounts.get(member).map_or(0, |a| a.lifetime);
        tiers
            .iter()
            .filter(|t| lifetime >= t.min_points)
            .max_by_key(|t| t.min_points)
    }

    /// Reminders at `now`: for each member (id order), points expiring within the window, then a
    /// tier within reach.
    #[must_use]
    pub fn reminders(&self, now: i64, policy: &ReminderPolicy, tiers: &[Tier]) -> Vec<Reminder> {
        let mut out = Vec::new();
        for (m, a) in &self.accounts {
            let soon: Vec<&Lot> = a
                .lots
                .iter()
                .filter(|l| l.expires_at > now && l.expires_at - now <= policy.expiring_within)
                .collect();
            if let Some(first) = soon.first() {
                out.push(Reminder::PointsExpiring {
                    member: m.clone(),
                    points: soon.iter().map(|l| l.remaining).sum(),
                    expires_at: first.expires_at,
                });
            }
            let next = tiers
                .iter()
                .filter(|t| t.min_points > a.lifetime)
                .min_by(|x, y| (x.min_points, &x.name).cmp(&(y.min_points, &y.name)));
            if let Some(t) = next {
                let missing = t.min_points - a.lifetime;
                if missing <= policy.near_tier_within {
                    out.push(Reminder::NearTier {
                        member: m.clone(),
                        tier: t.name.clone(),
                        missing,
                    });
                }
            }
        }
        out
    }
}

/// Reminders as a table for people.
#[must_use]
pub fn reminders_table(reminders: &[Reminder]) -> Table {
    let mut t = Table::new(["member", "reminder", "detail"]);
    for r in reminders {
        match r {
            Reminder::PointsExpiring {
                member,
                points,
                expires_at,
            } => t.row([
                member.clone(),
                "points expiring".into(),
                format!("{points} pts on {}", crate::utc::minute(*expires_at)),
            ]),
            Reminder::NearTier {
                member,
                tier,
                missing,
            } => t.row([
                member.clone(),
                "near tier".into(),
                format!("{missing} pts to {tier}"),
            ]),
        };
    }
    t
}

impl fmt::Display for Reminder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reminder::PointsExpiring {
                member,
                points,
                expires_at,
            } => {
                write!(
                    f,
                    "{member}: {points} points expire on {}",
                    crate::utc::minute(*expires_at)
                )
            }
            Reminder::NearTier {
                member,
                tier,
                missing,
            } => {
                write!(f, "{member}: {missing} points to {tier}")
            }
        }
    }
}

#[cfg(test)]
mod tests;
